/* SPDX-License-Identifier: MIT */
/*
 * The ftp station type: vsftpd from Debian, user 3pg with the password
 * from the config, chrooted to its home, passive ports in the range the
 * station publishes (one entry, onto the same host ports, beside the
 * control port), no anonymous login unless asked for.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apomon/station-type.h"
#include "dialog.h"
#include "passwd.h"
#include "plugin-util.h"

#define CONF_PATH     "/etc/vsftpd.conf"
#define USERS_PATH    "/etc/apomon/ftp-users"
#define USERLIST_PATH "/etc/apomon/ftp-userlist"
#define USER	      "3pg"

static const struct apomon_port ftp_ports[] = {
    {"ftp", APOMON_PROTO_TCP, 21},
    {NULL, 0, 0},
};

static const char *const ftp_sealed[] = {CONF_PATH, USERS_PATH, USERLIST_PATH, NULL};

static const struct apomon_setting ftp_settings[] = {
    {.name = "password",
     .kind = APOMON_SETTING_STRING,
     .description = "the password of user 3pg (required)"},
    {.name = "pasv_min_port",
     .kind = APOMON_SETTING_INT,
     .description = "first port of the passive range; default: the station's published "
		    "range, else 30000",
     .min = 1024,
     .max = 65535},
    {.name = "pasv_max_port",
     .kind = APOMON_SETTING_INT,
     .description = "last port of the passive range; default: the station's published "
		    "range, else 30009",
     .min = 1024,
     .max = 65535},
    {.name = "anonymous",
     .kind = APOMON_SETTING_BOOL,
     .default_value = "false",
     .description = "allow anonymous read-only logins"},
    {.name = NULL},
};

struct pasv {
	long long lo, hi;
	bool from_publish; /* a published range, not the settings */
	bool shifted;	   /* published onto other host ports */
};

/*
 * The passive range is typed once: in `publish`, which must exist for a
 * client on the host anyway ({ host = "30000-30009"; port = "30000-30009"; }).
 * The first published TCP range that is not the control port is it.  The
 * settings are for a station nobody publishes (clients in the LAN), or
 * must agree with the published range.
 */
static struct pasv pasv_range(const struct apomon_host *host, const struct apomon_station *st)
{
	struct pasv r = {.lo = 30000, .hi = 30009};
	enum apomon_proto proto;
	unsigned hp, p, n, off = 0;

	for (size_t i = 0;
	     APOMON_HOST_HAS(host, published) && host->published(st, i, &proto, &hp, &p, &n) == 0;
	     i++) {
		if (proto != APOMON_PROTO_TCP || (p <= 21 && p + n > 21))
			continue;
		if (!r.from_publish) {
			r = (struct pasv){
			    .lo = p, .hi = p + n - 1, .from_publish = true, .shifted = hp != p};
			off = hp - p;
		} else if (p == r.hi + 1 && hp - p == off) {
			r.hi = p + n - 1; /* single entries that continue it: one range */
		} else {
			break;
		}
	}
	return r;
}

static long long setting_or(const struct apomon_host *host, const struct apomon_station *st,
			    const char *name, long long fallback)
{
	long long v = host->setting_int(st, name);
	return v ? v : fallback; /* no default: 0 means omitted (bounds forbid 0) */
}

static int ftp_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	const char *pw = host->setting_string(st, "password");
	struct pasv r = pasv_range(host, st);
	long long lo = setting_or(host, st, "pasv_min_port", r.lo);
	long long hi = setting_or(host, st, "pasv_max_port", r.hi);
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
	if (hi < lo) {
		host->report(st, "pasv_max_port",
			     "%lld is out of range, expected pasv_min_port (%lld)..65535", hi, lo);
		rc = -EINVAL;
	}
	if (r.from_publish && (lo != r.lo || hi != r.hi)) {
		host->report(st, lo != r.lo ? "pasv_min_port" : "pasv_max_port",
			     "passive range %lld-%lld differs from the published range %lld-%lld, "
			     "expected the same (or omit the setting: the published range is used)",
			     lo, hi, r.lo, r.hi);
		rc = -EINVAL;
	}
	if (r.from_publish && r.shifted) {
		host->report(
		    st, NULL,
		    "passive range %lld-%lld is published onto other host ports, expected "
		    "the same host ports (FTP clients connect to the port the server names)",
		    r.lo, r.hi);
		rc = -EINVAL;
	}
	return rc;
}

static int ftp_render(const struct apomon_host *host, const struct apomon_station *st)
{
	char hash[128], *text = NULL;
	int rc;

	rc = pw_hash(host, st, host->setting_string(st, "password"), hash, sizeof(hash));
	if (rc < 0) {
		host->log(st, APOMON_LOG_ERROR, "render: password hash: %s", strerror(-rc));
		return rc;
	}
	char users[160];
	int ul = snprintf(users, sizeof(users), USER ":%s\n", hash);
	rc = apo_plugin_write(host, st, USERS_PATH, users, (size_t)ul, 0600);
	if (rc < 0)
		return rc;
	struct pasv r = pasv_range(host, st);
	bool anon = host->setting_bool(st, "anonymous");
	int len =
	    asprintf(&text,
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
		     anon ? "YES" : "NO", setting_or(host, st, "pasv_min_port", r.lo),
		     setting_or(host, st, "pasv_max_port", r.hi), host->fqdn(st));
	if (len < 0)
		return -ENOMEM;
	rc = apo_plugin_write(host, st, CONF_PATH, text, (size_t)len, 0644);
	free(text);
	if (rc < 0)
		return rc;
	/* who may log in at all: 3pg, and anonymous when enabled */
	const char *list = anon ? USER "\nanonymous\nftp\n" : USER "\n";
	return apo_plugin_write(host, st, USERLIST_PATH, list, strlen(list), 0644);
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
