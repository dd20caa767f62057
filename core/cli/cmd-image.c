/* SPDX-License-Identifier: MIT */
/* apomon image build [NAME...] | list [--json] | rm NAME... */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "image/image-build.h"
#include "image/image-cfg.h"
#include "image/image-store.h"
#include "image/oci-export.h"
#include "image/oci-import.h"
#include "image/oci-sniff.h"
#include "base/paths.h"
#include "base/util.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: apomon image build [--images DIR]... [-q] [NAME...]\n"
	    "       apomon image pull [-q] docker://REGISTRY/REPO[:TAG|@DIGEST]\n"
	    "       apomon image import [-q] [--force] FILE|DIR|oci:DIR[:TAG]|\n"
	    "                           oci-archive:FILE[:TAG]|docker-archive:FILE[:REF] [NAME]\n"
	    "       apomon image list [--json] [-v]\n"
	    "       apomon image rm [--force] NAME...\n"
	    "       apomon image export [-q] [--uncompressed] NAME FILE[:TAG]\n"
	    "\n"
	    "Definitions are searched in each --images DIR, then APOMON_IMAGES_PATH\n"
	    "(colon-separated), then the config's images_path, then the images/\n"
	    "folder beside each plugin directory, then %s; the first\n"
	    "definition of a name wins.  build without NAME builds every definition\n"
	    "found.  list -v says, under each image, which definition it is built\n"
	    "from and which later ones of the same name it shadows.  Layers live\n"
	    "in APOMON_LIB_DIR/images.  import tells a bare FILE or DIR by what it\n"
	    "holds (an OCI layout, or a tar, maybe compressed, of one or of docker\n"
	    "save) and stores it as NAME when given, else under a name derived from\n"
	    "the reference; --force lets NAME move to another image.\n",
	    APO_IMAGESDIR);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every image defined on the search path, each name once. */
static void all_names(char **search, char ***names, size_t *n)
{
	size_t cap = 0;

	for (char **s = search; *s; s++) {
		DIR *d = opendir(*s);
		struct dirent *e;
		if (!d)
			continue;
		while ((e = readdir(d))) {
			char *dir;
			int seen = 0;
			if (!apo_image_name_valid(e->d_name))
				continue;
			dir = apo_image_def_find(search, e->d_name);
			for (size_t i = 0; i < *n; i++)
				seen |= !strcmp((*names)[i], e->d_name);
			if (dir && !seen)
				APO_PUSH(*names, *n, cap, apo_xstrdup(e->d_name));
			free(dir);
		}
		closedir(d);
	}
	if (*n)
		qsort(*names, *n, sizeof(char *), cmp_str);
}

/* The config's images_path and the plugins' images/ folders, as `up`
 * would search them; a config that does not parse lends nothing (as in
 * `apomon plugins`): building an image needs no environment. */
static void borrow_search(const struct apo_cli *cli)
{
	struct apo_model *m = NULL;
	struct apo_registry *r = apo_registry_new();
	struct apo_diag d;
	int rc;

	apo_diag_init(&d);
	rc = apo_conf_load(cli->confdir, cli->env, &m, &d);
	apo_diag_clear(&d);
	if (rc < 0 && rc != -EINVAL) {
		apo_model_free(m);
		m = NULL;
	}
	apo_registry_load_all(r, cli->plugin_dirs, cli->n_plugin_dirs, m ? m->plugin_path : NULL,
			      m ? m->n_plugin_path : 0);
	apo_cli_image_search(cli, m, r);
	apo_registry_free(r);
	apo_model_free(m);
}

/* The options of image's subcommands, parsed in one place.  Each
 * subcommand names the ones it takes: SHORTS as getopt spells them, LONGS
 * the letters of the long ones (all_opts) it accepts. */
struct image_args {
	char **dirs; /* --images, in order; borrowed from argv */
	size_t n_dirs;
	bool quiet, force, json, verbose, uncompressed;
};

static const struct option all_opts[] = {
    {"images", required_argument, NULL, 'i'}, {"quiet", no_argument, NULL, 'q'},
    {"force", no_argument, NULL, 'f'},	      {"json", no_argument, NULL, 'j'},
    {"verbose", no_argument, NULL, 'v'},      {"uncompressed", no_argument, NULL, 'u'},
    {"help", no_argument, NULL, 'h'},
};

/* -1: go on with argv[optind...]; else the exit code, usage printed for
 * -h, getopt's message for anything else (a->dirs freed then). */
static int parse_args(int argc, char **argv, const char *shorts, const char *longs,
		      struct image_args *a)
{
	struct option opts[APO_ARRAY_SIZE(all_opts) + 1] = {0};
	size_t n = 0, cap = 0;
	int c;

	*a = (struct image_args){0};
	const struct {
		int c;
		bool *to;
	} flags[] = {{'q', &a->quiet},
		     {'f', &a->force},
		     {'j', &a->json},
		     {'v', &a->verbose},
		     {'u', &a->uncompressed}};
	for (size_t i = 0; i < APO_ARRAY_SIZE(all_opts); i++)
		if (strchr(longs, all_opts[i].val))
			opts[n++] = all_opts[i];
	optind = 0;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		bool flag = false;
		for (size_t i = 0; i < APO_ARRAY_SIZE(flags); i++)
			if (flags[i].c == c)
				flag = *flags[i].to = true;
		if (c == 'i') {
			APO_PUSH(a->dirs, a->n_dirs, cap, optarg);
		} else if (c == 'h' || !flag) {
			if (c == 'h')
				usage(stdout);
			free(a->dirs);
			return c == 'h' ? APO_EXIT_OK : APO_EXIT_USAGE;
		}
	}
	return -1;
}

static int cmd_build(const struct apo_cli *cli, int argc, char **argv)
{
	char **search, **names = NULL;
	size_t cap = 0, n_names = 0;
	int rc = APO_EXIT_OK;
	struct image_args a;

	if ((rc = parse_args(argc, argv, "+i:qh", "iqh", &a)) >= 0)
		return rc;
	rc = APO_EXIT_OK;
	borrow_search(cli);
	search = apo_image_search_path(a.dirs, a.n_dirs);
	free(a.dirs);
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			APO_PUSH(names, n_names, cap, apo_xstrdup(argv[i]));
	} else {
		all_names(search, &names, &n_names);
		if (!n_names) {
			apo_err("image build: no image definitions found");
			rc = APO_EXIT_USAGE;
		}
	}
	struct apo_image_opts o = {.search = search,
				   .progress = a.quiet ? NULL : stdout,
				   .verbose = cli->verbose,
				   .build = true};
	for (size_t i = 0; i < n_names && rc == APO_EXIT_OK; i++) {
		int r = apo_image_ensure(names[i], &o, NULL);
		if (r == -EINVAL || r == -ENOENT)
			rc = APO_EXIT_USAGE;
		else if (r < 0)
			rc = APO_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	apo_strv_free(search);
	return rc;
}

/* -v: where NAME's definition is on the search path, and every later
 * definition of the same name, which the first one shadows */
static void print_definitions(char **search, const char *name)
{
	bool first = true;

	for (char **s = search; *s; s++) {
		_cleanup_free_ char *cfg = apo_xasprintf("%s/%s/image.cfg", *s, name);
		if (access(cfg, F_OK) < 0)
			continue;
		printf("    %s %s/%s\n", first ? "definition:" : "shadowed:  ", *s, name);
		first = false;
	}
	if (first)
		printf("    definition: none on the search path (its current layer is used as it "
		       "is)\n");
}

/* An imported image's oci.json (source, manifest, config), or NULL. */
static struct json_object *oci_info(const struct apo_image_meta *m)
{
	_cleanup_free_ char *dir = NULL, *p = NULL;

	if (!m->origin || strcmp(m->origin, "oci"))
		return NULL;
	dir = apo_image_path(m->name, m->digest);
	p = apo_xasprintf("%s/oci.json", dir);
	return json_object_from_file(p);
}

static const char *info_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, key, &v) &&
		       json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : NULL;
}

static int cmd_list(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_image_meta **v = NULL;
	char **search = NULL;
	size_t n = 0;
	struct image_args a;
	int rc;

	if ((rc = parse_args(argc, argv, "+vh", "jvh", &a)) >= 0)
		return rc;
	if (optind < argc) {
		apo_err("image list: unexpected argument '%s'", argv[optind]);
		return APO_EXIT_USAGE;
	}
	if (a.verbose) {
		borrow_search(cli);
		search = apo_image_search_path(NULL, 0);
	}
	rc = apo_image_list(&v, &n);
	if (rc < 0) {
		apo_err("image list: %s", strerror(-rc));
		apo_strv_free(search);
		return APO_EXIT_FAILURE;
	}
	if (a.json) {
		struct json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			struct json_object *o = json_object_new_object(),
					   *s = json_object_new_array();
			char *layer = apo_image_layer_dir(v[i]->name, v[i]->digest);
			json_object_object_add(o, "name", json_object_new_string(v[i]->name));
			json_object_object_add(o, "digest", json_object_new_string(v[i]->digest));
			json_object_object_add(o, "parent",
					       v[i]->parent ? json_object_new_string(v[i]->parent)
							    : NULL);
			json_object_object_add(o, "parent_digest",
					       v[i]->parent_digest
						   ? json_object_new_string(v[i]->parent_digest)
						   : NULL);
			json_object_object_add(
			    o, "origin",
			    json_object_new_string(v[i]->origin ? v[i]->origin : "build"));
			json_object_object_add(o, "created", json_object_new_int64(v[i]->created));
			json_object_object_add(o, "size",
					       json_object_new_int64((int64_t)v[i]->size));
			json_object_object_add(o, "layer", json_object_new_string(layer));
			struct json_object *info = oci_info(v[i]);
			for (const char *const *k =
				 (const char *const[]){"source", "manifest", "config", NULL};
			     info && *k; k++)
				if (info_str(info, *k))
					json_object_object_add(
					    o, *k, json_object_new_string(info_str(info, *k)));
			json_object_put(info);
			for (size_t j = 0; j < v[i]->n_seal; j++)
				json_object_array_add(s, json_object_new_string(v[i]->seal[j]));
			json_object_object_add(o, "seal", s);
			json_object_array_add(arr, o);
			free(layer);
		}
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
		json_object_put(arr);
	} else {
		printf("%-20s %-12s %-20s %-8s %10s  %-20s %s\n", "NAME", "DIGEST", "PARENT",
		       "ORIGIN", "SIZE", "CREATED", "SOURCE");
		for (size_t i = 0; i < n; i++) {
			char when[32] = "-", size[32];
			time_t t = (time_t)v[i]->created;
			struct tm tm;
			if (gmtime_r(&t, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
			if (v[i]->size >= 10ull << 20)
				snprintf(size, sizeof(size), "%llu MiB", v[i]->size >> 20);
			else
				snprintf(size, sizeof(size), "%llu KiB", (v[i]->size + 1023) >> 10);
			struct json_object *info = oci_info(v[i]);
			printf("%-20s %-12.12s %-20s %-8s %10s  %-20s %s\n", v[i]->name,
			       v[i]->digest, v[i]->parent ? v[i]->parent : "-",
			       v[i]->origin ? v[i]->origin : "build", size, when,
			       info_str(info, "source") ? info_str(info, "source") : "-");
			json_object_put(info);
			if (search)
				print_definitions(search, v[i]->name);
		}
	}
	apo_strv_free(search);
	apo_image_meta_list_free(v, n);
	return APO_EXIT_OK;
}

static int cmd_rm(int argc, char **argv)
{
	struct image_args a;
	int rc;

	if ((rc = parse_args(argc, argv, "+fh", "fh", &a)) >= 0)
		return rc;
	rc = APO_EXIT_OK;
	if (optind >= argc) {
		usage(stderr);
		return APO_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		int r = apo_image_rm(argv[i], a.force);
		if (r == -ENOENT || r == -EINVAL)
			rc = rc ? rc : APO_EXIT_USAGE;
		else if (r < 0)
			rc = APO_EXIT_FAILURE;
		else
			printf("%s: removed\n", argv[i]);
	}
	return rc;
}

/* import FILE|DIR|REF [NAME]: a bare path is told by its contents
 * (oci-sniff.h); without NAME, the name derived from the reference. */
static int cmd_import(const struct apo_cli *cli, int argc, char **argv)
{
	_cleanup_free_ char *ref = NULL;
	struct image_args a;
	int rc;

	if ((rc = parse_args(argc, argv, "+qfh", "qfh", &a)) >= 0)
		return rc;
	struct apo_oci_import_opts io = {.progress = a.quiet ? NULL : stdout, .force = a.force};
	if (argc - optind < 1 || argc - optind > 2) {
		usage(stderr);
		return APO_EXIT_USAGE;
	}
	if (apo_oci_import_source(argv[optind], &ref) < 0)
		return APO_EXIT_USAGE;
	io.name = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (io.name) /* a definition of NAME would shadow the import */
		borrow_search(cli);
	rc = apo_oci_import(ref, &io, NULL);
	if (rc == -EINVAL || rc == -ENOENT || rc == -EEXIST)
		return APO_EXIT_USAGE;
	return rc < 0 ? APO_EXIT_FAILURE : APO_EXIT_OK;
}

/* NAME as an OCI archive at FILE (what skopeo copy oci-archive:FILE[:TAG]
 * reads); FILE[:TAG] spelled as oci-archive: spells it: the part after the
 * last ':' is the tag unless it holds a '/'.  Layers are gzip-compressed
 * (skopeo's and registries' default) unless --uncompressed. */
static int cmd_export(int argc, char **argv)
{
	_cleanup_free_ char *err = NULL, *file = NULL;
	struct image_args a;
	int rc;

	if ((rc = parse_args(argc, argv, "+quh", "quh", &a)) >= 0)
		return rc;
	struct apo_oci_export_opts eo = {.uncompressed = a.uncompressed};
	if (argc - optind != 2) {
		usage(stderr);
		return APO_EXIT_USAGE;
	}
	file = apo_xstrdup(argv[optind + 1]);
	char *colon = strrchr(file, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		eo.tag = colon + 1;
	}
	rc = apo_oci_export(argv[optind], file, &eo, a.quiet ? NULL : stdout, &err);
	if (rc < 0) {
		if (err)
			apo_err("image export: %s", err);
		return rc == -ENOENT || rc == -EINVAL ? APO_EXIT_USAGE : APO_EXIT_FAILURE;
	}
	return APO_EXIT_OK;
}

int apo_cmd_image(const struct apo_cli *cli, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? APO_EXIT_USAGE : APO_EXIT_OK;
	}
	/* an OCI reference (docker://, oci:, oci-archive:, docker-archive:) is
	 * fetched or imported by the same path a definition is built by */
	if (!strcmp(argv[1], "build") || !strcmp(argv[1], "pull"))
		return cmd_build(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return cmd_import(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "rm"))
		return cmd_rm(argc - 1, argv + 1);
	if (!strcmp(argv[1], "export"))
		return cmd_export(argc - 1, argv + 1);
	apo_err("image: unknown subcommand '%s'; expected build, pull, import, list, rm or export",
		argv[1]);
	return APO_EXIT_USAGE;
}
