# The `mail` station type: Postfix and Dovecot, mailbox 3pg.
plugin_LTLIBRARIES += plugins/mail/mail.la
plugins_mail_mail_la_SOURCES = plugins/common/plugin-util.c plugins/common/plugin-util.h \
	plugins/mail/mail.c plugins/common/dialog.c \
	plugins/common/dialog.h plugins/common/passwd.c plugins/common/passwd.h
plugins_mail_mail_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/plugins/common
plugins_mail_mail_la_LDFLAGS = $(APO_MODULE_FLAGS)
plugins_mail_mail_la_LIBADD = -lcrypt
EXTRA_DIST += plugins/mail/README.md tests/integration/rest-mail.sh
TESTS += tests/integration/rest-mail.sh
# its image definition, installed next to base's
imagesmaildir = $(imagesdir)/mail
dist_imagesmail_DATA = images/mail/image.cfg images/mail/startup.sh
