/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libconfig.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/oci-registry.h"
#include "image/oci-json.h"
#include "image/oci-unpack.h"
#include "base/fs.h"
#include "base/paths.h"
#include "base/time.h"
#include "base/util.h"

#define SMALL_MAX (4 * 1024 * 1024) /* manifests, indexes, configs */

#define ACCEPT_MANIFEST                                                                            \
	"Accept: application/vnd.oci.image.index.v1+json, "                                        \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.docker.distribution.manifest.v2+json"

struct reg {
	const struct apo_oci_pull *p;
	CURL *c;
	char *base; /* SCHEME://HOST/v2/REPO */
	bool insecure;
	char *ca;
	char *user, *pass; /* from the credentials file; NULL: none */
	char *bearer;	   /* a token got through the challenge */
	bool basic;	   /* the registry asked for Basic */
	char *challenge;   /* the last answer's WWW-Authenticate */
	char *ctype;	   /* the last answer's Content-Type */
	char curl_err[CURL_ERROR_SIZE];
	/* the live line (p->live): layers and bytes of this pull */
	size_t layer, layers;
	long long done, total;
	double drawn; /* when it was last drawn, ms */
};

/* Where an answer's body goes: memory, or a file hashed as it is written. */
struct sink {
	struct reg *r;
	char *buf;
	size_t n, max;
	int fd;
	EVP_MD_CTX *md;
	long long limit; /* -1: none */
	long long got;
	bool too_big;
	int werr;
	char err[512]; /* a non-2xx answer's body, for its error code */
	size_t n_err;
};

static int say(const struct reg *r, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int say(const struct reg *r, int rc, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "apomon: %s: ", r->p->text);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return rc;
}

const char *apo_oci_host_arch(void)
{
	static char arch[sizeof(((struct utsname *)0)->machine)];
	struct utsname u;

	uname(&u);
	if (!strcmp(u.machine, "x86_64"))
		return "amd64";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	snprintf(arch, sizeof(arch), "%s", u.machine);
	return arch;
}

/* ---- settings: the registries file and the credentials ---- */

static void load_settings(struct reg *r, char **authfile)
{
	const char *path = getenv("APOMON_REGISTRIES");
	_cleanup_free_ char *def = apo_xasprintf("%s/registries.conf", APO_CONFDIR);
	config_t cf;
	config_setting_t *list;
	const char *s;

	*authfile = NULL;
	if (!path)
		path = def;
	if (access(path, F_OK) < 0)
		return;
	config_init(&cf);
	if (config_read_file(&cf, path) != CONFIG_TRUE) {
		fprintf(stderr, "apomon: %s:%d: %s (registries file ignored)\n", path,
			config_error_line(&cf), config_error_text(&cf));
		config_destroy(&cf);
		return;
	}
	list = config_lookup(&cf, "registries");
	for (int i = 0; list && i < config_setting_length(list); i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		int insecure = 0;
		if (!config_setting_lookup_string(e, "host", &s) || strcmp(s, r->p->ref->registry))
			continue;
		if (config_setting_lookup_bool(e, "insecure", &insecure))
			r->insecure = insecure;
		if (config_setting_lookup_string(e, "ca", &s))
			r->ca = apo_xstrdup(s);
	}
	if (config_lookup_string(&cf, "auth", &s))
		*authfile = apo_xstrdup(s);
	config_destroy(&cf);
}

/* "https://HOST/v1/" and "HOST" name the same registry in auth files. */
static bool auth_key_matches(const char *key, const char *host)
{
	size_t n;

	if (!strncmp(key, "https://", 8))
		key += 8;
	else if (!strncmp(key, "http://", 7))
		key += 7;
	n = strcspn(key, "/");
	return n == strlen(host) && !strncmp(key, host, n);
}

static void load_credentials(struct reg *r, const char *configured)
{
	_cleanup_free_ char *xdg = NULL, *home = NULL;
	const char *path = configured;
	struct json_object *all = NULL, *auths, *v, *e;

	if (!path)
		path = getenv("REGISTRY_AUTH_FILE");
	if (!path && getenv("XDG_RUNTIME_DIR")) {
		xdg = apo_xasprintf("%s/containers/auth.json", getenv("XDG_RUNTIME_DIR"));
		if (access(xdg, R_OK) == 0)
			path = xdg;
	}
	if (!path && getenv("HOME")) {
		home = apo_xasprintf("%s/.docker/config.json", getenv("HOME"));
		path = home;
	}
	if (!path || access(path, F_OK) < 0 || !(all = json_object_from_file(path))) {
		if (configured)
			fprintf(stderr, "apomon: %s: credentials file unreadable (ignored)\n",
				configured);
		return;
	}
	if (json_object_object_get_ex(all, "auths", &auths) &&
	    json_object_is_type(auths, json_type_object)) {
		json_object_object_foreach(auths, key, val)
		{
			if (!auth_key_matches(key, r->p->ref->registry))
				continue;
			if (json_object_object_get_ex(val, "auth", &v) &&
			    json_object_is_type(v, json_type_string)) {
				const char *b64 = json_object_get_string(v);
				size_t len = strlen(b64);
				unsigned char *out = apo_xcalloc(len / 4 * 3 + 4, 1);
				int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
				char *colon;
				for (size_t i = len; n > 0 && i > 0 && b64[i - 1] == '='; i--)
					n--;
				if (n > 0 && (colon = memchr(out, ':', (size_t)n))) {
					r->user = apo_xstrndup((char *)out,
							       (size_t)(colon - (char *)out));
					r->pass = apo_xstrndup(
					    colon + 1,
					    (size_t)n - (size_t)(colon + 1 - (char *)out));
				}
				free(out);
			} else if (json_object_object_get_ex(val, "username", &v) &&
				   json_object_object_get_ex(val, "password", &e)) {
				r->user = apo_xstrdup(json_object_get_string(v));
				r->pass = apo_xstrdup(json_object_get_string(e));
			}
			break;
		}
	}
	json_object_put(all);
}

/* ---- HTTP ---- */

static bool status_ok(CURL *c)
{
	long st = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	return st >= 200 && st < 300;
}

/* One line on stderr, redrawn at most every 100 ms: layers and bytes. */
static void draw(struct reg *r, size_t n, bool force)
{
	double t = apo_now_ms();

	r->done += (long long)n;
	if (!force && t - r->drawn < 100)
		return;
	r->drawn = t;
	fprintf(stderr, "\r\033[K%s: layer %zu/%zu, %.1f/%.1f MB", r->p->text, r->layer, r->layers,
		(double)r->done / 1e6, (double)r->total / 1e6);
	fflush(stderr);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct sink *k = ctx;
	size_t n = size * nmemb;

	if (!status_ok(k->r->c)) {
		size_t room = sizeof(k->err) - 1 - k->n_err;
		memcpy(k->err + k->n_err, data, n < room ? n : room);
		k->n_err += n < room ? n : room;
		k->err[k->n_err] = '\0';
		return n;
	}
	k->got += (long long)n;
	if (k->fd >= 0 && k->r->p->live)
		draw(k->r, n, false);
	if ((k->limit >= 0 && k->got > k->limit) || (k->fd < 0 && k->n + n > k->max)) {
		k->too_big = true;
		return 0;
	}
	if (k->fd < 0) {
		memcpy(k->buf + k->n, data, n);
		k->n += n;
		k->buf[k->n] = '\0';
		return n;
	}
	EVP_DigestUpdate(k->md, data, n);
	if (apo_write_all(k->fd, data, n) < 0) {
		k->werr = -errno;
		return 0;
	}
	return n;
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t l = strlen(name);
	if (n <= l || strncasecmp(line, name, l) || line[l] != ':')
		return NULL;
	line += l + 1;
	n -= l + 1;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
		n--;
	return apo_xstrndup(line, n);
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ctx)
{
	struct reg *r = ctx;
	size_t n = size * nmemb;
	char *v;

	if (n >= 5 && !strncmp(line, "HTTP/", 5)) { /* a new answer (a redirect's next) */
		free(r->challenge);
		free(r->ctype);
		r->challenge = r->ctype = NULL;
	} else if ((v = header_value(line, n, "WWW-Authenticate"))) {
		free(r->challenge);
		r->challenge = v;
	} else if ((v = header_value(line, n, "Content-Type"))) {
		free(r->ctype);
		r->ctype = v;
	}
	return n;
}

/* "UNAUTHORIZED: authentication required" from a registry's error body. */
static char *error_text(const struct sink *k)
{
	struct json_object *o = json_tokener_parse(k->err), *errs, *e, *v;
	char *out = NULL;

	if (o && json_object_object_get_ex(o, "errors", &errs) &&
	    json_object_is_type(errs, json_type_array) && json_object_array_length(errs) &&
	    (e = json_object_array_get_idx(errs, 0))) {
		const char *code =
		    json_object_object_get_ex(e, "code", &v) ? json_object_get_string(v) : "error";
		const char *msg =
		    json_object_object_get_ex(e, "message", &v) ? json_object_get_string(v) : "";
		out = apo_xasprintf(" (%s: %s)", code, msg);
	}
	json_object_put(o);
	return out ? out : apo_xstrdup("");
}

/* bearer: a token to send; basic: send the credentials */
static int perform(struct reg *r, const char *url, const char *accept, struct sink *k,
		   const char *bearer, bool basic, long *status)
{
	struct curl_slist *h = NULL;
	_cleanup_free_ char *authz = NULL;
	CURLcode cc;

	if (accept)
		h = curl_slist_append(h, accept);
	if (bearer) {
		authz = apo_xasprintf("Authorization: Bearer %s", bearer);
		h = curl_slist_append(h, authz);
	}
	curl_easy_setopt(r->c, CURLOPT_URL, url);
	curl_easy_setopt(r->c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->c, CURLOPT_WRITEDATA, k);
	if (basic && r->user) {
		curl_easy_setopt(r->c, CURLOPT_USERNAME, r->user);
		curl_easy_setopt(r->c, CURLOPT_PASSWORD, r->pass);
		curl_easy_setopt(r->c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	} else {
		curl_easy_setopt(r->c, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(r->c, CURLOPT_PASSWORD, NULL);
	}
	r->curl_err[0] = '\0';
	cc = curl_easy_perform(r->c);
	curl_easy_setopt(r->c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	*status = 0;
	curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, status);
	if (cc == CURLE_WRITE_ERROR && (k->too_big || k->werr))
		return 0; /* the caller says which */
	if (cc != CURLE_OK)
		return -EIO;
	return 0;
}

/* key="value" out of a WWW-Authenticate challenge; caller frees. */
static char *challenge_param(const char *ch, const char *key)
{
	size_t l = strlen(key);

	for (const char *p = ch; (p = strcasestr(p, key)); p += l) {
		const char *end;
		if ((p != ch && p[-1] != ' ' && p[-1] != ',') || p[l] != '=')
			continue;
		p += l + 1;
		if (*p == '"') {
			end = strchr(++p, '"');
			return end ? apo_xstrndup(p, (size_t)(end - p)) : NULL;
		}
		return apo_xstrndup(p, strcspn(p, ", "));
	}
	return NULL;
}

static void sink_reset(struct sink *k)
{
	k->n = 0;
	k->got = 0;
	k->n_err = 0;
	k->err[0] = '\0';
	k->too_big = false;
	k->werr = 0;
	if (k->fd >= 0) {
		if (ftruncate(k->fd, 0) < 0 || lseek(k->fd, 0, SEEK_SET) < 0)
			k->werr = -errno;
		EVP_DigestInit_ex(k->md, EVP_sha256(), NULL);
	}
}

/* The token endpoint a Bearer challenge names; 0 with r->bearer set. */
static int get_token(struct reg *r, const char *what)
{
	_cleanup_free_ char *realm = challenge_param(r->challenge, "realm");
	_cleanup_free_ char *service = challenge_param(r->challenge, "service");
	_cleanup_free_ char *scope = challenge_param(r->challenge, "scope");
	_cleanup_free_ char *url = NULL, *etxt = NULL;
	char *e_service = NULL, *e_scope = NULL;
	struct sink k = {.r = r, .fd = -1, .limit = -1, .max = SMALL_MAX};
	struct json_object *o = NULL, *t;
	long st;
	int rc;

	if (!realm ||
	    (strncmp(realm, "https://", 8) && (!r->insecure || strncmp(realm, "http://", 7))))
		return say(r, -EACCES, "%s: 401 from %s asks for a token at %s, which is not %s",
			   what, r->p->ref->registry, realm ? realm : "(no realm)",
			   r->insecure ? "an http(s) URL" : "an https URL");
	if (!scope)
		scope = apo_xasprintf("repository:%s:pull", r->p->ref->repository);
	e_scope = curl_easy_escape(r->c, scope, 0);
	e_service = service ? curl_easy_escape(r->c, service, 0) : NULL;
	url = apo_xasprintf("%s%sscope=%s%s%s", realm, strchr(realm, '?') ? "&" : "?", e_scope,
			    e_service ? "&service=" : "", e_service ? e_service : "");
	curl_free(e_scope);
	curl_free(e_service);
	k.buf = apo_xmalloc(k.max + 1);
	/* the token endpoint gets the credentials, the registry only the token */
	rc = perform(r, url, NULL, &k, NULL, true, &st);
	if (rc < 0) {
		rc = say(r, -EIO, "%s: token from %s: %s", what, realm, r->curl_err);
		goto out;
	}
	if (st != 200) {
		etxt = error_text(&k);
		rc = say(r, st == 401 || st == 403 ? -EACCES : -EIO,
			 "%s: token from %s: HTTP %ld%s%s", what, realm, st, etxt,
			 r->user ? "" : " (no credentials for this registry)");
		goto out;
	}
	o = json_tokener_parse(k.buf);
	if (!(json_object_object_get_ex(o, "token", &t) ||
	      json_object_object_get_ex(o, "access_token", &t)) ||
	    !json_object_is_type(t, json_type_string)) {
		rc = say(r, -EBADMSG, "%s: token from %s: no token in the answer", what, realm);
		goto out;
	}
	free(r->bearer);
	r->bearer = apo_xstrdup(json_object_get_string(t));
	rc = 0;
out:
	json_object_put(o);
	free(k.buf);
	return rc;
}

/*
 * GET url into k; a 401 is answered once (Basic or Bearer, as the
 * challenge asks) and the request repeated.  0, or negative errno with
 * one line said.
 */
static int get(struct reg *r, const char *what, const char *url, const char *accept, struct sink *k)
{
	_cleanup_free_ char *etxt = NULL;
	long st;
	int rc;

	for (int round = 0;; round++) {
		sink_reset(k);
		if (k->werr)
			return say(r, k->werr, "%s: %s", what, strerror(-k->werr));
		rc = perform(r, url, accept, k, r->bearer, r->basic, &st);
		if (rc < 0)
			return say(r, -EIO, "%s: %s: %s%s", what, r->p->ref->registry,
				   r->curl_err[0] ? r->curl_err : "transfer failed",
				   !r->insecure && strstr(r->curl_err, "SSL")
				       ? " (a plain-HTTP registry must be marked insecure in the "
					 "registries file; a private CA named there as ca)"
				       : "");
		if (st != 401 || round > 0 || !r->challenge)
			break;
		if (!strncasecmp(r->challenge, "Bearer", 6)) {
			if ((rc = get_token(r, what)) < 0)
				return rc;
		} else if (!strncasecmp(r->challenge, "Basic", 5) && r->user) {
			r->basic = true;
		} else {
			break;
		}
	}
	if (k->werr)
		return say(r, k->werr, "%s: %s", what, strerror(-k->werr));
	if (k->too_big)
		return say(r, -EBADMSG, "%s: %s sent more than %lld bytes", what,
			   r->p->ref->registry, k->limit >= 0 ? k->limit : (long long)k->max);
	if (st >= 200 && st < 300)
		return 0;
	etxt = error_text(k);
	rc = st == 404 ? -ENOENT : st == 401 || st == 403 ? -EACCES : -EIO;
	return say(r, rc, "%s: HTTP %ld from %s%s%s", what, st, r->p->ref->registry, etxt,
		   st == 401 && !r->user ? " (no credentials for this registry)" : "");
}

/* ---- the pull ---- */

static int write_blob(struct reg *r, const char *digest, const char *data, size_t n)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/blobs/sha256/%s", r->p->dir, digest + 7);
	int rc = apo_write_file(p, data, n, 0644);
	return rc < 0 ? say(r, rc, "%s: %s", p, strerror(-rc)) : 0;
}

static bool digest_ok(const char *d)
{
	return d && !strncmp(d, "sha256:", 7) && strspn(d + 7, "0123456789abcdef") == 64 && !d[71];
}

/* A small blob or manifest into memory, checked against digest when given. */
static int get_small(struct reg *r, const char *what, const char *url, const char *accept,
		     const char *digest, char **data, size_t *n)
{
	struct sink k = {.r = r, .fd = -1, .limit = -1, .max = SMALL_MAX};
	int rc;

	k.buf = apo_xmalloc(k.max + 1);
	k.buf[0] = '\0';
	rc = get(r, what, url, accept, &k);
	if (rc == 0 && digest && apo_oci_digest_check(k.buf, k.n, digest) < 0) {
		_cleanup_free_ char *got = apo_oci_digest_of(k.buf, k.n);
		rc = say(r, -EBADMSG, "%s: digest mismatch (got %s, expected %s) from %s", what,
			 got, digest, r->p->ref->registry);
	}
	if (rc < 0) {
		free(k.buf);
		return rc;
	}
	*data = k.buf;
	*n = k.n;
	return 0;
}

/* A layer blob into the layout, hashed as it streams. */
static int get_layer(struct reg *r, const char *what, const char *digest, long long size)
{
	_cleanup_free_ char *url = apo_xasprintf("%s/blobs/%s", r->base, digest);
	_cleanup_free_ char *path = apo_xasprintf("%s/blobs/sha256/%s", r->p->dir, digest + 7);
	struct sink k = {.r = r, .limit = size};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdn = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	int rc;

	k.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (k.fd < 0)
		return say(r, -errno, "%s: %s: %s", what, path, strerror(errno));
	k.md = EVP_MD_CTX_new();
	rc = get(r, what, url, NULL, &k);
	if (rc == 0) {
		EVP_DigestFinal_ex(k.md, md, &mdn);
		for (unsigned i = 0; i < mdn; i++)
			sprintf(hex + 2 * i, "%02x", md[i]);
		if (strcmp(hex, digest + 7))
			rc = say(r, -EBADMSG, "%s: digest mismatch (got sha256:%s) from %s", what,
				 hex, r->p->ref->registry);
		else if (size >= 0 && k.got != size)
			rc = say(r, -EBADMSG, "%s: %lld bytes, the manifest says %lld", what, k.got,
				 size);
	}
	EVP_MD_CTX_free(k.md);
	close(k.fd);
	if (rc == 0 && r->p->progress && !r->p->live)
		fprintf(r->p->progress, "%s: %s: %lld bytes\n", r->p->text, what, k.got);
	return rc;
}

static int get_layers(struct reg *r, struct json_object *manifest, struct json_object *config)
{
	struct json_object *layers = apo_jget(manifest, "layers", json_type_array);
	struct json_object *diff_ids =
	    apo_jget(apo_jget(config, "rootfs", json_type_object), "diff_ids", json_type_array);
	size_t n = layers ? json_object_array_length(layers) : 0;
	char chain[APO_OCI_CHAIN_LEN] = "";
	int rc = 0;

	if (!layers || !diff_ids || json_object_array_length(diff_ids) != n)
		return say(r, -EBADMSG, "config: rootfs.diff_ids does not list the %zu layers", n);
	for (size_t i = 0; i < n && r->p->live; i++) { /* what the live line counts */
		struct json_object *sz =
		    apo_jget(json_object_array_get_idx(layers, i), "size", json_type_int);
		r->total += sz ? json_object_get_int64(sz) : 0;
	}
	r->layers = n;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct json_object *l = json_object_array_get_idx(layers, i);
		struct json_object *sz = apo_jget(l, "size", json_type_int);
		const char *d = apo_jstr(l, "digest");
		const char *diff = json_object_get_string(json_object_array_get_idx(diff_ids, i));
		_cleanup_free_ char *what = NULL, *blob = NULL;
		if (!digest_ok(d) || !digest_ok(diff))
			return say(r, -EBADMSG, "manifest: layer %zu has no sha256 digest", i);
		apo_oci_chain_id(i ? chain : NULL, diff, chain);
		r->layer = i + 1;
		blob = apo_xasprintf("%s/blobs/sha256/%s", r->p->dir, d + 7);
		if ((r->p->have && r->p->have(r->p->ctx, "chain", chain)) ||
		    access(blob, F_OK) == 0) { /* in the store, or twice in one image */
			r->done += sz ? json_object_get_int64(sz) : 0;
			continue;
		}
		if (r->p->live)
			draw(r, 0, true);
		what = apo_xasprintf("layer %zu/%zu %.19s", i + 1, n, d);
		rc = get_layer(r, what, d, sz ? json_object_get_int64(sz) : -1);
	}
	if (r->p->live) /* the line goes: what follows is one line a step */
		fputs("\r\033[K", stderr);
	return rc;
}

static int write_index(struct reg *r, const char *mt, const char *digest, size_t size)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/index.json", r->p->dir);
	_cleanup_free_ char *json = apo_xasprintf(
	    "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
	    "\"size\":%zu}]}\n",
	    mt, digest, size);
	int rc = apo_write_file(p, json, strlen(json), 0644);
	return rc < 0 ? say(r, rc, "%s: %s", p, strerror(-rc)) : 0;
}

bool apo_oci_is_index(const char *mt)
{
	return mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

struct json_object *apo_oci_pick_platform(struct json_object *manifests)
{
	size_t n = manifests ? json_object_array_length(manifests) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(manifests, i);
		struct json_object *p = apo_jget(d, "platform", json_type_object);
		const char *os = apo_jstr(p, "os"), *arch = apo_jstr(p, "architecture");
		if (!p ||
		    (os && !strcmp(os, "linux") && arch && !strcmp(arch, apo_oci_host_arch())))
			return d;
	}
	return NULL;
}

static int pull(struct reg *r, char **digest)
{
	const struct apo_image_ref *ref = r->p->ref;
	_cleanup_free_ char *top = NULL, *top_mt = NULL, *cur = NULL, *next = NULL;
	char *data = NULL;
	size_t n = 0, top_n = 0;
	struct json_object *m = NULL, *config = NULL;
	const char *want = ref->digest ? ref->digest : ref->tag ? ref->tag : "latest";
	int rc;

	if (apo_mkdir_p(r->p->dir, 0755) < 0) /* blobs/sha256 below */
		return -EIO;
	{
		_cleanup_free_ char *b = apo_xasprintf("%s/blobs/sha256", r->p->dir);
		if ((rc = apo_mkdir_p(b, 0755)) < 0)
			return say(r, rc, "%s: %s", b, strerror(-rc));
	}
	for (int depth = 0;; depth++) {
		_cleanup_free_ char *url = apo_xasprintf("%s/manifests/%s", r->base, want);
		_cleanup_free_ char *what = apo_xasprintf("manifest %s", want);
		const char *mt;
		rc = get_small(r, what, url, ACCEPT_MANIFEST, digest_ok(want) ? want : NULL, &data,
			       &n);
		if (rc < 0)
			goto out;
		free(cur);
		cur = apo_oci_digest_of(data, n);
		json_object_put(m);
		if (!(m = json_tokener_parse(data))) {
			rc = say(r, -EBADMSG, "%s: not JSON", what);
			goto out;
		}
		mt = apo_jstr(m, "mediaType") ? apo_jstr(m, "mediaType") : r->ctype;
		if (!top) {
			top = apo_xstrdup(cur);
			top_mt =
			    apo_xstrdup(mt ? mt : "application/vnd.oci.image.manifest.v1+json");
			top_n = n;
		}
		if ((rc = write_blob(r, cur, data, n)) < 0)
			goto out;
		free(data);
		data = NULL;
		if (apo_jget(m, "schemaVersion", json_type_int) &&
		    json_object_get_int(apo_jget(m, "schemaVersion", json_type_int)) == 1) {
			rc = say(r, -EBADMSG, "%s: a Docker schema 1 manifest (not supported)",
				 what);
			goto out;
		}
		if (!apo_oci_is_index(mt) && !apo_jget(m, "manifests", json_type_array))
			break;
		struct json_object *d =
		    apo_oci_pick_platform(apo_jget(m, "manifests", json_type_array));
		if (depth > 1 || !d || !digest_ok(apo_jstr(d, "digest"))) {
			rc =
			    say(r, -ENOENT, "%s: no image for linux/%s", what, apo_oci_host_arch());
			goto out;
		}
		free(next);
		next = apo_xstrdup(apo_jstr(d, "digest")); /* m is replaced below */
		want = next;
	}
	if (r->p->have && r->p->have(r->p->ctx, "image", cur)) {
		rc = 1;
		goto out;
	}
	{
		struct json_object *cfg = apo_jget(m, "config", json_type_object);
		const char *cd = apo_jstr(cfg, "digest");
		_cleanup_free_ char *url = NULL;
		if (!digest_ok(cd) || !apo_jget(m, "layers", json_type_array)) {
			rc = say(r, -EBADMSG,
				 "manifest %s: not an image manifest (no config or layers)", cur);
			goto out;
		}
		url = apo_xasprintf("%s/blobs/%s", r->base, cd);
		if ((rc = get_small(r, "config", url, NULL, cd, &data, &n)) < 0 ||
		    (rc = write_blob(r, cd, data, n)) < 0)
			goto out;
		if (!(config = json_tokener_parse(data))) {
			rc = say(r, -EBADMSG, "config: not JSON");
			goto out;
		}
	}
	if ((rc = get_layers(r, m, config)) < 0 || (rc = write_index(r, top_mt, top, top_n)) < 0)
		goto out;
out:
	if (rc >= 0 && digest)
		*digest = apo_xstrdup(cur);
	free(data);
	json_object_put(m);
	json_object_put(config);
	return rc;
}

int apo_oci_registry_pull(const struct apo_oci_pull *p, char **digest)
{
	struct reg r = {.p = p};
	_cleanup_free_ char *authfile = NULL;
	int rc;

	if (digest)
		*digest = NULL;
	load_settings(&r, &authfile);
	load_credentials(&r, authfile);
	r.base = apo_xasprintf("%s://%s/v2/%s", r.insecure ? "http" : "https", p->ref->registry,
			       p->ref->repository);
	if (!(r.c = curl_easy_init())) {
		rc = say(&r, -ENOMEM, "curl: cannot start");
		goto out;
	}
	curl_easy_setopt(r.c, CURLOPT_ERRORBUFFER, r.curl_err);
	curl_easy_setopt(r.c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r.c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(r.c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(r.c, CURLOPT_MAXREDIRS, 5L);
	/* a blob may be served from elsewhere (object storage), never downgraded */
	curl_easy_setopt(r.c, CURLOPT_REDIR_PROTOCOLS_STR, r.insecure ? "http,https" : "https");
	curl_easy_setopt(r.c, CURLOPT_PROTOCOLS_STR, r.insecure ? "http,https" : "https");
	curl_easy_setopt(r.c, CURLOPT_USERAGENT, "apomon/" PACKAGE_VERSION);
	curl_easy_setopt(r.c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer ends: under 1 KB/s for a minute */
	curl_easy_setopt(r.c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(r.c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(r.c, CURLOPT_NOSIGNAL, 1L);
	if (r.ca)
		curl_easy_setopt(r.c, CURLOPT_CAINFO, r.ca);
	rc = pull(&r, digest);
out:
	curl_easy_cleanup(r.c);
	free(r.base);
	free(r.ca);
	free(r.user);
	free(r.pass);
	free(r.bearer);
	free(r.challenge);
	free(r.ctype);
	return rc;
}
