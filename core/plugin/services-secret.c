/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"
#include "plugin/services-secret.h"
#include "plugin/services.h"

/* [a-z0-9_-]: no '.', so no name meets a temporary file (".NAME.tmp...") */
static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > APO_SECRET_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return false;
	return true;
}

static int read_all(int fd, void *out, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t r = read(fd, (char *)out + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EBADMSG;
		off += (size_t)r;
	}
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return 0;
}

/* The kept secret: 0, -ENOENT (none yet), -EMSGSIZE (another length). */
static int read_kept(int dfd, const char *name, void *out, size_t len)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat sb;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		return -errno;
	if (!S_ISREG(sb.st_mode))
		return -EBADMSG;
	if ((size_t)sb.st_size != len)
		return -EMSGSIZE;
	return read_all(fd, out, len);
}

/* New bytes, in a file of their own, then linked to NAME: linkat never
 * replaces, so a file named NAME is always complete, and of two racing
 * makers the second reads the first one's bytes. */
static int make_kept(int dfd, const char *name, void *out, size_t len)
{
	unsigned char rnd[8];
	char tmp[APO_SECRET_NAME_MAX + 32];
	int rc;

	if (RAND_bytes(out, (int)len) != 1 || RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -EIO;
	snprintf(tmp, sizeof(tmp), ".%s.tmp.%02x%02x%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	_cleanup_close_ int fd =
	    openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, out, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (rc == 0 && linkat(dfd, tmp, dfd, name, 0) < 0)
		rc = -errno;
	unlinkat(dfd, tmp, 0);
	if (rc == -EEXIST)
		return read_kept(dfd, name, out, len);
	if (rc == 0 && fsync(dfd) < 0)
		rc = -errno;
	return rc;
}

int apo_secret_get(const char *env, const char *station, const char *name, void *out, size_t len)
{
	int rc;

	if (!out || len == 0 || len > APO_SECRET_MAX || !name_ok(name) || !env || !station ||
	    !apo_fs_component_ok(env) || !apo_fs_component_ok(station))
		return -EINVAL;
	_cleanup_free_ char *sdir = apo_station_lib_dir(env, station);
	/* the station's directory holds its writable layer too: 0755 as
	 * the runtime makes it; only secrets/ is closed */
	if ((rc = apo_mkdir_p(sdir, 0755)) < 0)
		return rc;
	_cleanup_close_ int sfd = open(sdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return -errno;
	if (mkdirat(sfd, "secrets", 0700) < 0 && errno != EEXIST)
		return -errno;
	_cleanup_close_ int dfd =
	    openat(sfd, "secrets", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	rc = read_kept(dfd, name, out, len);
	if (rc == -ENOENT)
		rc = make_kept(dfd, name, out, len);
	if (rc < 0)
		OPENSSL_cleanse(out, len);
	return rc;
}

int apo_services_secret(const struct apomon_station *st, const char *name, void *out, size_t len)
{
	if (!st || !st->ctx || !st->station)
		return -EINVAL;
	/* only a station being started keeps state: validate, plan and
	 * status write nothing */
	if (!st->ctx->plan)
		return -ENOTCONN;
	int rc = apo_secret_get(st->ctx->model->env, st->station->name, name, out, len);
	if (rc < 0)
		apo_services.log(st, APOMON_LOG_ERROR, "secret %s: %s", name ? name : "(null)",
				 strerror(-rc));
	return rc;
}
