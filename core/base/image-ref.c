/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "base/image-ref.h"
#include "base/sha256.h"
#include "base/util.h"

static const struct {
	const char *prefix;
	enum apo_ref_kind kind;
} transports[] = {
    {"docker://", APO_REF_DOCKER},	   {"oci:", APO_REF_OCI},
    {"oci-archive:", APO_REF_OCI_ARCHIVE}, {"docker-archive:", APO_REF_DOCKER_ARCHIVE},
    {"dockerfile:", APO_REF_DOCKERFILE},
};

const char *apo_image_ref_transport(enum apo_ref_kind k)
{
	switch (k) {
	case APO_REF_DOCKER:
		return "docker";
	case APO_REF_OCI:
		return "oci";
	case APO_REF_OCI_ARCHIVE:
		return "oci-archive";
	case APO_REF_DOCKER_ARCHIVE:
		return "docker-archive";
	case APO_REF_DOCKERFILE:
		return "dockerfile";
	default:
		return "local";
	}
}

void apo_image_ref_clear(struct apo_image_ref *r)
{
	free(r->name);
	free(r->registry);
	free(r->repository);
	free(r->tag);
	free(r->digest);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

bool apo_image_ref_is_foreign(const char *s)
{
	return strchr(s, ':') != NULL;
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* tag := [\w][\w.-]{0,127} (distribution's reference grammar) */
static bool tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !(is_alnum(t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(is_alnum(t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	return true;
}

/* component := [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool component_ok(const char *c, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(c[0]) || !is_lower_alnum(c[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(c[i])) {
			i++;
			continue;
		}
		if (c[i] == '.' || (c[i] == '_' && c[i + 1] != '_')) {
			i++;
		} else if (c[i] == '_') {
			i += 2;
		} else if (c[i] == '-') {
			while (i < n && c[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i >= n || !is_lower_alnum(c[i]))
			return false;
	}
	return true;
}

/* HOST[:PORT]: letters, digits, '-', '.', or a bracketed IPv6 address */
static bool registry_ok(const char *h)
{
	const char *colon = strrchr(h, ':');
	size_t hn = colon ? (size_t)(colon - h) : strlen(h);

	if (hn == 0)
		return false;
	if (h[0] == '[') {
		if (h[hn - 1] != ']')
			return false;
		for (size_t i = 1; i + 1 < hn; i++)
			if (!strchr("0123456789abcdefABCDEF:.", h[i]))
				return false;
	} else {
		for (size_t i = 0; i < hn; i++)
			if (!(is_alnum(h[i]) || h[i] == '-' || h[i] == '.'))
				return false;
	}
	if (colon && (h[0] != '[' || colon > h + hn - 1)) {
		size_t pn = strspn(colon + 1, "0123456789");
		if (pn == 0 || pn > 5 || colon[1 + pn] != '\0' || atoi(colon + 1) > 65535)
			return false;
	}
	return true;
}

static bool digest_ok(const char *d)
{
	if (strncmp(d, "sha256:", 7))
		return false;
	d += 7;
	return strspn(d, "0123456789abcdef") == 64 && d[64] == '\0';
}

static int fail(char **err, const char *s, const char *why)
{
	*err = apo_xasprintf("'%s': %s", s, why);
	return -EINVAL;
}

static int parse_docker(const char *s, const char *rest, struct apo_image_ref *r, char **err)
{
	_cleanup_free_ char *copy = apo_xstrdup(rest);
	char *at = strchr(copy, '@'), *slash, *colon, *p;

	if (at) {
		*at = '\0';
		if (!digest_ok(at + 1))
			return fail(err, s, "expected @sha256: and 64 lower-case hex digits");
		r->digest = apo_xstrdup(at + 1);
	}
	slash = strchr(copy, '/');
	if (!slash || slash == copy)
		return fail(err, s,
			    "expected docker://HOST[:PORT]/REPOSITORY[:TAG] (apomon has no "
			    "default registry: name it)");
	*slash = '\0';
	if (!strchr(copy, '.') && !strchr(copy, ':') && strcmp(copy, "localhost"))
		return fail(err, s,
			    "the first part must name the registry (a host with a '.' or a "
			    "port, or localhost): docker://HOST[:PORT]/REPOSITORY[:TAG]");
	if (!registry_ok(copy))
		return fail(err, s, "invalid registry host or port");
	r->registry = apo_xstrdup(copy);
	p = slash + 1;
	/* a ':' after the last '/' starts the tag */
	colon = strrchr(p, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		if (!tag_ok(colon + 1))
			return fail(err, s,
				    "invalid tag, expected letters, digits, '_', '.' and '-', at "
				    "most 128, not starting with '.' or '-'");
		r->tag = apo_xstrdup(colon + 1);
	}
	if (!*p)
		return fail(err, s, "no repository after the registry");
	if (strlen(p) > 255)
		return fail(err, s, "repository longer than 255 bytes");
	for (char *c = p;;) {
		char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (!component_ok(c, n))
			return fail(err, s,
				    "invalid repository, expected lower-case letters and "
				    "digits separated by '/', '.', '_' or '-'");
		if (!e)
			break;
		c = e + 1;
	}
	r->repository = apo_xstrdup(p);
	if (!r->tag && !r->digest)
		r->tag = apo_xstrdup("latest");
	return 0;
}

int apo_image_ref_parse(const char *s, struct apo_image_ref *r, char **err)
{
	const char *rest = NULL;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	*err = NULL;
	for (i = 0; i < APO_ARRAY_SIZE(transports); i++) {
		size_t n = strlen(transports[i].prefix);
		if (!strncmp(s, transports[i].prefix, n)) {
			rest = s + n;
			break;
		}
	}
	if (!rest) {
		if (strchr(s, ':')) {
			size_t n = strcspn(s, ":");
			*err = apo_xasprintf(
			    "'%s': unknown transport '%.*s:', expected docker://, oci:, "
			    "oci-archive:, docker-archive: or dockerfile:",
			    s, (int)(n > 32 ? 32 : n), s);
			return -EINVAL;
		}
		r->kind = APO_REF_LOCAL;
		r->name = apo_xstrdup(s);
		return 0;
	}
	r->kind = transports[i].kind;
	if (r->kind == APO_REF_DOCKER) {
		rc = parse_docker(s, rest, r, err);
		if (rc < 0)
			apo_image_ref_clear(r);
		return rc;
	}
	/* the path ends at the first ':' */
	const char *colon = strchr(rest, ':');
	size_t pn = colon ? (size_t)(colon - rest) : strlen(rest);
	if (pn == 0) {
		*err = apo_xasprintf(
		    "'%s': expected a %s after '%s:'", s,
		    r->kind == APO_REF_OCI || r->kind == APO_REF_DOCKERFILE ? "directory" : "file",
		    apo_image_ref_transport(r->kind));
		return -EINVAL;
	}
	r->path = apo_xstrndup(rest, pn);
	if (colon) {
		const char *t = colon + 1;
		bool ok = true;
		if (r->kind == APO_REF_DOCKERFILE) {
			apo_image_ref_clear(r);
			return fail(err, s,
				    "expected dockerfile:DIR (a directory's name has no ':')");
		}
		/* docker-archive's REF is a docker reference or @INDEX */
		if (r->kind == APO_REF_DOCKER_ARCHIVE)
			ok = *t && (t[0] != '@' ||
				    (strspn(t + 1, "0123456789") == strlen(t + 1) && t[1] != '\0'));
		else
			ok = *t && strlen(t) <= 128 && !strpbrk(t, " \t\n/");
		if (!ok) {
			apo_image_ref_clear(r);
			return fail(err, s,
				    r->kind == APO_REF_DOCKER_ARCHIVE
					? "expected docker-archive:FILE[:NAME:TAG|:@INDEX]"
					: "invalid tag after the path");
		}
		r->tag = apo_xstrdup(t);
	}
	return 0;
}

char *apo_image_ref_store_name(const char *s)
{
	unsigned char md[APO_SHA256_LEN];
	unsigned int mdlen = 0;
	char hex[APO_SHA256_HEX + 1], tail[41];
	const char *p = s + strlen(s);
	size_t n = 0;

	EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL);
	apo_digest_hex(md, hex);
	/* the end of the reference is what tells images apart to a reader */
	while (p > s && n < sizeof(tail) - 1 && p[-1] != '/')
		p--, n++;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		tail[i] = is_lower_alnum(c) || c == '.' || c == '_' || c == '-' ? c
			  : (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a')
						   : '-';
	}
	tail[n] = '\0';
	return apo_xasprintf("oci-%s%s%.12s", tail, n ? "-" : "", hex);
}
