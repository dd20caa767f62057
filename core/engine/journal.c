/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/journal.h"
#include "base/paths.h"
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

static void record(struct apo_journal *j, char *line)
{
	char *save, *verb = strtok_r(line, " \n", &save);
	char *kind = strtok_r(NULL, " \n", &save);
	char *name = strtok_r(NULL, " \n", &save);
	char *detail = strtok_r(NULL, " \n", &save);

	if (!verb)
		return;
	if (!strcmp(verb, "begin")) {
		j->begun_by = kind ? (pid_t)atoi(kind) : 0;
		j->complete = false;
	} else if (!strcmp(verb, "complete")) {
		j->complete = true;
	} else if (kind && name && !strcmp(verb, "intent")) {
		struct apo_jentry e = {apo_xstrdup(kind), apo_xstrdup(name),
				       detail ? apo_xstrdup(detail) : NULL, APO_J_INTENT};
		APO_PUSH(j->entries, j->n, j->cap, e);
	} else if (kind && name && (!strcmp(verb, "done") || !strcmp(verb, "fail"))) {
		struct apo_jentry *e = find(j, kind, name);
		if (e)
			e->state = verb[0] == 'd' ? APO_J_DONE : APO_J_FAIL;
	}
	/* a torn last line (crash mid-write) is simply ignored */
}

static int load(struct apo_journal *j)
{
	_cleanup_free_ char *path = jpath(j, "journal");
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &cap, f) > 0) {
		if (line[strlen(line) - 1] != '\n')
			break; /* torn */
		record(j, line);
	}
	free(line);
	fclose(f);
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
	if ((r = load(j)) < 0)
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
	record(j, s);
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
