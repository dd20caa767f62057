/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the config loader and validator: the input is
 * conf.d/x.conf next to a fixed apomon.conf, loaded and validated the way
 * `apomon validate` does, with the default station types loaded from the
 * build tree (their validate hooks run on what the core passed).
 * Build and run (bounded): tests/fuzz/run.sh [SECONDS]
 * APOMON_FUZZ_PLUGINS: the plugin directories, ':' between them.
 * Every problem must name a file (the loader and validator report
 * FILE[:LINE]); anything else, or a crash, is a finding.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "config/conf.h"
#include "config/model.h"
#include "plugin/registry.h"
#include "validate/validate.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/apomon-fuzz-config.XXXXXX";
static char *dropin;
static struct apo_registry *reg;

static void write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

static void cleanup(void)
{
	unlink(dropin);
	char *main_conf = apo_xasprintf("%s/apomon.conf", dir);
	char *confd = apo_xasprintf("%s/conf.d", dir);
	unlink(main_conf);
	rmdir(confd);
	rmdir(dir);
	free(main_conf);
	free(confd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char main_conf[] =
	    "environment = \"fuzz\";\n"
	    "backbone = { name = \"backbone\"; domain = \"example.com\"; type = \"dns\";\n"
	    "             host_network = \"10.254.254.0/30\"; };\n";
	(void)argc;
	(void)argv;

	if (!mkdtemp(dir))
		abort();
	char *p = apo_xasprintf("%s/apomon.conf", dir);
	write_file(p, main_conf, sizeof(main_conf) - 1);
	free(p);
	p = apo_xasprintf("%s/conf.d", dir);
	if (mkdir(p, 0755) < 0)
		abort();
	free(p);
	dropin = apo_xasprintf("%s/conf.d/x.conf", dir);
	atexit(cleanup);

	reg = apo_registry_new();
	const char *dirs = getenv("APOMON_FUZZ_PLUGINS");
	char *copy = apo_xstrdup(dirs ? dirs : ""), *save = NULL;
	for (char *s = strtok_r(copy, ":", &save); s; s = strtok_r(NULL, ":", &save))
		apo_registry_load_dir(reg, s);
	free(copy);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apo_model *m = NULL;
	struct apo_diag d;

	write_file(dropin, data, size);
	apo_diag_init(&d);
	int rc = apo_conf_load(dir, NULL, &m, &d);
	if (rc == 0 || rc == -EINVAL)
		rc = apo_validate(m, reg, &d) < 0 ? -EINVAL : rc;
	if (rc < 0 && d.n == 0)
		abort(); /* a refusal always says why */
	for (size_t i = 0; i < d.n; i++) {
		if (!d.problems[i].loc.file && !d.problems[i].path)
			abort(); /* and where */
		free(apo_problem_format(&d.problems[i]));
	}
	apo_diag_clear(&d);
	apo_model_free(m);
	return 0;
}
