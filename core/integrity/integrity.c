/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "integrity/integrity.h"
#include "base/paths.h"
#include "integrity/signature.h"
#include "base/util.h"

/* How many manifests are fetched at once: latency-bound, not CPU-bound. */
#define LOAD_THREADS 8

int apo_integrity_load(const struct apo_integrity_opts *o, struct apo_manifest **out, char **why)
{
	struct apo_buf doc = {0}, sig = {0};
	_cleanup_free_ char *shown = NULL;
	int rc;

	*out = NULL;
	*why = NULL;
	if (!o->manifest) {
		*why = apo_xstrdup("no manifest configured");
		return -EINVAL;
	}
	rc = apo_fetch_cached(o->cache, o->manifest, &o->fetch, &doc, why);
	if (rc < 0)
		goto out;
	shown = apo_fetch_redact(o->manifest);
	if (o->public_key) {
		/* the signature comes from the same place: SOURCE.sig */
		_cleanup_free_ char *sigsrc = apo_xasprintf("%s.sig", o->manifest);
		rc = apo_fetch_cached(o->cache, sigsrc, &o->fetch, &sig, why);
		if (rc < 0) {
			char *w = apo_xasprintf("signature required (public_key %s): %s",
						o->public_key, *why);
			free(*why);
			*why = w;
			goto out;
		}
		char *sigwhy = NULL;
		rc = apo_sig_verify(o->public_key, doc.data, doc.len, sig.data, sig.len, &sigwhy);
		if (rc < 0) {
			*why = apo_xasprintf("%s.sig: %s", shown, sigwhy);
			free(sigwhy);
			goto out;
		}
	}
	rc = apo_manifest_parse(shown, doc.data, doc.len, out, why);
out:
	apo_buf_free(&doc);
	apo_buf_free(&sig);
	return rc;
}

void apo_integrity_station_clear(struct apo_integrity_station *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_bad; i++) {
		free(st->bad[i].path);
		free(st->bad[i].expected);
		free(st->bad[i].actual);
	}
	free(st->bad);
	free(st->error);
	st->bad = NULL;
	st->error = NULL;
	st->n_bad = st->cap_bad = 0;
}

static void add_bad(struct apo_integrity_station *st, const char *path, const char *what,
		    char *expected, char *actual)
{
	struct apo_integrity_bad b = {
	    .path = apo_xstrdup(path), .what = what, .expected = expected, .actual = actual};
	APO_PUSH(st->bad, st->n_bad, st->cap_bad, b);
}

static char *hex(const unsigned char *d)
{
	char *h = apo_xmalloc(APO_SHA256_HEX + 1);
	apo_digest_hex(d, h);
	return h;
}

static const char *reason(int err)
{
	switch (err) {
	case -EISDIR:
		return "is a directory";
	case -EINVAL:
		return "not a regular file";
	case -ELOOP:
		return "too many symlinks";
	default:
		return strerror(-err);
	}
}

static int is_absent(int err)
{
	return err == -ENOENT || err == -ENOTDIR;
}

static void compare(struct apo_integrity_station *st, const struct apo_manifest_entry *e,
		    const struct apo_hash_job *j)
{
	if (e->missing) {
		if (is_absent(j->err))
			return;
		add_bad(st, e->path, "exists", apo_xstrdup("missing"),
			j->err ? apo_xasprintf("unreadable: %s", reason(j->err)) : hex(j->digest));
		return;
	}
	if (is_absent(j->err)) {
		add_bad(st, e->path, "missing", hex(e->digest), apo_xstrdup("missing"));
		return;
	}
	if (j->err) {
		add_bad(st, e->path, "unreadable", hex(e->digest),
			apo_xasprintf("unreadable: %s", reason(j->err)));
		return;
	}
	if (memcmp(e->digest, j->digest, APO_SHA256_LEN))
		add_bad(st, e->path, "digest mismatch", hex(e->digest), hex(j->digest));
}

static void iso_now(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One line a bad file, tab-separated (paths hold no control characters):
 * TIME STATION PATH EXPECTED ACTUAL.  Each line is one write() on an
 * O_APPEND descriptor, so concurrent checks do not interleave. */
static void log_station(const struct apo_integrity_station *st)
{
	const struct apo_integrity_opts *o = st->o;
	_cleanup_free_ char *dir = NULL, *path = NULL;
	_cleanup_close_ int fd = -1;
	char when[32];

	if (!st->n_bad && !st->error)
		return;
	if (o->log_file && !*o->log_file)
		return;
	if (o->log_file) {
		path = apo_xstrdup(o->log_file);
	} else {
		dir = apo_env_log_dir(o->env ? o->env : "default");
		if (apo_mkdir_p(dir, 0750) < 0)
			return;
		path = apo_env_log_file(o->env ? o->env : "default", "integrity.log");
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return;
	iso_now(when, sizeof(when));
	if (st->error) {
		_cleanup_free_ char *line =
		    apo_xasprintf("%s\t%s\t%s\t%s\tunavailable: %s\n", when, st->fqdn,
				  o->manifest ? o->manifest : "-", "manifest", st->error);
		(void)!write(fd, line, strlen(line));
	}
	for (size_t i = 0; i < st->n_bad; i++) {
		const struct apo_integrity_bad *b = &st->bad[i];
		_cleanup_free_ char *line = apo_xasprintf("%s\t%s\t%s\t%s\t%s\n", when, st->fqdn,
							  b->path, b->expected, b->actual);
		(void)!write(fd, line, strlen(line));
	}
}

struct loader {
	struct apo_integrity_station *st;
	struct apo_manifest **m;
	size_t n;
	atomic_size_t next;
};

static void *load_worker(void *arg)
{
	struct loader *l = arg;
	size_t i;
	while ((i = atomic_fetch_add(&l->next, 1)) < l->n) {
		char *why = NULL;
		l->st[i].rc = apo_integrity_load(l->st[i].o, &l->m[i], &why);
		l->st[i].error = why;
	}
	return NULL;
}

static void load_all(struct apo_integrity_station *st, struct apo_manifest **m, size_t n)
{
	struct loader l = {.st = st, .m = m, .n = n};
	pthread_t t[LOAD_THREADS];
	size_t nt = n < LOAD_THREADS ? n : LOAD_THREADS, started = 0;

	atomic_init(&l.next, 0);
	for (size_t i = 1; i < nt; i++) {
		if (pthread_create(&t[started], NULL, load_worker, &l))
			break;
		started++;
	}
	load_worker(&l);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}

/* Does path exist in dir itself (not following a symlink at its end)? */
static bool present_in(int dirfd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	while (*path == '/')
		path++;
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Keeps the entries of m whose path exists in dir (see only_in); a
 * directory that does not exist (a writable layer never used) keeps
 * none. */
static void keep_present(struct apo_manifest *m, const char *dir)
{
	int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	size_t kept = 0;

	for (size_t k = 0; k < m->n; k++) {
		if (dirfd >= 0 && present_in(dirfd, m->entries[k].path))
			m->entries[kept++] = m->entries[k];
		else
			free(m->entries[k].path);
	}
	m->n = kept;
	if (dirfd >= 0)
		close(dirfd);
}

int apo_integrity_check_many(struct apo_integrity_station *st, size_t n, unsigned threads)
{
	struct apo_manifest **m = apo_xcalloc(n ? n : 1, sizeof(*m));
	int *rootfd = apo_xcalloc(n ? n : 1, sizeof(*rootfd));
	struct apo_hash_job *jobs = NULL;
	int *roots = NULL;
	size_t nj = 0, first = 0, total = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		st[i].rc = 0;
		st[i].error = NULL;
		st[i].n_checked = 0;
		st[i].unsealed = false;
		rootfd[i] = -1;
	}
	load_all(st, m, n);
	for (size_t i = 0; i < n; i++) {
		if (st[i].rc == -ENOENT && st[i].o->optional && !st[i].o->public_key) {
			st[i].rc = 0;
			st[i].unsealed = true;
			free(st[i].error);
			st[i].error = NULL;
		}
		if (st[i].rc < 0 || st[i].unsealed)
			continue;
		if (st[i].only_in)
			keep_present(m[i], st[i].only_in);
		rootfd[i] = apo_sha256_root_open(st[i].root);
		if (rootfd[i] < 0) {
			st[i].rc = rootfd[i];
			st[i].error =
			    apo_xasprintf("root %s: %s", st[i].root, strerror(-rootfd[i]));
			continue;
		}
		total += m[i]->n;
	}
	/* one pool over every station's files: a station with one big file
	 * does not leave the other CPUs idle */
	jobs = apo_xcalloc(total ? total : 1, sizeof(*jobs));
	roots = apo_xcalloc(total ? total : 1, sizeof(*roots));
	for (size_t i = 0; i < n; i++) {
		if (rootfd[i] < 0)
			continue;
		for (size_t k = 0; k < m[i]->n; k++) {
			jobs[nj].path = m[i]->entries[k].path;
			roots[nj++] = rootfd[i];
		}
	}
	rc = apo_sha256_many(jobs, roots, nj, threads);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			if (st[i].rc == 0) {
				st[i].rc = rc;
				st[i].error = apo_xstrdup("cannot hash: OpenSSL has no SHA-256");
			}
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (rootfd[i] < 0)
			continue;
		for (size_t k = 0; k < m[i]->n; k++)
			compare(&st[i], &m[i]->entries[k], &jobs[first + k]);
		first += m[i]->n;
		st[i].n_checked = m[i]->n;
		if (st[i].n_bad)
			st[i].rc = -EBADMSG;
	}
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		log_station(&st[i]);
		if (st[i].rc < 0 && rc == 0)
			rc = st[i].rc;
		apo_manifest_free(m[i]);
		if (rootfd[i] >= 0)
			close(rootfd[i]);
	}
	free(jobs);
	free(roots);
	free(rootfd);
	free(m);
	return rc;
}

char *apo_integrity_summary(const struct apo_integrity_station *st)
{
	char *s;
	if (st->error)
		return apo_xasprintf("%s: integrity: %s", st->fqdn, st->error);
	if (st->unsealed)
		return apo_xasprintf("%s: integrity: not sealed (no %s)", st->fqdn,
				     st->o->manifest);
	if (!st->n_bad)
		return apo_xasprintf("%s: integrity: %zu files ok", st->fqdn, st->n_checked);
	s = apo_xasprintf("%s: integrity:", st->fqdn);
	for (size_t i = 0; i < st->n_bad; i++) {
		char *t =
		    apo_xasprintf("%s%s %s: %s", s, i ? ";" : "", st->bad[i].path, st->bad[i].what);
		free(s);
		s = t;
	}
	return s;
}

int apo_integrity_check(const struct apo_integrity_opts *o, const char *station_fqdn,
			const char *root, char **why)
{
	struct apo_integrity_station st = {.o = o, .fqdn = station_fqdn, .root = root};
	int rc = apo_integrity_check_many(&st, 1, 0);

	*why = rc < 0 ? apo_integrity_summary(&st) : NULL;
	apo_integrity_station_clear(&st);
	return rc;
}

char *apo_integrity_normalize(const char *path)
{
	_cleanup_free_ char *p = NULL;
	char *out;
	size_t o = 0;

	if (path[0] != '/')
		return NULL;
	out = apo_xmalloc(strlen(path) + 1);
	for (const char *s = path; *s;) {
		while (*s == '/')
			s++;
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);
		if (n == 0)
			break;
		if (n == 1 && s[0] == '.') {
			s = e;
			continue;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			free(out);
			return NULL;
		}
		out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
		s = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	(void)p;
	return out;
}

static int open_dir_in_root(int rootfd, const char *path)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	long fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the files under directory `path` (recursively) to *files. */
static int expand_dir(int rootfd, const char *path, char ***files, size_t *n, size_t *cap,
		      int depth, char **why)
{
	int fd = open_dir_in_root(rootfd, path);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (fd < 0) {
		*why = apo_xasprintf("%s: %s", path, strerror(-fd));
		return fd;
	}
	if (depth > 64) {
		close(fd);
		*why = apo_xasprintf("%s: directories nested too deep", path);
		return -ELOOP;
	}
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		*why = apo_xasprintf("%s: %s", path, strerror(-rc));
		return rc;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *child =
		    apo_xasprintf("%s/%s", strcmp(path, "/") ? path : "", de->d_name);
		unsigned char type = de->d_type;
		if (type == DT_UNKNOWN) {
			struct stat sb;
			if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
				type = S_ISDIR(sb.st_mode) ? DT_DIR : DT_REG;
		}
		if (type == DT_DIR) {
			rc = expand_dir(rootfd, child, files, n, cap, depth + 1, why);
			if (rc < 0)
				break;
		} else {
			APO_PUSH(*files, *n, *cap, child);
			child = NULL;
		}
	}
	closedir(d);
	return rc;
}

int apo_integrity_seal(const char *root, char *const *paths, size_t n, unsigned threads,
		       struct apo_manifest **out, char **why)
{
	_cleanup_close_ int rootfd = apo_sha256_root_open(root);
	char **files = NULL;
	size_t nf = 0, cap = 0;
	struct apo_hash_job *jobs = NULL;
	int *roots = NULL;
	struct apo_manifest *m = NULL;
	int rc = 0;

	*out = NULL;
	*why = NULL;
	if (rootfd < 0) {
		*why = apo_xasprintf("root %s: %s", root, strerror(-rootfd));
		return rootfd;
	}
	for (size_t i = 0; i < n; i++) {
		char *p = apo_integrity_normalize(paths[i]);
		const char *problem =
		    p ? apo_manifest_path_problem(p) : "not an absolute path without '..'";
		if (problem) {
			*why = apo_xasprintf("%s: %s", paths[i], problem);
			free(p);
			rc = -EINVAL;
			goto out;
		}
		APO_PUSH(files, nf, cap, p);
	}
	/* directories become the files under them; duplicates go */
	for (size_t i = 0, n0 = nf; i < n0; i++) {
		int dfd = open_dir_in_root(rootfd, files[i]);
		if (dfd < 0)
			continue;
		close(dfd);
		rc = expand_dir(rootfd, files[i], &files, &nf, &cap, 0, why);
		if (rc < 0)
			goto out;
		free(files[i]);
		files[i] = NULL;
	}
	{
		size_t k = 0;
		for (size_t i = 0; i < nf; i++)
			if (files[i])
				files[k++] = files[i];
		nf = k;
	}
	if (nf)
		qsort(files, nf, sizeof(*files), cmp_str);
	{
		size_t k = 0;
		for (size_t i = 0; i < nf; i++) {
			if (k && !strcmp(files[k - 1], files[i])) {
				free(files[i]);
				continue;
			}
			files[k++] = files[i];
		}
		nf = k;
	}
	jobs = apo_xcalloc(nf ? nf : 1, sizeof(*jobs));
	roots = apo_xcalloc(nf ? nf : 1, sizeof(*roots));
	for (size_t i = 0; i < nf; i++) {
		const char *problem = apo_manifest_path_problem(files[i]);
		if (problem) {
			*why = apo_xasprintf("%s: %s", files[i], problem);
			rc = -EINVAL;
			goto out;
		}
		jobs[i].path = files[i];
		roots[i] = rootfd;
	}
	rc = apo_sha256_many(jobs, roots, nf, threads);
	if (rc < 0) {
		*why = apo_xstrdup("cannot hash: OpenSSL has no SHA-256");
		goto out;
	}
	m = apo_xcalloc(1, sizeof(*m));
	for (size_t i = 0; i < nf; i++) {
		if (is_absent(jobs[i].err)) {
			apo_manifest_add(m, files[i], true, NULL);
		} else if (jobs[i].err) {
			*why = apo_xasprintf("%s: unreadable: %s", files[i], reason(jobs[i].err));
			rc = jobs[i].err;
			goto out;
		} else {
			apo_manifest_add(m, files[i], false, jobs[i].digest);
		}
	}
	*out = m;
	m = NULL;
out:
	apo_manifest_free(m);
	for (size_t i = 0; i < nf; i++)
		free(files[i]);
	free(files);
	free(jobs);
	free(roots);
	return rc;
}
