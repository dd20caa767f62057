/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/mirror.h"
#include "base/util.h"

/* One candidate: how well it fits; 2 names the suite, 1 is some release. */
struct pick {
	char *uri;
	int score;
};

static int usable_uri(const char *u)
{
	return !strncmp(u, "http://", 7) || !strncmp(u, "https://", 8) ||
	       !strncmp(u, "ftp://", 6) || !strncmp(u, "file:/", 6);
}

static void consider(struct pick *best, const char *uri, char *const *suites, size_t n_suites,
		     char *const *comps, size_t n_comps, const char *want)
{
	int main_ok = 0, score = 0;

	if (!usable_uri(uri))
		return;
	for (size_t i = 0; i < n_comps; i++)
		if (!strcmp(comps[i], "main"))
			main_ok = 1;
	if (!main_ok)
		return;
	for (size_t i = 0; i < n_suites; i++) {
		const char *s = suites[i];
		if (!strcmp(s, want))
			score = 2;
		/* bookworm-security, -updates, -backports cannot be bootstrapped */
		else if (score < 1 && !strchr(s, '-') && !strchr(s, '/') && strcmp(s, "nodistro"))
			score = 1;
	}
	if (score > best->score) {
		free(best->uri);
		best->uri = apo_xstrdup(uri);
		best->score = score;
	}
}

static size_t split_ws(char *s, char **out, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(s, " \t\r\n", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r\n", &save))
		out[n++] = t;
	return n;
}

/* deb [opts] URI SUITE COMP... */
static void parse_list(FILE *f, struct pick *best, const char *want)
{
	char *line = NULL;
	size_t len = 0;

	while (getline(&line, &len, f) > 0) {
		char *hash = strchr(line, '#');
		char *w[64];
		size_t n, i = 1;

		if (hash)
			*hash = '\0';
		n = split_ws(line, w, APO_ARRAY_SIZE(w));
		if (n < 3 || strcmp(w[0], "deb"))
			continue;
		if (w[1][0] == '[') {
			while (i < n && !strchr(w[i], ']'))
				i++;
			i++;
		}
		if (i + 2 > n)
			continue;
		consider(best, w[i], &w[i + 1], 1, &w[i + 2], n - i - 2, want);
	}
	free(line);
}

/* deb822 stanzas: Types, URIs, Suites, Components, Enabled. */
static void parse_sources(FILE *f, struct pick *best, const char *want)
{
	char *line = NULL, *types = NULL, *uris = NULL, *suites = NULL, *comps = NULL,
	     *enabled = NULL, **field = NULL;
	size_t len = 0;
	int more = 1;

	while (more) {
		more = getline(&line, &len, f) > 0;
		char *l = more ? line : "";
		char *hash = l[0] == '#' ? l : NULL;

		if (hash)
			continue;
		if (more && (l[0] == ' ' || l[0] == '\t') && field && *field) {
			/* a continuation line of a multi-line field */
			char *joined = apo_xasprintf("%s %s", *field, l);
			free(*field);
			*field = joined;
			continue;
		}
		if (!more || strspn(l, " \t\r\n") == strlen(l)) {
			if (types && uris && suites && comps && strstr(types, "deb") &&
			    (!enabled || strncasecmp(enabled, "no", 2))) {
				char *t[16], *u[16], *s[32], *c[32];
				size_t nt = split_ws(types, t, 16), nu = split_ws(uris, u, 16);
				size_t ns = split_ws(suites, s, 32), nc = split_ws(comps, c, 32);
				int deb = 0;
				for (size_t i = 0; i < nt; i++)
					deb |= !strcmp(t[i], "deb");
				for (size_t i = 0; deb && i < nu; i++)
					consider(best, u[i], s, ns, c, nc, want);
			}
			free(types), free(uris), free(suites), free(comps), free(enabled);
			types = uris = suites = comps = enabled = NULL;
			field = NULL;
			continue;
		}
		char *colon = strchr(l, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *value = apo_xstrdup(colon + 1 + strspn(colon + 1, " \t"));
		value[strcspn(value, "\r\n")] = '\0';
		field = !strcasecmp(l, "Types")	       ? &types
			: !strcasecmp(l, "URIs")       ? &uris
			: !strcasecmp(l, "Suites")     ? &suites
			: !strcasecmp(l, "Components") ? &comps
			: !strcasecmp(l, "Enabled")    ? &enabled
						       : NULL;
		if (field) {
			free(*field);
			*field = value;
		} else {
			free(value);
		}
	}
	free(types), free(uris), free(suites), free(comps), free(enabled);
	free(line);
}

static void parse_file(const char *path, int deb822, struct pick *best, const char *want)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	if (deb822)
		parse_sources(f, best, want);
	else
		parse_list(f, best, want);
	fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int apo_mirror_default(const char *apt_root, const char *suite, char **uri)
{
	const char *env = getenv("APOMON_MIRROR");
	const char *root = apt_root ? apt_root : "";
	struct pick best = {0};
	struct dirent **ents = NULL;
	int n;

	*uri = NULL;
	if (env && *env) {
		*uri = apo_xstrdup(env);
		return 0;
	}
	_cleanup_free_ char *list = apo_xasprintf("%s/etc/apt/sources.list", root);
	_cleanup_free_ char *dir = apo_xasprintf("%s/etc/apt/sources.list.d", root);
	parse_file(list, 0, &best, suite);
	/* apt reads the parts in file name order, both formats mixed */
	n = scandir(dir, &ents, NULL, by_name);
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		int l = apo_str_has_suffix(nm, ".list"), s = apo_str_has_suffix(nm, ".sources");
		if (l || s) {
			char *p = apo_xasprintf("%s/%s", dir, nm);
			parse_file(p, s, &best, suite);
			free(p);
		}
		free(ents[i]);
	}
	free(ents);
	if (!best.uri)
		return -ENOENT;
	*uri = best.uri;
	return 0;
}
