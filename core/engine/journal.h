/* SPDX-License-Identifier: MIT */
/*
 * The state of one environment under /run/apomon/ENV/ (core/base/paths.h):
 *
 *   lock     flock(2)ed for the whole of an `up` or `down`; it holds
 *            "PID COMMAND" of its holder so that others can say who.
 *   journal  append-only text, one record a line:
 *              begin PID COMMAND
 *              intent KIND NAME [DETAIL]   before the object is created
 *              done KIND NAME              after the kernel said yes
 *              fail KIND NAME              the kernel said no: not ours
 *              complete                    the whole `up` succeeded
 *            An intent always reaches the file before the object exists,
 *            so after a crash (kill -9 at any point) `down` knows of
 *            everything that may exist.
 *
 * KIND is a word (bridge, netns, veth; other parts add theirs: mount,
 * process, ...), NAME and DETAIL have no white space.
 */
#ifndef APO_JOURNAL_H
#define APO_JOURNAL_H

#include <stdbool.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

enum apo_jstate {
	APO_J_INTENT, /* journaled; may or may not exist */
	APO_J_DONE,   /* created */
	APO_J_FAIL,   /* creation refused: must not be removed */
};

struct apo_jentry {
	char *kind, *name, *detail; /* detail may be NULL */
	enum apo_jstate state;
};

struct apo_journal {
	char *env;
	char *dir;   /* /run/apomon/ENV */
	int lock_fd; /* flock held */
	int fd;	     /* the journal, O_APPEND; -1 when not open */
	/* what the file says, in intent order */
	struct apo_jentry *entries;
	size_t n, cap;
	bool complete;	    /* a `complete` record */
	pid_t begun_by;	    /* the last `begin` record's PID; 0: none */
	char begun_cmd[16]; /* and its COMMAND: "up", "reconcile" */
	size_t begun_at;    /* entries[begun_at..n): recorded after it */
	/* the pending batch; the mutex makes queueing and syncing safe
	 * from worker threads */
	pthread_mutex_t mutex;
	char *buf;
	size_t len, buf_cap;
};

/*
 * Takes the environment's lock, creating /run/apomon/ENV as needed, and
 * reads its journal when there is one.  Fails fast with -EBUSY when
 * another process holds the lock; *busy_msg then says who:
 * "environment 'x' is busy (pid N is running up)" (caller frees).
 * command: "up" or "down", recorded in the lock for the others.
 */
int apo_journal_open(const char *env, const char *command, struct apo_journal **out,
		     char **busy_msg);

/*
 * Reads the records of DATA (LEN bytes, the journal file PATH) into j.
 * A torn last line (no '\n': a crash mid-write) is ignored; any other
 * line that is not a record the writer makes -- a NUL byte, an unknown
 * verb, a wrong number of fields, a done without its intent -- is
 * refused: -EBADMSG with *why "PATH:LINE: what" (caller frees).
 * apo_journal_open() refuses such a journal the same way (*busy_msg).
 */
int apo_journal_parse(struct apo_journal *j, const char *path, const char *data, size_t len,
		      char **why);

/* True when the environment has a journal (something may exist). */
bool apo_journal_exists(const struct apo_journal *j);

/* Starts a journal (for `up`): writes "begin PID COMMAND" (fsync'd). */
int apo_journal_begin(struct apo_journal *j, const char *command);

/*
 * Queue records into the pending batch (thread-safe).  A worker that
 * creates one object at a time flushes its intent right before the
 * object: write(2) puts it in the file, which survives the process being
 * killed at any point after.  apo_journal_sync also fsyncs, once a batch
 * (a phase): a power loss takes the namespaces with it anyway (and /run
 * is usually tmpfs).  A done may ride with a later batch: a lost done only
 * makes `down` try to remove an object that is ours anyway.  A fail is
 * flushed at once: it protects an object that is not ours.
 */
void apo_journal_intent(struct apo_journal *j, const char *kind, const char *name,
			const char *detail);
void apo_journal_done(struct apo_journal *j, const char *kind, const char *name);
void apo_journal_fail(struct apo_journal *j, const char *kind, const char *name);
int apo_journal_flush(struct apo_journal *j); /* write(2) */
int apo_journal_sync(struct apo_journal *j);  /* write(2) + fsync(2) */

/* Writes "complete" (fsync'd). */
int apo_journal_complete(struct apo_journal *j);

/* After a successful `down`: removes the journal, the lock and the
 * directory (other parts' files in it must be gone by then). */
int apo_journal_remove(struct apo_journal *j);

/* Releases the lock and frees; NULL-safe. */
void apo_journal_close(struct apo_journal *j);

/* The environment other than self whose journal made object KIND NAME
 * (an "intent KIND NAME" line), for a message about a clash; NULL when
 * none did (caller frees).  Reads without any lock: a hint, not a
 * verdict. */
char *apo_journal_owner(const char *kind, const char *name, const char *self);

#endif
