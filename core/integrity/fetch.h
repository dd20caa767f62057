/* SPDX-License-Identifier: MIT */
/*
 * Fetching a manifest (or its signature) from where the config says:
 * a file path, file://, http://, https://, ftp:// or s3://BUCKET/KEY.
 */
#ifndef APO_FETCH_H
#define APO_FETCH_H

#include <stddef.h>

struct apo_fetch_opts {
	const char *ca_file;  /* https: trust these CAs instead of the system's */
	long connect_timeout; /* seconds; 0: 10 */
	long timeout;	      /* seconds, whole transfer; 0: 60 */
	int retries;	      /* extra attempts on transient failures; < 0: 2 */
	const char *user;     /* ftp/http login unless the URL has one */
	const char *password;
	struct {
		/* each NULL: from the AWS environment variables */
		const char *region;	       /* AWS_REGION, AWS_DEFAULT_REGION, us-east-1 */
		const char *endpoint;	       /* AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS */
		const char *access_key_id;     /* AWS_ACCESS_KEY_ID */
		const char *secret_access_key; /* AWS_SECRET_ACCESS_KEY */
		const char *session_token;     /* AWS_SESSION_TOKEN */
	} s3;
	size_t max_size; /* refuse larger documents; 0: 64 MiB */
};

struct apo_buf {
	char *data; /* NUL-terminated for convenience; len excludes it */
	size_t len;
};

void apo_buf_free(struct apo_buf *b);

/* True when src is a URL apomon fetches with libcurl (not a file path). */
int apo_fetch_is_remote(const char *src);

/*
 * Fetches src into out.  Returns 0; -ENOENT when the server or the file
 * system says it does not exist (HTTP 404, S3 NoSuchKey, FTP 550, ENOENT);
 * another negative errno otherwise.  On error *why is one line naming
 * the source (without its password) and the cause:
 *   https://h/m: SSL certificate problem: unable to get local issuer certificate
 */
int apo_fetch(const char *src, const struct apo_fetch_opts *o, struct apo_buf *out, char **why);

/*
 * The documents of one station start, fetched once: the check before
 * render and the one after it ask for the same manifest (and signature).
 * A remote source's bytes, or its -ENOENT, are kept and handed out again
 * as a copy; what uses them verifies and parses them each time.  Local
 * files are read each time, as apo_fetch does.  Thread-safe; free with
 * apo_fetch_cache_free (NULL accepted).
 */
struct apo_fetch_cache;
struct apo_fetch_cache *apo_fetch_cache_new(void);
void apo_fetch_cache_free(struct apo_fetch_cache *c);

/* apo_fetch through c (NULL: apo_fetch itself). */
int apo_fetch_cached(struct apo_fetch_cache *c, const char *src, const struct apo_fetch_opts *o,
		     struct apo_buf *out, char **why);

/* src without a password, for messages; caller frees. */
char *apo_fetch_redact(const char *src);

#endif
