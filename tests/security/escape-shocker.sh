#!/bin/sh
# The Shocker technique: open_by_handle_at(fd, <inode 2>) on every
# descriptor a station process holds, and on every descriptor of the
# station's processes it can reopen through /proc/PID/fd.  On a confined
# station every attempt fails; on one weakened to the state of before
# (the host's log file on fds 1 and 2, DAC_READ_SEARCH, no filter) the
# probe opens the root of the host's file system.
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99

esc_up
# its own descriptors, and those of init and the entrypoint reopened
refused shocker

esc_up seccomp,caps,fds,userns
caught shocker seccomp,caps,fds,userns
echo "escape-shocker: ok"
