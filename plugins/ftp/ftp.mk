# The `ftp` station type: vsftpd with user 3pg.
plugin_LTLIBRARIES += plugins/ftp/ftp.la
plugins_ftp_ftp_la_SOURCES = plugins/ftp/ftp.c plugins/common/dialog.c \
	plugins/common/plugin-util.c plugins/common/plugin-util.h \
	plugins/common/dialog.h plugins/common/passwd.c plugins/common/passwd.h
plugins_ftp_ftp_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/plugins/common
plugins_ftp_ftp_la_LDFLAGS = $(APO_MODULE_FLAGS)
plugins_ftp_ftp_la_LIBADD = -lcrypt
EXTRA_DIST += plugins/ftp/README.md tests/integration/rest-ftp.sh
TESTS += tests/integration/rest-ftp.sh
# its image definition, installed next to base's
imagesftpdir = $(imagesdir)/ftp
dist_imagesftp_DATA = images/ftp/image.cfg images/ftp/startup.sh
