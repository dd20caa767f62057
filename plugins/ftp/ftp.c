/* SPDX-License-Identifier: MIT */
/*
 * The ftp station type: vsftpd from Debian, user 3pg with the password
 * from the config, chrooted to its home, passive ports in a fixed range
 * (publish them with the same host ports, and the control port, to use
 * it through the host), no anonymous login unless asked for.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apomon/station-type.h"
#include "dialog.h"
#include "passwd.h"

#define CONF_PATH  "/etc/vsftpd.conf"
#define USERS_PATH "/etc/apomon/ftp-users"
#define USERLIST_PATH "/etc/apomon/ftp-userlist"
#define USER	   "3pg"

static const struct apomon_port ftp_ports[] = {
    {"ftp", APOMON_PROTO_TCP, 21},
    {NULL, 0, 0},
};

static const char *const ftp_sealed[] = {CONF_PATH, USERS_PATH, USERLIST_PATH, NULL};

static const struct apomon_setting ftp_settings[] = {
    {"password", APOMON_SETTING_STRING, NULL, "the password of user 3pg (required)"},
    {"pasv_min_port", APOMON_SETTING_INT, "30000", "first port of the passive range"},
    {"pasv_max_port", APOMON_SETTING_INT, "30009", "last port of the passive range"},
    {"anonymous", APOMON_SETTING_BOOL, "false", "allow anonymous read-only logins"},
    {NULL, 0, NULL, NULL},
};

static int ftp_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	const char *pw = host->setting_string(st, "password");
	long long lo = host->setting_int(st, "pasv_min_port");
	long long hi = host->setting_int(st, "pasv_max_port");
	int rc = 0;

	if (!pw || !*pw) {
		host->report(st, "password", "missing, expected the password of user 3pg");
		rc = -EINVAL;
	} else {
		for (const char *c = pw; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				host->report(st, "password",
					     "has a control character, expected printable text");
				rc = -EINVAL;
				break;
			}
	}
	if (lo < 1024 || lo > 65535) {
		host->report(st, "pasv_min_port", "%lld is out of range, expected 1024..65535", lo);
		rc = -EINVAL;
	}
	if (hi < lo || hi > 65535) {
		host->report(st, "pasv_max_port",
			     "%lld is out of range, expected pasv_min_port (%lld)..65535", hi, lo);
		rc = -EINVAL;
	}
	return rc;
}

static int ftp_render(const struct apomon_host *host, const struct apomon_station *st)
{
	char hash[128], *text = NULL;
	int rc;

	rc = pw_hash(host->setting_string(st, "password"), host->fqdn(st), hash, sizeof(hash));
	if (rc < 0) {
		host->log(st, APOMON_LOG_ERROR, "render: password hash: %s", strerror(-rc));
		return rc;
	}
	char users[160];
	int ul = snprintf(users, sizeof(users), USER ":%s\n", hash);
	rc = host->write_file(st, USERS_PATH, users, (size_t)ul, 0600);
	if (rc < 0) {
		host->log(st, APOMON_LOG_ERROR, "render: %s: %s", USERS_PATH, strerror(-rc));
		return rc;
	}
	bool anon = host->setting_bool(st, "anonymous");
	int len = asprintf(
	    &text,
	    "# Written by apomon's ftp type at every start; sealed: change the\n"
	    "# station's settings in conf.d/, not this file.\n"
	    "listen=YES\nlisten_ipv6=NO\nbackground=NO\n"
	    "anonymous_enable=%s\nno_anon_password=YES\nanon_upload_enable=NO\n"
	    "local_enable=YES\nwrite_enable=YES\nlocal_umask=022\n"
	    "userlist_enable=YES\nuserlist_deny=NO\nuserlist_file=" USERLIST_PATH "\n"
	    "chroot_local_user=YES\nallow_writeable_chroot=YES\n"
	    "secure_chroot_dir=/run/vsftpd/empty\npam_service_name=vsftpd\n"
	    "# passive ports: publish this range with the same host ports\n"
	    "pasv_enable=YES\npasv_min_port=%lld\npasv_max_port=%lld\n"
	    "# a station may not make namespaces: vsftpd must not try\n"
	    "isolate=NO\nisolate_network=NO\nseccomp_sandbox=NO\n"
	    "xferlog_enable=YES\nvsftpd_log_file=/var/log/vsftpd.log\n"
	    "ftpd_banner=%s FTP\n",
	    anon ? "YES" : "NO", host->setting_int(st, "pasv_min_port"),
	    host->setting_int(st, "pasv_max_port"), host->fqdn(st));
	if (len < 0)
		return -ENOMEM;
	rc = host->write_file(st, CONF_PATH, text, (size_t)len, 0644);
	free(text);
	if (rc < 0) {
		host->log(st, APOMON_LOG_ERROR, "render: %s: %s", CONF_PATH, strerror(-rc));
		return rc;
	}
	/* who may log in at all: 3pg, and anonymous when enabled */
	const char *list = anon ? USER "\nanonymous\nftp\n" : USER "\n";
	rc = host->write_file(st, USERLIST_PATH, list, strlen(list), 0644);
	if (rc < 0)
		host->log(st, APOMON_LOG_ERROR, "render: " USERLIST_PATH ": %s", strerror(-rc));
	return rc;
}

/* The startup check: the banner, then a real login as 3pg. */
static int ftp_ready(const struct apomon_host *host, const struct apomon_station *st)
{
	struct dlg d;
	char line[512], *cmd = NULL;
	int rc, code;

	rc = dlg_connect(&d, host, st, host->address(st, 0), 21, 1000);
	if (rc < 0)
		return rc;
	if ((code = dlg_read_reply(&d, line, sizeof(line))) != 220) {
		rc = code < 0 ? -EAGAIN : -EPROTO;
		goto out;
	}
	if ((rc = dlg_send(&d, "USER " USER "\r\n")) < 0 ||
	    (code = dlg_read_reply(&d, line, sizeof(line))) != 331) {
		rc = rc < 0 ? rc : -EPROTO;
		goto log;
	}
	if (asprintf(&cmd, "PASS %s\r\n", host->setting_string(st, "password")) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	rc = dlg_send(&d, cmd);
	free(cmd);
	if (rc < 0)
		goto out;
	code = dlg_read_reply(&d, line, sizeof(line));
	if (code == 230) {
		dlg_send(&d, "QUIT\r\n");
		rc = 0;
		goto out;
	}
	rc = code == 530 ? -EACCES : -EPROTO;
log:
	host->log(st, APOMON_LOG_ERROR, "ready: login as " USER ": %s", line);
out:
	dlg_close(&d);
	return rc;
}

static const struct apomon_station_type ftp = {
    APOMON_STATION_TYPE_HEADER,
    .name = "ftp",
    .description = "an FTP server (vsftpd): user 3pg, passive mode, no anonymous login",
    .version = PACKAGE_VERSION,
    .image = "ftp",
    .role = APOMON_ROLE_MEMBER,
    .ports = ftp_ports,
    .sealed = ftp_sealed,
    .settings = ftp_settings,
    .ready_timeout_ms = 60000,
    .validate = ftp_validate,
    .render = ftp_render,
    .ready = ftp_ready,
};

APOMON_STATION_TYPE(ftp)
