/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "integrity/manifest.h"
#include "base/util.h"

#define MISSING_TAG "MISSING"

void apo_manifest_free(struct apo_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].path);
	free(m->entries);
	free(m);
}

const char *apo_manifest_path_problem(const char *path)
{
	if (path[0] != '/')
		return "relative path, expected an absolute path";
	if (!path[1])
		return "the root itself, expected a file";
	for (const char *c = path; *c; c++) {
		if (*c == '\\')
			return "backslash in path (not representable in sha256sum format)";
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "control character in path";
	}
	/* component by component: "", "." and ".." are all refused so that
	 * a path names exactly one file and never climbs */
	for (const char *s = path + 1;;) {
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);
		if (n == 0)
			return "empty path component ('//' or trailing '/')";
		if (n == 1 && s[0] == '.')
			return "'.' path component";
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return "'..' path component";
		if (n > 255)
			return "path component longer than 255 bytes";
		if (!*e)
			break;
		s = e + 1;
	}
	return NULL;
}

void apo_manifest_add(struct apo_manifest *m, const char *path, bool missing,
		      const unsigned char *digest)
{
	struct apo_manifest_entry e = {.path = apo_xstrdup(path), .missing = missing};
	if (!missing)
		memcpy(e.digest, digest, APO_SHA256_LEN);
	APO_PUSH(m->entries, m->n, m->cap, e);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct apo_manifest_entry *x = a, *y = b;
	return strcmp(x->path, y->path);
}

void apo_manifest_sort(struct apo_manifest *m)
{
	if (m->n)
		qsort(m->entries, m->n, sizeof(*m->entries), cmp_entry);
}

/* Orders entry indices by path, then by position: equal paths end up
 * adjacent with the first occurrence first. */
static int cmp_index(const void *a, const void *b, void *ctx)
{
	const struct apo_manifest *m = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(m->entries[i].path, m->entries[j].path);
	if (c)
		return c;
	return i < j ? -1 : i > j;
}

static int fail(char **why, const char *name, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char **why, const char *name, size_t line, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *msg = NULL;

	va_start(ap, fmt);
	msg = apo_xvasprintf(fmt, ap);
	va_end(ap);
	*why = apo_xasprintf("%s:%zu: %s", name, line, msg);
	return -EINVAL;
}

static int parse_entry(struct apo_manifest *m, const char *name, size_t lineno, const char *s,
		       size_t n, char **why)
{
	struct apo_manifest_entry e = {0};
	const char *path;

	if (n >= sizeof(MISSING_TAG) + 1 && !memcmp(s, MISSING_TAG "  ", sizeof(MISSING_TAG) + 1)) {
		e.missing = true;
		path = s + sizeof(MISSING_TAG) + 1;
	} else {
		size_t h = 0;
		while (h < n && s[h] != ' ')
			h++;
		if (h == n)
			return fail(why, name, lineno,
				    "no path after the digest, expected 'DIGEST  /path'");
		if (h != APO_SHA256_HEX)
			return fail(why, name, lineno,
				    "digest of %zu characters, expected %d hex digits or MISSING",
				    h, APO_SHA256_HEX);
		if (apo_digest_unhex(s, e.digest) < 0)
			return fail(why, name, lineno,
				    "bad digest, expected %d lower-case hex digits",
				    APO_SHA256_HEX);
		if (n < h + 2 || s[h + 1] != ' ')
			return fail(why, name, lineno,
				    "one space after the digest, expected two ('DIGEST  /path')");
		path = s + h + 2;
	}
	size_t plen = n - (size_t)(path - s);
	if (plen == 0)
		return fail(why, name, lineno, "empty path, expected an absolute path");
	_cleanup_free_ char *p = apo_xstrndup(path, plen);
	const char *problem = apo_manifest_path_problem(p);
	if (problem)
		return fail(why, name, lineno, "%s", problem);
	e.path = p;
	p = NULL;
	APO_PUSH(m->entries, m->n, m->cap, e);
	return 0;
}

int apo_manifest_parse(const char *name, const char *buf, size_t len, struct apo_manifest **out,
		       char **why)
{
	struct apo_manifest *m = apo_xcalloc(1, sizeof(*m));
	size_t *lines = NULL, nlines = 0, lcap = 0; /* line number of each entry */
	size_t lineno = 0, off = 0;
	int rc;

	*out = NULL;
	*why = NULL;
	if (len == 0) {
		rc = fail(why, name, 1, "empty manifest, expected the line '%s'",
			  APO_MANIFEST_MAGIC);
		goto fail;
	}
	while (off < len) {
		const char *s = buf + off;
		size_t avail = len - off;
		const char *nl = memchr(
		    s, '\n', avail < APO_MANIFEST_MAX_LINE + 1 ? avail : APO_MANIFEST_MAX_LINE + 1);
		lineno++;
		if (!nl) {
			if (avail > APO_MANIFEST_MAX_LINE)
				rc = fail(why, name, lineno, "line longer than %d bytes",
					  APO_MANIFEST_MAX_LINE);
			else
				rc = fail(why, name, lineno,
					  "truncated line (no newline at the end of the file)");
			goto fail;
		}
		size_t n = (size_t)(nl - s);
		off += n + 1;
		if (memchr(s, '\0', n)) {
			rc = fail(why, name, lineno, "NUL byte in line");
			goto fail;
		}
		if (n && s[n - 1] == '\r') {
			rc = fail(why, name, lineno,
				  "carriage return at end of line (CRLF), expected LF");
			goto fail;
		}
		if (lineno == 1) {
			if (n != strlen(APO_MANIFEST_MAGIC) || memcmp(s, APO_MANIFEST_MAGIC, n)) {
				rc = fail(why, name, lineno,
					  "not an apomon manifest, expected the first line '%s'",
					  APO_MANIFEST_MAGIC);
				goto fail;
			}
			continue;
		}
		if (n == 0 || s[0] == '#')
			continue;
		rc = parse_entry(m, name, lineno, s, n, why);
		if (rc < 0)
			goto fail;
		APO_PUSH(lines, nlines, lcap, lineno);
	}
	/* duplicates: sort an index so the message can name both lines */
	if (m->n > 1) {
		size_t *idx = apo_xcalloc(m->n, sizeof(*idx));
		for (size_t i = 0; i < m->n; i++)
			idx[i] = i;
		qsort_r(idx, m->n, sizeof(*idx), cmp_index, m);
		for (size_t i = 1; i < m->n; i++) {
			if (strcmp(m->entries[idx[i - 1]].path, m->entries[idx[i]].path))
				continue;
			rc = fail(why, name, lines[idx[i]],
				  "duplicate entry for %s (first on line %zu)",
				  m->entries[idx[i]].path, lines[idx[i - 1]]);
			free(idx);
			goto fail;
		}
		free(idx);
	}
	free(lines);
	apo_manifest_sort(m);
	*out = m;
	return 0;
fail:
	free(lines);
	apo_manifest_free(m);
	return rc;
}

int apo_manifest_write(const struct apo_manifest *m, FILE *f, const char *env, const char *station)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "%s\n", APO_MANIFEST_MAGIC);
	if (env)
		fprintf(f, "# environment: %s\n", env);
	if (station)
		fprintf(f, "# station: %s\n", station);
	fprintf(f, "# sealed: %s\n", when);
	for (size_t i = 0; i < m->n; i++) {
		const struct apo_manifest_entry *e = &m->entries[i];
		if (e->missing) {
			fprintf(f, MISSING_TAG "  %s\n", e->path);
		} else {
			char hex[APO_SHA256_HEX + 1];
			apo_digest_hex(e->digest, hex);
			fprintf(f, "%s  %s\n", hex, e->path);
		}
	}
	return ferror(f) ? -EIO : 0;
}
