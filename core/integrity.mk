# (filled by the part that owns it)
