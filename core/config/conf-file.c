/* SPDX-License-Identifier: MIT */
/*
 * What libconfig cannot be trusted with, checked on a config file's bytes
 * before it reads them: only regular files (a FIFO would block the read
 * forever, a device never ends), no NUL byte (libconfig cuts a string
 * there without a word, so `environment = "a\0b"` would manage "a"), and
 * the same for every @include target, which libconfig opens itself.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"
#include "config/conf-internal.h"

/* libconfig 1.5 stops at this depth too */
#define MAX_INCLUDE_DEPTH 10
/* config files are small; anything this large is a mistake, not a config */
#define MAX_CONFIG_BYTES (64u << 20)

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFDIR:
		return "a directory";
	}
	return "not a regular file";
}

/* The whole file in *out (NUL-terminated, length in *len); -errno, or
 * -EBADMSG with a message in *why (static) for what is not a regular file. */
static int slurp(const char *path, char **out, size_t *len, const char **why)
{
	struct stat st;

	*out = NULL;
	*why = NULL;
	/* stat first: opening a device can have effects of its own */
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		*why = file_kind(st.st_mode);
		return -EBADMSG;
	}
	/* O_NONBLOCK: should it have become a FIFO since, open must not wait */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = file_kind(st.st_mode);
		close(fd);
		return -EBADMSG;
	}
	int rc = apo_read_fd(fd, MAX_CONFIG_BYTES, out, len);
	close(fd);
	if (rc == -EFBIG) {
		*why = "larger than 64 MiB";
		return -EBADMSG;
	}
	return rc;
}

static int check_file(struct conf_ctx *c, const char *path, const struct apo_loc *from, int depth);

/* An @include at p (just after "@include"): the quoted name as libconfig
 * 1.5 reads it (\\ and \" escapes), resolved as it does: the include
 * directory, '/', the name without a leading '/'. */
static bool check_include(struct conf_ctx *c, const char *p, const char *end,
			  const struct apo_loc *loc, int depth)
{
	bool ok = true;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '"')
		return true; /* libconfig reports the syntax */
	p++;
	char *name = apo_xmalloc((size_t)(end - p) + 1), *w = name;
	for (; p < end && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && p + 1 < end && (p[1] == '\\' || p[1] == '"'))
			p++;
		*w++ = *p;
	}
	*w = '\0';
	if (p < end && *p == '"') {
		const char *dir = c->m->confdir;
		_cleanup_free_ char *target =
		    apo_xasprintf("%s/%s", dir, name[0] == '/' ? name + 1 : name);
		ok = check_file(c, target, loc, depth + 1) == 0;
	}
	free(name);
	return ok;
}

/* Reports NUL bytes (raw, or as a \x00 escape in a string) and checks
 * every @include target; true when nothing was found. */
static bool scan(struct conf_ctx *c, const char *file, const char *buf, size_t len, int depth)
{
	const char *end = buf + len;
	enum { CODE, STRING, LINE_COMMENT, BLOCK_COMMENT } state = CODE;
	bool line_start = true, ok = true, nul_said = false;
	struct apo_loc loc = {.file = file, .line = 1};

	for (const char *p = buf; p < end; p++) {
		char ch = *p;
		bool nul = ch == '\0';
		if (state == STRING && ch == '\\' && p + 3 < end && p[1] == 'x' && p[2] == '0' &&
		    p[3] == '0')
			nul = true;
		if (nul && !nul_said) {
			apo_diag_add(
			    c->d, &loc, NULL,
			    ch ? "a string holds \\x00, a NUL byte, expected text: "
				 "libconfig would cut the string there"
			       : "holds a NUL byte, expected text: libconfig would cut the "
				 "string there");
			ok = false;
			nul_said = true;
		}
		if (ch == '\n') {
			loc.line++;
			line_start = true;
			if (state == LINE_COMMENT)
				state = CODE;
			continue;
		}
		switch (state) {
		case CODE:
			if (line_start && (ch == ' ' || ch == '\t'))
				continue;
			if (line_start && ch == '@' && (size_t)(end - p) > 8 &&
			    memcmp(p, "@include", 8) == 0 && (p[8] == ' ' || p[8] == '\t')) {
				if (depth < MAX_INCLUDE_DEPTH &&
				    !check_include(c, p + 8, end, &loc, depth))
					ok = false;
				p += 7;
			} else if (ch == '"') {
				state = STRING;
			} else if (ch == '#' || (ch == '/' && p + 1 < end && p[1] == '/')) {
				state = LINE_COMMENT;
			} else if (ch == '/' && p + 1 < end && p[1] == '*') {
				state = BLOCK_COMMENT;
				p++;
			}
			break;
		case STRING:
			if (ch == '\\' && p + 1 < end && p[1] != '\n')
				p++;
			else if (ch == '"')
				state = CODE;
			break;
		case BLOCK_COMMENT:
			if (ch == '*' && p + 1 < end && p[1] == '/') {
				state = CODE;
				p++;
			}
			break;
		case LINE_COMMENT:
			break;
		}
		line_start = false;
	}
	return ok;
}

static int check_file(struct conf_ctx *c, const char *path, const struct apo_loc *from, int depth)
{
	const char *file = apo_model_intern_file(c->m, path);
	struct apo_loc loc = {.file = file};
	const char *why;
	char *buf;
	size_t len = 0;

	int rc = slurp(path, &buf, &len, &why);
	if (rc == -EBADMSG) {
		if (from)
			apo_diag_add(c->d, from, NULL,
				     "@include %s: is %s, expected a regular file", path, why);
		else
			apo_diag_add(c->d, &loc, NULL, "is %s, expected a regular file", why);
		return rc;
	}
	if (rc < 0) {
		/* a missing include is libconfig's to report, with its line; any
		 * other failure (EAGAIN: a file that would block) is ours */
		if (from && rc == -ENOENT)
			return 0;
		if (from)
			apo_diag_add(c->d, from, NULL, "@include %s: cannot read: %s", path,
				     strerror(-rc));
		else
			apo_diag_add(c->d, &loc, NULL, "cannot read: %s", strerror(-rc));
		return from ? -EBADMSG : rc;
	}
	rc = scan(c, file, buf, len, depth) ? 0 : -EBADMSG;
	free(buf);
	return rc;
}

int conf_check_file(struct conf_ctx *c, const char *path)
{
	return check_file(c, path, NULL, 0);
}
