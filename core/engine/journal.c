/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/journal.h"
#include "base/paths.h"
#include "base/fs.h"
#include "base/util.h"

static char *jpath(const struct apo_journal *j, const char *file)
{
	return apo_xasprintf("%s/%s", j->dir, file);
}

static struct apo_jentry *find(struct apo_journal *j, const char *kind, const char *name)
{
	/* from the end: the latest intent of that object is the one */
	for (size_t i = j->n; i-- > 0;)
		if (!strcmp(j->entries[i].kind, kind) && !strcmp(j->entries[i].name, name))
			return &j->entries[i];
	return NULL;
}

/* a journal word: printable ASCII, no blank (names, paths, numbers) */
static bool word_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* One complete line (without its '\n'); NULL, or what is wrong with it. */
static const char *record(struct apo_journal *j, char *line, size_t len)
{
	char *f[5];
	size_t n = 0;

	if (memchr(line, '\0', len))
		return "a NUL byte";
	if (!len)
		return "an empty line";
	/* fields separated by one blank: the writer never makes others */
	for (char *p = line;;) {
		if (n == APO_ARRAY_SIZE(f))
			return "too many fields";
		f[n++] = p;
		char *sp = strchr(p, ' ');
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!word_ok(f[i]))
			return "an empty field or a control character";
	const char *verb = f[0];
	if (!strcmp(verb, "begin")) {
		char *end;
		if (n != 3)
			return "begin: expected 'begin PID COMMAND'";
		errno = 0;
		long pid = strtol(f[1], &end, 10);
		if (*end || errno || pid <= 0 || pid > INT32_MAX)
			return "begin: the PID is not a number";
		j->begun_by = (pid_t)pid;
		snprintf(j->begun_cmd, sizeof(j->begun_cmd), "%s", f[2]);
		j->begun_at = j->n;
		j->complete = false;
	} else if (!strcmp(verb, "complete")) {
		if (n != 1)
			return "complete: expected nothing after it";
		j->complete = true;
	} else if (!strcmp(verb, "intent")) {
		if (n != 3 && n != 4)
			return "intent: expected 'intent KIND NAME [DETAIL]'";
		struct apo_jentry e = {apo_xstrdup(f[1]), apo_xstrdup(f[2]),
				       n == 4 ? apo_xstrdup(f[3]) : NULL, APO_J_INTENT};
		APO_PUSH(j->entries, j->n, j->cap, e);
	} else if (!strcmp(verb, "done") || !strcmp(verb, "fail")) {
		if (n != 3)
			return "done/fail: expected 'VERB KIND NAME'";
		/* without its intent: nothing to mark (as before) */
		struct apo_jentry *e = find(j, f[1], f[2]);
		if (e)
			e->state = verb[0] == 'd' ? APO_J_DONE : APO_J_FAIL;
	} else {
		return "unknown record";
	}
	return NULL;
}

int apo_journal_parse(struct apo_journal *j, const char *path, const char *data, size_t len,
		      char **why)
{
	size_t lineno = 0;

	*why = NULL;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(data + off, '\n', len - off);
		lineno++;
		if (!nl)
			break; /* a torn last line (crash mid-write): never acted on */
		size_t l = (size_t)(nl - (data + off));
		char *line = apo_xstrndup(data + off, l);
		/* strndup stops at a NUL: keep the real length to see it */
		const char *what = strlen(line) != l ? "a NUL byte" : record(j, line, l);
		free(line);
		if (what) {
			*why = apo_xasprintf("%s:%zu: %s; not touching anything: inspect or "
					     "remove it by hand",
					     path, lineno, what);
			return -EBADMSG;
		}
		off += l + 1;
	}
	return 0;
}

static int load(struct apo_journal *j, char **why)
{
	_cleanup_free_ char *path = jpath(j, "journal");
	_cleanup_free_ char *data = NULL;
	size_t len = 0, cap = 0;
	char buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (len + (size_t)n > cap) {
			cap = (len + (size_t)n) * 2;
			data = apo_xreallocarray(data, cap, 1);
		}
		memcpy(data + len, buf, (size_t)n);
		len += (size_t)n;
	}
	int r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	if ((r = apo_journal_parse(j, path, data ? data : "", len, why)) < 0)
		return r;
	j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	return j->fd < 0 ? -errno : 0;
}

static bool read_holder(const char *lockpath, int *pid, char cmd[32])
{
	char buf[128] = "";
	int fd = open(lockpath, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return sscanf(buf, "%d %31s", pid, cmd) == 2;
}

static char *holder(const char *lockpath, const char *env)
{
	struct timespec ms = {0, 1000000};
	char cmd[32] = "";
	int pid = 0;

	/* the holder writes who it is right after taking the lock: poll
	 * the file for that, briefly (it takes microseconds) */
	for (int i = 0; i < 200; i++) {
		if (read_holder(lockpath, &pid, cmd))
			return apo_xasprintf("environment '%s' is busy (pid %d is running %s)", env,
					     pid, cmd);
		nanosleep(&ms, NULL);
	}
	return apo_xasprintf("environment '%s' is busy (another apomon holds %s)", env, lockpath);
}

int apo_journal_open(const char *env, const char *command, struct apo_journal **out,
		     char **busy_msg)
{
	struct apo_journal *j = apo_xcalloc(1, sizeof(*j));
	_cleanup_free_ char *lockpath = NULL;
	int r;

	*busy_msg = NULL;
	j->env = apo_xstrdup(env);
	j->dir = apo_env_run_dir(env);
	j->lock_fd = j->fd = -1;
	pthread_mutex_init(&j->mutex, NULL);
	lockpath = jpath(j, "lock");
	for (;;) {
		struct stat a, b;

		if ((r = apo_mkdir_p(j->dir, 0700)) < 0)
			goto fail;
		j->lock_fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (j->lock_fd < 0) {
			r = -errno;
			goto fail;
		}
		if (flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0) {
			r = -errno;
			if (r == -EWOULDBLOCK) {
				*busy_msg = holder(lockpath, env);
				r = -EBUSY;
			}
			goto fail;
		}
		/* a `down` that just finished removed the file we locked:
		 * start over on the new one */
		if (fstat(j->lock_fd, &a) == 0 && stat(lockpath, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			break;
		close(j->lock_fd);
		j->lock_fd = -1;
	}
	char who[64];
	int n = snprintf(who, sizeof(who), "%d %s\n", (int)getpid(), command);
	if (ftruncate(j->lock_fd, 0) < 0 || pwrite(j->lock_fd, who, n, 0) != n) {
		r = -errno;
		goto fail;
	}
	if ((r = load(j, busy_msg)) < 0)
		goto fail;
	*out = j;
	return 0;
fail:
	apo_journal_close(j);
	return r;
}

bool apo_journal_exists(const struct apo_journal *j)
{
	return j->fd >= 0;
}

static void append(struct apo_journal *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void append(struct apo_journal *j, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = apo_xvasprintf(fmt, ap);
	va_end(ap);
	size_t l = strlen(s);
	pthread_mutex_lock(&j->mutex);
	if (j->len + l + 1 > j->buf_cap) {
		j->buf_cap = (j->len + l + 1) * 2;
		j->buf = apo_xreallocarray(j->buf, j->buf_cap, 1);
	}
	memcpy(j->buf + j->len, s, l);
	j->len += l;
	/* keep the in-memory view in step with the file */
	if (l && s[l - 1] == '\n')
		s[--l] = '\0';
	record(j, s, l);
	pthread_mutex_unlock(&j->mutex);
	free(s);
}

static int write_locked(struct apo_journal *j, bool durable)
{
	size_t off = 0;

	if (!j->len)
		return 0;
	if (j->fd < 0)
		return -EBADF;
	while (off < j->len) {
		ssize_t w = write(j->fd, j->buf + off, j->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	j->len = 0;
	if (!durable)
		return 0;
	return fsync(j->fd) < 0 ? -errno : 0;
}

int apo_journal_sync(struct apo_journal *j)
{
	pthread_mutex_lock(&j->mutex);
	int r = write_locked(j, true);
	pthread_mutex_unlock(&j->mutex);
	return r;
}

int apo_journal_flush(struct apo_journal *j)
{
	pthread_mutex_lock(&j->mutex);
	int r = write_locked(j, false);
	pthread_mutex_unlock(&j->mutex);
	return r;
}

int apo_journal_begin(struct apo_journal *j, const char *command)
{
	if (j->fd < 0) {
		_cleanup_free_ char *path = jpath(j, "journal");
		j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (j->fd < 0)
			return -errno;
	}
	append(j, "begin %d %s\n", (int)getpid(), command);
	return apo_journal_sync(j);
}

void apo_journal_intent(struct apo_journal *j, const char *kind, const char *name,
			const char *detail)
{
	if (detail)
		append(j, "intent %s %s %s\n", kind, name, detail);
	else
		append(j, "intent %s %s\n", kind, name);
}

void apo_journal_done(struct apo_journal *j, const char *kind, const char *name)
{
	append(j, "done %s %s\n", kind, name);
}

void apo_journal_fail(struct apo_journal *j, const char *kind, const char *name)
{
	append(j, "fail %s %s\n", kind, name);
	apo_journal_flush(j);
}

int apo_journal_complete(struct apo_journal *j)
{
	append(j, "complete\n");
	return apo_journal_sync(j);
}

int apo_journal_remove(struct apo_journal *j)
{
	_cleanup_free_ char *jp = jpath(j, "journal");
	_cleanup_free_ char *lp = jpath(j, "lock");
	_cleanup_free_ char *prev = jpath(j, "previous");

	/* a rollback killed while it loaded the previous config left it */
	apo_rmtree(prev);
	if (unlink(jp) < 0 && errno != ENOENT)
		return -errno;
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	/* the lock goes last, still held: a waiter that opened it notices
	 * the inode changed and starts over */
	if (unlink(lp) < 0 && errno != ENOENT)
		return -errno;
	if (rmdir(j->dir) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

void apo_journal_close(struct apo_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	for (size_t i = 0; i < j->n; i++) {
		free(j->entries[i].kind);
		free(j->entries[i].name);
		free(j->entries[i].detail);
	}
	free(j->entries);
	free(j->buf);
	free(j->env);
	free(j->dir);
	pthread_mutex_destroy(&j->mutex);
	free(j);
}

/* True when FILE has the line "intent KIND NAME" or "intent KIND NAME ..." */
static bool has_intent(const char *file, const char *kind, const char *name)
{
	_cleanup_free_ char *want = apo_xasprintf("intent %s %s", kind, name);
	size_t wl = strlen(want);
	char line[512];
	bool found = false;
	FILE *f = fopen(file, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, wl) && (line[wl] == '\n' || line[wl] == ' ');
	fclose(f);
	return found;
}

char *apo_journal_owner(const char *kind, const char *name, const char *self)
{
	DIR *d = opendir(apo_run_dir());
	struct dirent *e;
	char *owner = NULL;

	if (!d)
		return NULL;
	while (!owner && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, self))
			continue;
		_cleanup_free_ char *file =
		    apo_xasprintf("%s/%s/journal", apo_run_dir(), e->d_name);
		if (has_intent(file, kind, name))
			owner = apo_xstrdup(e->d_name);
	}
	closedir(d);
	return owner;
}
