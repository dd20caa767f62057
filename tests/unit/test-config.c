/* SPDX-License-Identifier: MIT */
/* Reading configs: the repository's own, good fixtures field by field, and
 * the corpus of malformed ones under tests/fixtures/bad/, each asserting
 * the exact set of messages it carries in `# expect:` lines. */
#include "config.h"

#define _XOPEN_SOURCE_EXTENDED 1
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "fixture-types.h"
#include "config/model.h"
#include "base/util.h"
#include "validate/validate.h"

#define BAD_DIR	 APO_SRCDIR "/tests/fixtures/bad"
#define GOOD_DIR APO_SRCDIR "/tests/fixtures/good"

static const char *addr_str(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "re"), *out = fopen(to, "we");
	char buf[4096];
	size_t n;

	ck_assert_msg(in && out, "copy %s to %s: %s", from, to, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
}

/* Copies a case directory (files and one level of subdirectories). */
static void copy_tree(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *src = apo_xasprintf("%s/%s", from, de->d_name);
		_cleanup_free_ char *dst = apo_xasprintf("%s/%s", to, de->d_name);
		struct stat st;
		ck_assert_int_eq(stat(src, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			ck_assert_int_eq(mkdir(dst, 0755), 0);
			copy_tree(src, dst);
		} else {
			copy_file(src, dst);
		}
	}
	closedir(d);
}

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* `# expect: LINE: PATH: message` means apomon.conf:LINE; any other text
 * after `# expect: ` is taken as is (e.g. conf.d/10-a.conf:3: ...). */
static void read_expectations(const char *file, struct lines *out)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	static const char tag[] = "# expect: ";

	ck_assert_ptr_nonnull(f);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *p = strstr(line, tag);
		if (!p)
			continue;
		p += strlen(tag);
		char *e =
		    *p >= '0' && *p <= '9' ? apo_xasprintf("apomon.conf:%s", p) : apo_xstrdup(p);
		APO_PUSH(out->v, out->n, out->cap, e);
	}
	free(line);
	fclose(f);
}

static void collect_expectations(const char *path, struct lines *out)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	if (!S_ISDIR(st.st_mode)) {
		read_expectations(path, out);
		return;
	}
	DIR *d = opendir(path);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = apo_xasprintf("%s/%s", path, de->d_name);
		collect_expectations(p, out);
	}
	closedir(d);
}

static struct lines cases;

static void list_cases(void)
{
	DIR *d = opendir(BAD_DIR);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			APO_PUSH(cases.v, cases.n, cases.cap, apo_xstrdup(de->d_name));
	closedir(d);
	qsort(cases.v, cases.n, sizeof(*cases.v), str_cmp);
}

/* Loads and validates CONFDIR the way apomon does; the messages with
 * CONFDIR/ cut from their file names. */
static void run_config(const char *confdir, const char *env, struct lines *got, int *rc_out)
{
	struct apo_model *m;
	struct apo_diag d;
	struct apo_registry *r = fixture_registry();
	size_t cut = strlen(confdir) + 1;

	apo_diag_init(&d);
	int rc = apo_conf_load(confdir, env, &m, &d);
	if (rc == 0 || rc == -EINVAL) {
		int vr = apo_validate(m, r, &d);
		if (rc == 0)
			rc = vr;
	}
	for (size_t i = 0; i < d.n; i++) {
		char *s = apo_problem_format(&d.problems[i]);
		char *p;
		/* every mention of the temporary directory, also inside messages */
		while ((p = strstr(s, confdir))) {
			memmove(p, p + cut, strlen(p + cut) + 1);
		}
		APO_PUSH(got->v, got->n, got->cap, s);
	}
	*rc_out = rc;
	apo_diag_clear(&d);
	apo_model_free(m);
	apo_registry_free(r);
}

START_TEST(bad_case)
{
	const char *name = cases.v[_i];
	_cleanup_free_ char *src = apo_xasprintf("%s/%s", BAD_DIR, name);
	char tmp[] = "/tmp/apomon-config-test.XXXXXX";
	struct lines want = {0}, got = {0};
	struct stat st;
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_int_eq(stat(src, &st), 0);
	if (S_ISDIR(st.st_mode)) {
		copy_tree(src, tmp);
	} else {
		_cleanup_free_ char *dst = apo_xasprintf("%s/apomon.conf", tmp);
		copy_file(src, dst);
	}
	collect_expectations(src, &want);
	run_config(tmp, NULL, &got, &rc);
	rm_tree(tmp);

	qsort(want.v, want.n, sizeof(*want.v), str_cmp);
	qsort(got.v, got.n, sizeof(*got.v), str_cmp);
	bool same = want.n == got.n;
	for (size_t i = 0; same && i < want.n; i++)
		same = strcmp(want.v[i], got.v[i]) == 0;
	if (!same) {
		for (size_t i = 0; i < want.n; i++)
			fprintf(stderr, "%s: want: %s\n", name, want.v[i]);
		for (size_t i = 0; i < got.n; i++)
			fprintf(stderr, "%s: got:  %s\n", name, got.v[i]);
	}
	ck_assert_msg(same, "%s: messages differ (see above)", name);
	ck_assert_msg(want.n > 0, "%s: no `# expect:` line", name);
	ck_assert_msg(rc < 0, "%s: accepted", name);
	lines_free(&want);
	lines_free(&got);
}
END_TEST

START_TEST(corpus_is_large)
{
	ck_assert_uint_ge(cases.n, 30);
}
END_TEST

START_TEST(missing_apomon_conf)
{
	char tmp[] = "/tmp/apomon-config-test.XXXXXX";
	struct apo_model *m;
	struct apo_diag d;

	ck_assert_ptr_nonnull(mkdtemp(tmp));
	apo_diag_init(&d);
	int rc = apo_conf_load(tmp, NULL, &m, &d);
	rmdir(tmp);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_uint_eq(d.n, 1);
	_cleanup_free_ char *want =
	    apo_xasprintf("%s/apomon.conf: cannot read: %s", tmp, strerror(ENOENT));
	_cleanup_free_ char *got = apo_problem_format(&d.problems[0]);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(m);
	apo_model_free(m);
	apo_diag_clear(&d);
}
END_TEST

START_TEST(env_override)
{
	struct lines got = {0};
	int rc;

	/* the fixture types know the good config's types (the repository's
	 * conf.d enables types that only real plugins provide) */
	run_config(GOOD_DIR "/minimal", "staging", &got, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(got.n, 0);
	run_config(GOOD_DIR "/minimal", "Bad Name", &got, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_str_eq(got.v[0], "environment: invalid name 'Bad Name' (from -e), expected "
				   "lower-case letters, digits, '-' and '_', starting with a "
				   "letter or digit, at most 63 bytes");
	lines_free(&got);
}
END_TEST

/* The example of apomon.conf(5) parses: the reference does not rot. */
START_TEST(manpage_example)
{
	_cleanup_free_ char *man = apo_xasprintf("%s/docs/apomon.conf.5", APO_SRCDIR);
	char tmp[] = "/tmp/apomon-config-test.XXXXXX";
	FILE *in = fopen(man, "re"), *out = NULL;
	char *line = NULL;
	size_t cap = 0;
	bool in_example = false;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	_cleanup_free_ char *dropins = apo_xasprintf("%s/conf.d", tmp);
	ck_assert_int_eq(mkdir(dropins, 0755), 0);
	while (getline(&line, &cap, in) > 0) {
		if (strncmp(line, ".EX", 3) == 0) {
			in_example = true;
			continue;
		}
		if (strncmp(line, ".EE", 3) == 0)
			break;
		if (!in_example)
			continue;
		/* "# apomon.conf" and "# conf.d/10-example.conf" start files */
		if (line[0] == '#' && strstr(line, ".conf")) {
			if (out)
				ck_assert_int_eq(fclose(out), 0);
			_cleanup_free_ char *f =
			    apo_xasprintf("%s/%.*s", tmp, (int)strcspn(line + 2, "\n"), line + 2);
			out = fopen(f, "we");
			ck_assert_ptr_nonnull(out);
		}
		ck_assert_ptr_nonnull(out);
		fputs(line, out);
	}
	free(line);
	fclose(in);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(fclose(out), 0);

	struct apo_model *m;
	struct apo_diag d;
	apo_diag_init(&d);
	int rc = apo_conf_load(tmp, NULL, &m, &d);
	rm_tree(tmp); /* before any assertion can end the test */
	apo_diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(m->n_stations, 4);
	ck_assert_uint_eq(m->n_links, 1);
	ck_assert_uint_eq(m->clusters[0]->n_records, 1);
	apo_model_free(m);
	apo_diag_clear(&d);
}
END_TEST

START_TEST(repo_config_parses)
{
	struct apo_model *m;
	struct apo_diag d;

	apo_diag_init(&d);
	int rc = apo_conf_load(APO_SRCDIR, NULL, &m, &d);
	if (d.n)
		apo_diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(m->env, "example");
	ck_assert_uint_eq(m->n_clusters, 2);
	ck_assert_str_eq(m->clusters[0]->name, "example");
	ck_assert_str_eq(m->clusters[0]->domain, "example.com");
	ck_assert_str_eq(addr_str(m->clusters[0]->network.addr), "10.1.0.0");
	ck_assert_uint_eq(m->clusters[0]->network.prefix, 24);
	ck_assert_str_eq(addr_str(m->clusters[0]->router), "10.1.0.254");
	ck_assert_str_eq(m->clusters[0]->gateway_name, "lb");
	ck_assert_str_eq(m->clusters[1]->name, "service");
	/* default router: the last usable address */
	ck_assert_str_eq(addr_str(m->clusters[1]->router), "10.2.0.254");
	ck_assert_ptr_null(m->clusters[1]->gateway_name);
	/* the backbone first, then the stations in file order */
	ck_assert_uint_eq(m->n_stations, 9);
	ck_assert(m->stations[0]->is_backbone);
	ck_assert_str_eq(m->stations[0]->fqdn, "backbone.example.com");
	ck_assert_str_eq(addr_str(m->host_network.addr), "10.254.254.0");
	ck_assert_uint_eq(m->host_network.prefix, 30);

	struct apo_station *www1 = apo_model_station(m, "www1");
	ck_assert_ptr_nonnull(www1);
	ck_assert_str_eq(www1->fqdn, "www1.example.com");
	ck_assert_str_eq(www1->type_name, "tomcat");
	ck_assert(www1->enabled);
	ck_assert_uint_eq(www1->n_addrs, 1);
	ck_assert_str_eq(addr_str(www1->addrs[0].addr), "10.1.0.11");
	ck_assert_uint_eq(www1->addrs[0].prefix, 24);
	ck_assert_uint_eq(www1->n_publish, 1);
	ck_assert_uint_eq(www1->publish[0].host_port, 81);
	ck_assert_uint_eq(www1->publish[0].port, 8080);
	ck_assert_uint_eq(www1->publish[0].proto, IPPROTO_TCP);
	ck_assert_uint_eq(www1->n_depends, 1);
	ck_assert_str_eq(www1->depends[0], "psql");
	ck_assert_str_eq(www1->path, "clusters.example.stations.www1");
	ck_assert_ptr_eq(www1->cluster, m->clusters[0]);
	ck_assert(apo_str_has_suffix(www1->loc.file, "conf.d/10-example.conf"));

	struct apo_station *se = apo_model_station(m, "service_endpoint");
	ck_assert(se->enabled);
	ck_assert_str_eq(se->fqdn, "service_endpoint.service.com");
	apo_model_free(m);
	apo_diag_clear(&d);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, repo_config_parses);
	tcase_add_test(tc, missing_apomon_conf);
	tcase_add_test(tc, env_override);
	tcase_add_test(tc, manpage_example);
	suite_add_tcase(s, tc);

	TCase *bad = tcase_create("bad");
	tcase_add_test(bad, corpus_is_large);
	tcase_add_loop_test(bad, bad_case, 0, cases.n);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	list_cases();
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lines_free(&cases);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
