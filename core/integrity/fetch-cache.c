/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "integrity/fetch.h"
#include "base/util.h"

struct entry {
	char *key; /* the source and every option that decides what it returns */
	int rc;	   /* 0, or -ENOENT */
	struct apo_buf doc;
	char *why; /* with -ENOENT: what apo_fetch said */
};

struct apo_fetch_cache {
	pthread_mutex_t lock;
	struct entry *e;
	size_t n, cap;
};

struct apo_fetch_cache *apo_fetch_cache_new(void)
{
	struct apo_fetch_cache *c = apo_xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void apo_fetch_cache_free(struct apo_fetch_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].key);
		free(c->e[i].why);
		apo_buf_free(&c->e[i].doc);
	}
	free(c->e);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static const char *s(const char *v)
{
	return v ? v : "";
}

/* Another CA file or login may get another answer (or none): part of the
 * key, so that one station's trust never stands in for another's. */
static char *key_of(const char *src, const struct apo_fetch_opts *o)
{
	if (!o)
		return apo_xstrdup(src);
	return apo_xasprintf("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%zu", src, s(o->ca_file),
			     s(o->user), s(o->password), s(o->s3.region), s(o->s3.endpoint),
			     s(o->s3.access_key_id), s(o->s3.secret_access_key),
			     s(o->s3.session_token), o->max_size);
}

static void copy_out(const struct entry *e, struct apo_buf *out)
{
	out->len = e->doc.len;
	out->data = apo_xmalloc(e->doc.len + 1);
	if (e->doc.len)
		memcpy(out->data, e->doc.data, e->doc.len);
	out->data[e->doc.len] = '\0';
}

int apo_fetch_cached(struct apo_fetch_cache *c, const char *src, const struct apo_fetch_opts *o,
		     struct apo_buf *out, char **why)
{
	_cleanup_free_ char *key = NULL;
	struct entry e = {0};
	int rc;

	if (!c || !apo_fetch_is_remote(src))
		return apo_fetch(src, o, out, why);
	key = key_of(src, o);
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->e[i].key, key))
			continue;
		rc = c->e[i].rc;
		*why = NULL;
		out->data = NULL;
		out->len = 0;
		if (rc == 0)
			copy_out(&c->e[i], out);
		else
			*why = apo_xstrdup(c->e[i].why ? c->e[i].why : "not found");
		pthread_mutex_unlock(&c->lock);
		return rc;
	}
	pthread_mutex_unlock(&c->lock);

	/* not under the lock: stations fetch in parallel */
	rc = apo_fetch(src, o, out, why);
	if (rc < 0 && rc != -ENOENT)
		return rc; /* a failure is not kept: the start fails anyway */
	e.key = key;
	key = NULL;
	e.rc = rc;
	if (rc == 0)
		copy_out(&(struct entry){.doc = *out}, &e.doc);
	else if (*why)
		e.why = apo_xstrdup(*why);
	pthread_mutex_lock(&c->lock);
	APO_PUSH(c->e, c->n, c->cap, e);
	pthread_mutex_unlock(&c->lock);
	return rc;
}
