/* SPDX-License-Identifier: MIT */
/*
 * The mail station type: Postfix for SMTP and Dovecot for IMAP and POP3,
 * both from Debian.  Postfix because it is Debian's default MTA and its
 * whole policy here is a few main.cf lines (mynetworks,
 * reject_unauth_destination, an error transport for everything not
 * local); Dovecot because it serves IMAP and POP3 from the same Maildir
 * Postfix's local(8) delivers to, with a passwd-file of hashes and no
 * database.  The mailbox is 3pg@DOMAIN (the station's domain); nothing
 * ever leaves the environment: mail for other domains is refused at
 * RCPT time, and the default transport is an error.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apomon/station-type.h"
#include "plugin-util.h"
#include "dialog.h"
#include "passwd.h"

#define USER	     "3pg"
#define MAIN_CF	     "/etc/postfix/main.cf"
#define DOVECOT_CONF "/etc/dovecot/dovecot.conf"
#define USERS_PATH   "/etc/apomon/mail-users"

static const struct apomon_port mail_ports[] = {
    {"smtp", APOMON_PROTO_TCP, 25},
    {"pop3", APOMON_PROTO_TCP, 110},
    {"imap", APOMON_PROTO_TCP, 143},
    {NULL, 0, 0},
};

static const char *const mail_sealed[] = {MAIN_CF, DOVECOT_CONF, USERS_PATH, NULL};

static const struct apomon_setting mail_settings[] = {
    {.name = "password",
     .kind = APOMON_SETTING_STRING,
     .description = "the password of mailbox 3pg@DOMAIN for IMAP and POP3 (required)"},
    {.name = "mynetworks",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "more networks allowed to send mail (CIDR), beyond the environment's stations"},
    {.name = NULL},
};

static int mail_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	const char *pw = host->setting_string(st, "password");
	int rc = 0;

	if (!pw || !*pw) {
		host->report(st, "password", "missing, expected the password of mailbox 3pg");
		return -EINVAL;
	}
	for (const char *c = pw; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			host->report(st, "password",
				     "has a control character, expected printable text");
			return -EINVAL;
		}
	for (size_t i = 0; i < host->setting_list_count(st, "mynetworks"); i++) {
		const char *n = host->setting_list_item(st, "mynetworks", i);
		unsigned a, b, c, d, p;
		char tail;
		if (!n || sscanf(n, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &p, &tail) != 5 ||
		    a > 255 || b > 255 || c > 255 || d > 255 || p > 32) {
			host->report(st, "mynetworks",
				     "'%s' is not a network, expected A.B.C.D/PREFIX", n ? n : "");
			rc = -EINVAL;
		}
	}
	return rc;
}

struct nets {
	const struct apomon_host *host;
	FILE *f;
};

/* every address of every station, the backbone's legs included */
static int add_station(const struct apomon_station *other, void *ctx)
{
	struct nets *n = ctx;

	for (size_t i = 0; i < n->host->address_count(other); i++)
		fprintf(n->f, " %s/32", n->host->address(other, i));
	return 0;
}

static int write_text(const struct apomon_host *host, const struct apomon_station *st,
		      const char *path, const char *text, size_t len, mode_t mode)
{
	return apo_plugin_write(host, st, path, text, len, mode);
}

static int mail_render(const struct apomon_host *host, const struct apomon_station *st)
{
	char *text = NULL, hash[128], users[256];
	size_t len = 0;
	int rc;

	rc = pw_hash(host, st, host->setting_string(st, "password"), hash, sizeof(hash));
	if (rc < 0)
		return rc;
	/* passwd-file: user:{scheme}hash:uid:gid::home (3pg is 1000:1000 in base) */
	int ul = snprintf(users, sizeof(users),
			  USER ":{SHA512-CRYPT}%s:1000:1000::/home/" USER "\n", hash);
	if ((rc = write_text(host, st, USERS_PATH, users, (size_t)ul, 0600)) < 0)
		return rc;

	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -errno;
	fprintf(f,
		"# Written by apomon's mail type at every start; sealed: change the\n"
		"# station's settings in conf.d/, not this file.\n"
		"compatibility_level = 3.6\n"
		"myhostname = %s\nmydomain = %s\nmyorigin = $mydomain\n"
		"mydestination = $myhostname, $mydomain, localhost\n"
		"inet_interfaces = all\ninet_protocols = ipv4\n"
		"smtpd_banner = $myhostname ESMTP\nbiff = no\n"
		"home_mailbox = Maildir/\n"
		"alias_maps = hash:/etc/aliases\nalias_database = hash:/etc/aliases\n"
		"maillog_file = /dev/stdout\n"
		"# who may talk to it: the environment's stations (and mynetworks)\n"
		"mynetworks = 127.0.0.0/8",
		host->fqdn(st), host->domain(st));
	struct nets n = {.host = host, .f = f};
	host->each_station(st, APOMON_SCOPE_ENVIRONMENT, add_station, &n);
	for (size_t i = 0; i < host->setting_list_count(st, "mynetworks"); i++)
		fprintf(f, " %s", host->setting_list_item(st, "mynetworks", i));
	fprintf(f, "\nsmtpd_client_restrictions = permit_mynetworks, reject\n"
		   "# never a relay: only its own domain is a destination\n"
		   "smtpd_relay_restrictions = reject_unauth_destination\n"
		   "smtpd_recipient_restrictions = reject_unauth_destination\n"
		   "# and nothing generated inside leaves the environment either\n"
		   "relayhost =\ndefault_transport = error:this environment delivers no mail "
		   "outside\nrelay_transport = error:this environment relays no mail\n");
	if (fclose(f) != 0) {
		free(text);
		return -EIO;
	}
	rc = write_text(host, st, MAIN_CF, text, len, 0644);
	free(text);
	if (rc < 0)
		return rc;

	len = (size_t)asprintf(
	    &text,
	    "# Written by apomon's mail type at every start; sealed.\n"
	    "protocols = imap pop3\nlisten = *\n"
	    "# inside the environment's LANs, without TLS: plain logins allowed\n"
	    "ssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n"
	    "mail_location = maildir:~/Maildir\nfirst_valid_uid = 1000\n"
	    "log_path = /dev/stderr\n"
	    "passdb {\n  driver = passwd-file\n  args = scheme=SHA512-CRYPT " USERS_PATH "\n}\n"
	    "userdb {\n  driver = passwd-file\n  args = " USERS_PATH "\n}\n"
	    "protocol pop3 {\n  pop3_uidl_format = %%08Xu%%08Xv\n}\n");
	if ((ssize_t)len < 0)
		return -ENOMEM;
	rc = write_text(host, st, DOVECOT_CONF, text, len, 0644);
	free(text);
	return rc;
}

/* An IMAP quoted string: "..." with " and \ escaped. */
static void imap_quote(const char *s, char *out, size_t size)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *s && o + 3 < size; s++) {
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static int smtp_greeting(const struct apomon_host *host, const struct apomon_station *st)
{
	struct dlg d;
	char line[512];
	int rc = dlg_connect(&d, host, st, host->address(st, 0), 25, 1000);

	if (rc < 0)
		return rc;
	int code = dlg_read_reply(&d, line, sizeof(line));
	if (code == 220) {
		dlg_send(&d, "QUIT\r\n");
		rc = 0;
	} else {
		rc = -EAGAIN; /* 421 while starting, or no banner yet */
	}
	dlg_close(&d);
	return rc;
}

static int imap_login(const struct apomon_host *host, const struct apomon_station *st)
{
	struct dlg d;
	char line[512], pw[600], cmd[700];
	int rc = dlg_connect(&d, host, st, host->address(st, 0), 143, 1000);

	if (rc < 0)
		return rc;
	if ((rc = dlg_read_line(&d, line, sizeof(line))) < 0 || strncmp(line, "* OK", 4)) {
		rc = -EAGAIN;
		goto out;
	}
	imap_quote(host->setting_string(st, "password"), pw, sizeof(pw));
	snprintf(cmd, sizeof(cmd), "a1 LOGIN " USER " %s\r\n", pw);
	if ((rc = dlg_send(&d, cmd)) < 0)
		goto out;
	do {
		if ((rc = dlg_read_line(&d, line, sizeof(line))) < 0)
			goto out;
	} while (line[0] == '*');
	if (!strncmp(line, "a1 OK", 5)) {
		dlg_send(&d, "a2 LOGOUT\r\n");
		rc = 0;
	} else {
		host->log(st, APOMON_LOG_ERROR, "ready: IMAP login as " USER ": %s", line);
		rc = strncmp(line, "a1 NO", 5) ? -EPROTO : -EACCES;
	}
out:
	dlg_close(&d);
	return rc;
}

/* The startup check: Postfix's greeting, then a real IMAP login as 3pg. */
static int mail_ready(const struct apomon_host *host, const struct apomon_station *st)
{
	int rc = smtp_greeting(host, st);
	return rc < 0 ? rc : imap_login(host, st);
}

static const struct apomon_station_type mail = {
    APOMON_STATION_TYPE_HEADER,
    .name = "mail",
    .description = "a mail server: Postfix (SMTP) and Dovecot (IMAP, POP3), mailbox 3pg",
    .version = PACKAGE_VERSION,
    .image = "mail",
    .role = APOMON_ROLE_MEMBER,
    .ports = mail_ports,
    .sealed = mail_sealed,
    .settings = mail_settings,
    .ready_timeout_ms = 60000,
    .validate = mail_validate,
    .render = mail_render,
    .ready = mail_ready,
};

APOMON_STATION_TYPE(mail)
