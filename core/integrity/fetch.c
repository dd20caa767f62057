/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "integrity/fetch.h"
#include "base/dl-curl.h"
#include "base/fs.h"
#include "base/util.h"

#define DEFAULT_MAX (64u << 20)
/* SHA-256 of the empty body: S3 wants the payload hash in a header */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

void apo_buf_free(struct apo_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static int has_prefix(const char *s, const char *p)
{
	return !strncasecmp(s, p, strlen(p));
}

int apo_fetch_is_remote(const char *src)
{
	return has_prefix(src, "http://") || has_prefix(src, "https://") ||
	       has_prefix(src, "ftp://") || has_prefix(src, "ftps://") || has_prefix(src, "s3://");
}

char *apo_fetch_redact(const char *src)
{
	CURLU *u;
	char *out = NULL, *pw = NULL;

	if (!apo_fetch_is_remote(src) || has_prefix(src, "s3://"))
		return apo_xstrdup(src);
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, src, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		curl_free(pw);
		curl_url_set(u, CURLUPART_PASSWORD, "***", 0);
	}
	char *s = NULL;
	if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
		out = apo_xstrdup(s);
		curl_free(s);
	}
out:
	curl_url_cleanup(u);
	return out ? out : apo_xstrdup(src);
}

static int read_file(const char *path, size_t max, struct apo_buf *out, char **why)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		*why = apo_xasprintf("%s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = apo_xasprintf("%s: not a regular file", path);
		return -EINVAL;
	}
	char *buf;
	size_t len;
	int rc = apo_read_fd(fd, max, &buf, &len);
	if (rc == -EFBIG)
		*why = apo_xasprintf("%s: larger than %zu bytes", path, max);
	else if (rc < 0)
		*why = apo_xasprintf("%s: %s", path, strerror(-rc));
	if (rc < 0)
		return rc;
	out->data = buf;
	out->len = len;
	return 0;
}

struct sink {
	struct apo_buf b;
	size_t cap, max;
	int too_big;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct sink *s = ctx;
	size_t n = size * nmemb;

	if (s->b.len + n > s->max) {
		s->too_big = 1;
		return 0;
	}
	if (s->b.len + n + 1 > s->cap) {
		while (s->b.len + n + 1 > s->cap)
			s->cap = s->cap ? s->cap * 2 : 4096;
		s->b.data = apo_xreallocarray(s->b.data, s->cap, 1);
	}
	memcpy(s->b.data + s->b.len, p, n);
	s->b.len += n;
	s->b.data[s->b.len] = '\0';
	return n;
}

static const char *env_first(const char *a, const char *b)
{
	const char *v = a ? getenv(a) : NULL;
	if (v && *v)
		return v;
	v = b ? getenv(b) : NULL;
	return v && *v ? v : NULL;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The S3 request: path-style URL against the endpoint, SigV4 signing. */
struct s3req {
	char *url;
	char *userpwd;
	char *sigv4;
	struct curl_slist *headers;
};

static void s3req_clear(struct s3req *r)
{
	free(r->url);
	free(r->userpwd);
	free(r->sigv4);
	curl_slist_free_all(r->headers);
}

static int s3_prepare(CURL *c, const char *src, const struct apo_fetch_opts *o, struct s3req *r,
		      char **why)
{
	const char *bucket = src + strlen("s3://");
	const char *slash = strchr(bucket, '/');
	const char *region =
	    o->s3.region ? o->s3.region : env_first("AWS_REGION", "AWS_DEFAULT_REGION");
	const char *endpoint =
	    o->s3.endpoint ? o->s3.endpoint : env_first("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
	const char *id =
	    o->s3.access_key_id ? o->s3.access_key_id : env_first("AWS_ACCESS_KEY_ID", NULL);
	const char *secret = o->s3.secret_access_key ? o->s3.secret_access_key
						     : env_first("AWS_SECRET_ACCESS_KEY", NULL);
	const char *token =
	    o->s3.session_token ? o->s3.session_token : env_first("AWS_SESSION_TOKEN", NULL);
	_cleanup_free_ char *ep = NULL, *bk = NULL;
	char *key;

	if (!slash || slash == bucket || !slash[1]) {
		*why = apo_xasprintf("%s: expected s3://BUCKET/KEY", src);
		return -EINVAL;
	}
	if (!id || !secret) {
		*why = apo_xasprintf(
		    "%s: no S3 credentials (set integrity.s3.access_key_id and "
		    "secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
		    src);
		return -EINVAL;
	}
	if (!region)
		region = "us-east-1";
	if (!endpoint)
		endpoint = ep = apo_xasprintf("https://s3.%s.amazonaws.com", region);
	size_t elen = strlen(endpoint);
	while (elen && endpoint[elen - 1] == '/')
		elen--;
	bk = apo_xstrndup(bucket, (size_t)(slash - bucket));
	/* keys are signed as sent: escape each segment, keep the slashes */
	key = curl_easy_escape(c, bk, 0);
	char *url = apo_xasprintf("%.*s/%s", (int)elen, endpoint, key);
	curl_free(key);
	for (const char *s = slash + 1;;) {
		const char *e = strchrnul(s, '/');
		char *seg = curl_easy_escape(c, s, (int)(e - s));
		char *u2 = apo_xasprintf("%s/%s", url, seg);
		curl_free(seg);
		free(url);
		url = u2;
		if (!*e)
			break;
		s = e + 1;
	}
	r->url = url;
	r->userpwd = apo_xasprintf("%s:%s", id, secret);
	r->sigv4 = apo_xasprintf("aws:amz:%s:s3", region);
	r->headers = curl_slist_append(r->headers, "x-amz-content-sha256: " EMPTY_SHA256);
	if (token) {
		_cleanup_free_ char *h = apo_xasprintf("x-amz-security-token: %s", token);
		r->headers = curl_slist_append(r->headers, h);
	}
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_USERPWD, r->userpwd);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, r->sigv4);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->headers);
	return 0;
}

/* "<Code>NoSuchKey</Code>" from an S3 error body, if any. */
static char *s3_code(const struct apo_buf *b)
{
	const char *s, *e;
	if (!b->data || !(s = strstr(b->data, "<Code>")))
		return NULL;
	s += strlen("<Code>");
	e = strstr(s, "</Code>");
	if (!e || e - s > 64)
		return NULL;
	return apo_xstrndup(s, (size_t)(e - s));
}

static int transient(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status >= 500 || status == 429;
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_FTP_ACCEPT_TIMEOUT:
		return 1;
	default:
		return 0;
	}
}

static int errno_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return -ENOENT;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_LOGIN_DENIED:
	case CURLE_REMOTE_ACCESS_DENIED:
		return -EACCES;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		return -EPROTO;
	case CURLE_WRITE_ERROR:
		return -EFBIG;
	default:
		return -EIO;
	}
}

static int fetch_url(const char *src, const struct apo_fetch_opts *o, struct apo_buf *out,
		     char **why)
{
	_cleanup_free_ char *shown = apo_fetch_redact(src);
	int is_s3 = has_prefix(src, "s3://");
	int retries = o->retries < 0 ? 2 : o->retries;
	unsigned delay_ms = 250;
	_cleanup_free_ char *nolib = NULL;
	int rc = apo_curl_open(&nolib);

	if (rc < 0) {
		*why = apo_xasprintf("%s: %s", shown, nolib);
		return rc;
	}
	rc = -EIO;
	pthread_once(&curl_once, curl_init);
	for (int attempt = 0;; attempt++) {
		struct sink s = {.max = o->max_size ? o->max_size : DEFAULT_MAX};
		struct s3req r = {0};
		char err[CURL_ERROR_SIZE] = "";
		long status = 0;
		CURLcode cc;
		CURL *c = curl_easy_init();

		if (!c) {
			*why = apo_xasprintf("%s: cannot initialise libcurl", shown);
			return -ENOMEM;
		}
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85 */
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps");
#else
		curl_easy_setopt(
		    c, CURLOPT_PROTOCOLS,
		    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FTP | CURLPROTO_FTPS));
#endif
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
				 o->connect_timeout > 0 ? o->connect_timeout : 10L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout > 0 ? o->timeout : 60L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "apomon/" PACKAGE_VERSION);
		if (o->ca_file)
			curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
		if (is_s3) {
			rc = s3_prepare(c, src, o, &r, why);
			if (rc < 0) {
				curl_easy_cleanup(c);
				s3req_clear(&r);
				return rc;
			}
		} else {
			curl_easy_setopt(c, CURLOPT_URL, src);
			/* redirects are followed only between http and https */
			curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
			curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
			curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
			curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
					 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
			if (o->user)
				curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
			if (o->password)
				curl_easy_setopt(c, CURLOPT_PASSWORD, o->password);
		}
		cc = curl_easy_perform(c);
		if (cc == CURLE_OK && !has_prefix(src, "ftp"))
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(c);
		s3req_clear(&r);

		if (cc == CURLE_OK && status < 400) {
			if (!s.b.data)
				s.b.data = apo_xstrdup("");
			*out = s.b;
			return 0;
		}
		free(*why);
		if (s.too_big) {
			*why = apo_xasprintf("%s: larger than %zu bytes", shown, s.max);
			rc = -EFBIG;
		} else if (cc == CURLE_OK) {
			_cleanup_free_ char *code = is_s3 ? s3_code(&s.b) : NULL;
			*why = code ? apo_xasprintf("%s: HTTP %ld (%s)", shown, status, code)
				    : apo_xasprintf("%s: HTTP %ld", shown, status);
			rc = status == 404		      ? -ENOENT
			     : status == 401 || status == 403 ? -EACCES
							      : -EIO;
		} else {
			*why = apo_xasprintf("%s: %s", shown, *err ? err : curl_easy_strerror(cc));
			rc = errno_of(cc);
		}
		apo_buf_free(&s.b);
		if (attempt >= retries || !transient(cc, status))
			return rc;
		struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		if (delay_ms < 4000)
			delay_ms *= 2;
	}
}

int apo_fetch(const char *src, const struct apo_fetch_opts *o, struct apo_buf *out, char **why)
{
	static const struct apo_fetch_opts defaults = {.retries = -1};

	*why = NULL;
	out->data = NULL;
	out->len = 0;
	if (!o)
		o = &defaults;
	if (apo_fetch_is_remote(src))
		return fetch_url(src, o, out, why);
	if (has_prefix(src, "file://")) {
		const char *p = src + strlen("file://");
		if (has_prefix(p, "localhost/"))
			p += strlen("localhost");
		if (*p != '/') {
			*why = apo_xasprintf("%s: expected file:///PATH", src);
			return -EINVAL;
		}
		return read_file(p, o->max_size ? o->max_size : DEFAULT_MAX, out, why);
	}
	if (strstr(src, "://")) {
		*why = apo_xasprintf("%s: unsupported scheme, expected a path, file://, http://, "
				     "https://, ftp:// or s3://",
				     src);
		return -EINVAL;
	}
	return read_file(src, o->max_size ? o->max_size : DEFAULT_MAX, out, why);
}
