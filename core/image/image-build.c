/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/image-build.h"
#include "image/image-cfg.h"
#include "image/image-digest.h"
#include "image/image-store.h"
#include "image/mirror.h"
#include "base/spawn.h"
#include "image/oci-import.h"
#include "base/image-ref.h"
#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"

/* Where the definition's files/ and startup.sh appear during the copy step. */
/* Debian 12: the debian-archive-keyring package (tools/install-deps) */
#define APO_DEBIAN_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define STAGE		   "/.apomon-stage"
#define TAIL_LINES	   20
#define MAX_ERROR_LINES	   40

struct build {
	const struct apo_image_def *def;
	const struct apo_image_opts *o;
	char *tmp;	/* NAME/.tmp-XXXXXX */
	char *root;	/* tmp/root: the layer being made */
	char *work;	/* tmp/work: overlayfs' workdir (children) */
	char *merged;	/* tmp/merged: parent layers + root (children) */
	char *target;	/* the tree the chroot steps see: root or merged */
	char *stage;	/* tmp/stage: a private copy of files/ and startup.sh */
	char *lowerdir; /* children: overlay lowerdir option */
	char *mirror;	/* root image: the archive */
	char *cache;	/* root image: debootstrap's package cache */
	char *log_path;
	FILE *log;
	int step, n_steps;
};

static void progress(const struct build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void progress(const struct build *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->o->progress)
		return;
	fprintf(b->o->progress, "%s: ", b->def->name);
	va_start(ap, fmt);
	vfprintf(b->o->progress, fmt, ap);
	va_end(ap);
	fputc('\n', b->o->progress);
	fflush(b->o->progress);
}

static void child_env(void)
{
	static const char *const keep[] = {"http_proxy", "https_proxy", "no_proxy",
					   "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"};
	char *saved[APO_ARRAY_SIZE(keep)];

	for (size_t i = 0; i < APO_ARRAY_SIZE(keep); i++) {
		const char *v = getenv(keep[i]);
		saved[i] = v ? strdup(v) : NULL;
	}
	clearenv();
	for (size_t i = 0; i < APO_ARRAY_SIZE(keep); i++)
		if (saved[i])
			setenv(keep[i], saved[i], 1);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("LC_ALL", "C", 1);
	setenv("DEBIAN_FRONTEND", "noninteractive", 1);
	setenv("DEBCONF_NONINTERACTIVE_SEEN", "true", 1);
}

/*
 * Runs one step, in the chroot when in_root, with its output going to the
 * log (and to the progress stream when verbose).  On failure prints apt's
 * "E:" lines, or else the last lines, on stderr.  0, or -EIO.
 */
/* In the child of run(): into the image's root, with the build's
 * environment. */
static void enter_root(void *ctx)
{
	struct build *b = ctx;

	if (chroot(b->target) < 0 || chdir("/") < 0) {
		fprintf(stderr, "chroot %s: %s\n", b->target, strerror(errno));
		_exit(127);
	}
	child_env();
}

static void build_env(void *ctx)
{
	child_env();
}

static int run(struct build *b, const char *label, int in_root, char *const argv[])
{
	char *tail[TAIL_LINES] = {0}, *errs[MAX_ERROR_LINES];
	size_t n_tail = 0, n_errs = 0;
	int fds[2], status = 0, rc = 0;
	pid_t pid;
	FILE *in;
	char *line = NULL;
	size_t len = 0;

	b->step++;
	progress(b, "[%d/%d] %s", b->step, b->n_steps, label);
	if (b->log) {
		fprintf(b->log, "### %s\n", label);
		fflush(b->log);
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	const int std[3] = {null, fds[1], fds[1]};
	rc = apo_spawn(NULL, argv, std, in_root ? enter_root : build_env, b, &pid);
	if (null >= 0)
		close(null);
	close(fds[1]);
	if (rc < 0) {
		close(fds[0]);
		return rc;
	}
	in = fdopen(fds[0], "re");
	while (in && getline(&line, &len, in) > 0) {
		if (b->log)
			fputs(line, b->log);
		if (b->o->verbose && b->o->progress)
			fprintf(b->o->progress, "    %s", line);
		line[strcspn(line, "\n")] = '\0';
		if ((!strncmp(line, "E: ", 3) || !strncmp(line, "E:", 2) ||
		     !strncmp(line, "W: Failure", 10)) &&
		    n_errs < MAX_ERROR_LINES)
			errs[n_errs++] = apo_xstrdup(line);
		free(tail[n_tail % TAIL_LINES]);
		tail[n_tail++ % TAIL_LINES] = apo_xstrdup(line);
	}
	free(line);
	if (in)
		fclose(in);
	else
		close(fds[0]);
	if ((rc = apo_spawn_wait(pid, &status)) < 0)
		status = 0xff00; /* reported as exit 255 below */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = -EIO;
		if (WIFEXITED(status))
			fprintf(stderr, "%s: %s: failed (exit %d)\n", b->def->name, label,
				WEXITSTATUS(status));
		else
			fprintf(stderr, "%s: %s: killed by signal %d\n", b->def->name, label,
				WTERMSIG(status));
		if (n_errs) {
			for (size_t i = 0; i < n_errs; i++)
				fprintf(stderr, "  %s\n", errs[i]);
		} else {
			size_t first = n_tail > TAIL_LINES ? n_tail - TAIL_LINES : 0;
			for (size_t i = first; i < n_tail; i++)
				fprintf(stderr, "  %s\n", tail[i % TAIL_LINES]);
		}
		if (b->log_path)
			fprintf(stderr, "  (full output: %s)\n", b->log_path);
	}
	for (size_t i = 0; i < n_errs; i++)
		free(errs[i]);
	for (size_t i = 0; i < TAIL_LINES; i++)
		free(tail[i]);
	if (b->log)
		fflush(b->log);
	return rc;
}

static int write_file(const char *path, const char *content, mode_t mode)
{
	return apo_write_file(path, content, strlen(content), mode);
}

static int mount_at(const struct build *b, const char *src, const char *rel, const char *type,
		    unsigned long flags, const char *data)
{
	_cleanup_free_ char *dst = apo_xasprintf("%s%s", b->target, rel);

	if (mount(src, dst, type, flags, data) < 0) {
		fprintf(stderr, "%s: mount %s on %s: %s\n", b->def->name, type ? type : src, dst,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* What apt and maintainer scripts expect: proc, sys, dev, a resolver, scratch /run and /tmp. */
static int mount_api(struct build *b)
{
	_cleanup_free_ char *resolv = apo_xasprintf("%s/etc/resolv.conf", b->target);
	struct stat st;
	int rc;

	if ((rc = mount_at(b, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) ||
	    (rc = mount_at(b, "sysfs", "/sys", "sysfs",
			   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) ||
	    (rc = mount_at(b, "/dev", "/dev", NULL, MS_BIND | MS_REC, NULL)) ||
	    (rc = mount_at(b, "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")) ||
	    (rc = mount_at(b, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")))
		return rc;
	/* the host's resolver for apt; the image keeps its own file */
	if (lstat(resolv, &st) == 0 && S_ISREG(st.st_mode) && access("/etc/resolv.conf", R_OK) == 0)
		rc = mount("/etc/resolv.conf", resolv, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
	return rc;
}

static void umount_api(struct build *b)
{
	static const char *const rels[] = {
	    "/etc/resolv.conf", "/tmp", "/run", "/dev", "/sys", "/proc"};

	for (size_t i = 0; i < APO_ARRAY_SIZE(rels); i++) {
		char *p = apo_xasprintf("%s%s", b->target, rels[i]);
		umount2(p, MNT_DETACH);
		free(p);
	}
}

static int step_packages(struct build *b)
{
	const struct apo_image_def *def = b->def;
	char **argv = apo_xcalloc(def->n_packages + 8, sizeof(char *));
	char *label;
	size_t n = 0;
	int rc;

	char *update[] = {"apt-get", "-q", "update", NULL};
	rc = run(b, "apt-get update", 1, update);
	if (rc < 0)
		goto out;
	argv[n++] = "apt-get";
	argv[n++] = "-q";
	argv[n++] = "-y";
	argv[n++] = "--no-install-recommends";
	argv[n++] = "-o";
	argv[n++] = "Dpkg::Options::=--force-confold";
	argv[n++] = "install";
	for (size_t i = 0; i < def->n_packages; i++)
		argv[n++] = def->packages[i];
	label = apo_xasprintf("apt-get install");
	for (size_t i = 0; i < def->n_packages; i++) {
		char *l = apo_xasprintf("%s %s", label, def->packages[i]);
		free(label);
		label = l;
	}
	rc = run(b, label, 1, argv);
	free(label);
out:
	free(argv);
	return rc;
}

static int step_files(struct build *b)
{
	_cleanup_free_ char *at = apo_xasprintf("%s%s", b->target, STAGE);
	_cleanup_free_ char *script = NULL;
	int rc;

	if (mkdir(at, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mount(b->stage, at, NULL, MS_BIND, NULL) < 0) {
		rc = -errno;
		fprintf(stderr, "%s: files: bind %s: %s\n", b->def->name, b->stage,
			strerror(errno));
		rmdir(at);
		return rc;
	}
	mount(NULL, at, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	/* copied from inside the chroot, so that links in the image resolve in it */
	script =
	    apo_xasprintf("set -e\n"
			  "if [ -d " STAGE "/files ]; then cp -R --preserve=mode,timestamps " STAGE
			  "/files/. /; fi\n"
			  "if [ -f " STAGE "/startup.sh ]; then mkdir -p %s && "
			  "install -m 0755 " STAGE "/startup.sh " APO_IMAGE_STARTUP "; fi\n",
			  "/apomon");
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	char *label = apo_xasprintf("files%s%s", b->def->files ? " files/" : "",
				    b->def->startup ? " startup.sh -> " APO_IMAGE_STARTUP : "");
	rc = run(b, label, 1, argv);
	free(label);
	umount2(at, MNT_DETACH);
	rmdir(at);
	return rc;
}

static int step_cleanup(struct build *b)
{
	_cleanup_free_ char *prc = apo_xasprintf("%s/usr/sbin/policy-rc.d", b->target);
	int rc = 0;

	unlink(prc);
	if (b->def->n_packages || !b->def->parent) {
		char *argv[] = {"/bin/sh", "-c",
				"apt-get clean && "
				"find /var/lib/apt/lists -mindepth 1 -maxdepth 1 "
				"! -name lock ! -name partial -exec rm -rf {} + && "
				"rm -f /var/cache/debconf/*-old /var/lib/dpkg/*-old",
				NULL};
		rc = run(b, "clean apt caches", 1, argv);
	}
	umount_api(b);
	if (!b->def->parent) {
		/* debootstrap copied the host's: an image carries neither */
		_cleanup_free_ char *resolv = apo_xasprintf("%s/etc/resolv.conf", b->root);
		_cleanup_free_ char *hostname = apo_xasprintf("%s/etc/hostname", b->root);
		const char *bad = resolv;
		int w = write_file(resolv, "", 0644);
		if (w == 0 && (w = write_file(hostname, "localhost\n", 0644)) < 0)
			bad = hostname;
		if (w < 0) {
			fprintf(stderr, "%s: %s: %s\n", b->def->name, bad, strerror(-w));
			if (rc == 0)
				rc = w;
		}
	}
	return rc;
}

/* Inside the build's own mount and PID namespaces; returns the exit status. */
static int build_steps(struct build *b)
{
	const struct apo_image_def *def = b->def;
	_cleanup_free_ char *prc = NULL;
	int rc;

	b->n_steps = (def->parent ? 0 : 1) + (def->n_packages ? 2 : 0) +
		     (def->files || def->startup ? 1 : 0) + (int)def->n_run +
		     (def->n_packages || !def->parent ? 1 : 0);
	if (!def->parent) {
		char *opt = apo_xasprintf("--cache-dir=%s", b->cache);
		/* the host's Debian keyring, and no fallback to an unchecked
		 * archive: a mirror or proxy in the path cannot slip packages in
		 * (tests/integration/image-unsigned.sh).  Debian 12's debootstrap
		 * already checks whenever --keyring names a file; the second
		 * flag keeps a missing keyring from ever meaning "unchecked" */
		char *argv[] = {"debootstrap",
				"--variant=minbase",
				"--keyring=" APO_DEBIAN_KEYRING,
				"--force-check-gpg",
				opt,
				def->suite,
				b->root,
				b->mirror,
				NULL};
		char *label = apo_xasprintf("debootstrap --variant=minbase %s from %s", def->suite,
					    b->mirror);
		rc = run(b, label, 0, argv);
		free(label);
		free(opt);
		if (rc < 0)
			return 1;
	} else {
		_cleanup_free_ char *opts = apo_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s",
							  b->lowerdir, b->root, b->work);
		if (mount("overlay", b->merged, "overlay", 0, opts) < 0) {
			fprintf(stderr, "%s: overlay over %s: %s\n", def->name, def->parent,
				strerror(errno));
			return 1;
		}
	}
	if (mount_api(b) < 0)
		return 1;
	/* no service may start while packages are installed */
	prc = apo_xasprintf("%s/usr/sbin/policy-rc.d", b->target);
	if ((rc = write_file(prc, "#!/bin/sh\n# apomon image build\nexit 101\n", 0755)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", def->name, prc, strerror(-rc));
		return 1;
	}
	if (def->n_packages && step_packages(b) < 0)
		return 1;
	if ((def->files || def->startup) && step_files(b) < 0)
		return 1;
	for (size_t i = 0; i < def->n_run; i++) {
		char *argv[] = {"/bin/sh", "-ec", def->run[i], NULL};
		/* the command as written, cut to one line of progress */
		char *label = apo_xasprintf("run: %.*s%s", 72, def->run[i],
					    strlen(def->run[i]) > 72 ? "..." : "");
		rc = run(b, label, 1, argv);
		free(label);
		if (rc < 0)
			return 1;
	}
	if (step_cleanup(b) < 0)
		return 1;
	if (def->parent)
		umount2(b->merged, 0);
	return 0;
}

static int build_init(void *ctx)
{
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rc = build_steps(ctx);
	fflush(NULL);
	return rc;
}

static int build_namespace(void *ctx)
{
	struct build *b = ctx;
	pid_t init;
	int status = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "%s: build namespace: %s\n", b->def->name, strerror(errno));
		return 1;
	}
	if (apo_spawn_fn(build_init, b, &init) < 0)
		return 1;
	apo_spawn_wait(init, &status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/*
 * Forks the build into a new mount and PID namespace: every mount it makes
 * goes away with it, and so does every process a maintainer script left
 * running (the namespace's init is the build itself).
 */
static int build_isolated(struct build *b)
{
	pid_t a;
	int status = 0, rc;

	fflush(NULL);
	if ((rc = apo_spawn_fn(build_namespace, b, &a)) < 0)
		return rc;
	apo_spawn_wait(a, &status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* Builds left behind by a crash: we hold the store lock, so none is running. */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, ".tmp-", 5))
			continue;
		char *p = apo_xasprintf("%s/%s", dir, e->d_name);
		apo_rmtree(p);
		free(p);
	}
	closedir(d);
}

static int copy_into(const char *src, const char *dst)
{
	char *const argv[] = {
	    "cp", "-R", "--preserve=mode,timestamps,links", "--", (char *)src, (char *)dst, NULL};

	return apo_spawn_run("/bin/cp", argv);
}

/* Git's modes for a definition's files: 0755 for a directory or a file
 * its owner may run, 0644 for the rest.  What a checkout or `make
 * install` made under the operator's umask (0700, 0600 under 077) does
 * not reach the layer, where `cp --preserve=mode` of files/etc would
 * have made the image's /etc root's alone; a mode of its own is a run
 * step's to set. */
static int normal_mode(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_SL || type == FTW_SLN)
		return 0;
	if (type == FTW_NS)
		return EIO; /* no stat: nothing to go by */
	mode_t want = type == FTW_D || type == FTW_DNR || (st->st_mode & S_IXUSR) ? 0755 : 0644;
	if ((st->st_mode & 07777) != want && chmod(path, want) < 0)
		return errno; /* positive: nftw returns it as it is */
	return 0;
}

static int normalise_modes(const char *dir)
{
	/* -1: nftw's own failure (errno); > 0: normal_mode's errno */
	int rc = nftw(dir, normal_mode, 16, FTW_PHYS);
	return rc < 0 ? -errno : -rc;
}

static void fmt_size(unsigned long long bytes, char *buf, size_t len)
{
	if (bytes >= 10ull << 20)
		snprintf(buf, len, "%llu MiB", bytes >> 20);
	else
		snprintf(buf, len, "%llu KiB", (bytes + 1023) >> 10);
}

static int build_one(const struct apo_image_def *def, const char *digest, const char *parent_digest,
		     const struct apo_image_opts *o)
{
	struct build b = {.def = def, .o = o};
	_cleanup_free_ char *dir = apo_image_path(def->name, NULL);
	_cleanup_free_ char *final = apo_xasprintf("%s/%s", dir, digest);
	_cleanup_free_ char *logdir = apo_images_log_dir();
	_cleanup_free_ char *json = NULL;
	struct apo_image_meta m = {0};
	time_t t0 = time(NULL);
	char size[32];
	int rc;

	if ((rc = apo_image_store_prepare()) < 0 || (rc = apo_mkdir_p(dir, 0755)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", def->name, dir, strerror(-rc));
		return rc;
	}
	remove_stale(dir);
	b.tmp = apo_xasprintf("%s/.tmp-XXXXXX", dir);
	if (!mkdtemp(b.tmp)) {
		rc = -errno;
		fprintf(stderr, "%s: %s: %s\n", def->name, b.tmp, strerror(errno));
		free(b.tmp);
		return rc;
	}
	chmod(b.tmp, 0755);
	b.root = apo_xasprintf("%s/root", b.tmp);
	b.stage = apo_xasprintf("%s/stage", b.tmp);
	if (mkdir(b.root, 0755) < 0 || mkdir(b.stage, 0700) < 0) {
		rc = -errno;
		goto out;
	}
	if (def->files) {
		_cleanup_free_ char *src = apo_xasprintf("%s/.", def->files);
		_cleanup_free_ char *dst = apo_xasprintf("%s/files", b.stage);
		if (mkdir(dst, 0755) < 0 || (rc = copy_into(src, dst)) < 0 ||
		    (rc = normalise_modes(dst)) < 0) {
			fprintf(stderr, "%s: files: cannot copy %s\n", def->name, def->files);
			rc = -EIO;
			goto out;
		}
	}
	if (def->startup) {
		_cleanup_free_ char *dst = apo_xasprintf("%s/startup.sh", b.stage);
		if ((rc = copy_into(def->startup, dst)) < 0) {
			fprintf(stderr, "%s: startup: cannot copy %s\n", def->name, def->startup);
			goto out;
		}
	}
	if (def->parent) {
		char **layers = NULL;
		size_t n = 0;
		struct apo_image_opts look = *o;

		look.build = false;
		look.progress = NULL;
		/* the parent was just ensured: this only reads the store */
		rc = apo_image_layers(def->parent, &look, &layers, &n);
		if (rc < 0)
			goto out;
		b.lowerdir = apo_image_lowerdir(layers, n);
		apo_image_layers_free(layers, n);
		b.work = apo_xasprintf("%s/work", b.tmp);
		b.merged = apo_xasprintf("%s/merged", b.tmp);
		if (mkdir(b.work, 0700) < 0 || mkdir(b.merged, 0755) < 0) {
			rc = -errno;
			goto out;
		}
		b.target = b.merged;
	} else {
		if (def->mirror) {
			b.mirror = apo_xstrdup(def->mirror);
		} else if (apo_mirror_default(NULL, def->suite, &b.mirror) < 0) {
			fprintf(stderr,
				"%s: no Debian mirror: the host's apt configuration names "
				"none for %s main; set mirror in %s or APOMON_MIRROR\n",
				def->name, def->suite, def->cfg_path);
			rc = -ENOENT;
			goto out;
		}
		b.cache = apo_image_path(".cache", "debootstrap");
		if ((rc = apo_mkdir_p(b.cache, 0755)) < 0)
			goto out;
		b.target = b.root;
	}
	if (apo_mkdir_p(logdir, 0755) == 0) {
		b.log_path = apo_xasprintf("%s/%s.log", logdir, def->name);
		b.log = fopen(b.log_path, "we");
		if (b.log) /* line by line: the log is the live view of a build */
			setvbuf(b.log, NULL, _IOLBF, 0);
	}
	progress(&b, "building (digest %.12s%s%s)", digest, def->parent ? ", on " : "",
		 def->parent ? def->parent : "");
	rc = build_isolated(&b);
	if (rc < 0)
		goto out;

	/* only the layer stays: overlay's workdir and the staging copy go */
	if (b.work && (rc = apo_rmtree(b.work)) < 0)
		goto out;
	if (b.merged)
		rmdir(b.merged);
	apo_rmtree(b.stage);
	m.name = def->name;
	m.digest = (char *)digest;
	m.parent = def->parent;
	m.parent_digest = (char *)parent_digest;
	m.origin = "build";
	m.created = (long long)time(NULL);
	m.size = apo_tree_size(b.root);
	m.seal = def->seal;
	m.n_seal = def->n_seal;
	json = apo_xasprintf("%s/image.json", b.tmp);
	if ((rc = apo_image_meta_save(json, &m)) < 0)
		goto out;
	if (access(final, F_OK) == 0)
		apo_rmtree(final); /* a layer without metadata: never completed */
	if (rename(b.tmp, final) < 0) {
		rc = -errno;
		fprintf(stderr, "%s: rename %s: %s\n", def->name, final, strerror(errno));
		goto out;
	}
	free(b.tmp);
	b.tmp = NULL;
	rc = apo_image_set_current(def->name, digest);
	fmt_size(m.size, size, sizeof(size));
	progress(&b, "built in %llds, %s (digest %.12s)", (long long)(time(NULL) - t0), size,
		 digest);
out:
	if (b.tmp) {
		apo_rmtree(b.tmp);
		rmdir(dir); /* only when this was its first build */
		fprintf(stderr, "%s: build failed; no layer was kept\n", def->name);
	}
	if (b.log)
		fclose(b.log);
	free(b.log_path);
	free(b.tmp);
	free(b.root);
	free(b.work);
	free(b.merged);
	free(b.stage);
	free(b.lowerdir);
	free(b.mirror);
	free(b.cache);
	return rc < 0 ? (rc == -EINVAL || rc == -ENOENT ? rc : -EIO) : 0;
}

static int ensure_locked(const char *name, const struct apo_image_opts *o, char **search, int depth,
			 char **digest)
{
	_cleanup_free_ char *dir = NULL, *parent_digest = NULL, *cur = NULL;
	struct apo_image_def *def = NULL;
	struct apo_image_meta *m = NULL;
	char hexd[APO_DIGEST_HEX + 1];
	struct apo_diag d;
	int rc;

	*digest = NULL;
	if (depth > 16) {
		fprintf(stderr, "%s: parent chain too long (a cycle?)\n", name);
		return -ELOOP;
	}
	dir = apo_image_def_find(search, name);
	if (!dir) {
		/* committed images have no definition: their layer is what there is */
		if (apo_image_current(name, &cur) == 0 && apo_image_meta_load(name, cur, &m) == 0) {
			apo_image_meta_free(m);
			*digest = cur;
			cur = NULL;
			return 0;
		}
		fprintf(stderr, "%s: no such image (searched", name);
		for (char **s = search; *s; s++)
			fprintf(stderr, " %s", *s);
		fprintf(stderr, ")\n");
		return -ENOENT;
	}
	apo_diag_init(&d);
	rc = apo_image_def_load(name, dir, &def, &d);
	if (rc < 0) {
		apo_diag_print(&d, stderr);
		apo_diag_clear(&d);
		return -EINVAL;
	}
	apo_diag_clear(&d);
	if (def->parent) {
		rc = ensure_locked(def->parent, o, search, depth + 1, &parent_digest);
		if (rc < 0)
			goto out;
	}
	rc = apo_image_digest(def, parent_digest, hexd);
	if (rc < 0) {
		fprintf(stderr, "%s: digest of %s: %s\n", name, def->dir, strerror(-rc));
		goto out;
	}
	if (apo_image_meta_load(name, hexd, &m) == 0) {
		apo_image_meta_free(m);
		if (o->build && (apo_image_current(name, &cur) < 0 || strcmp(cur, hexd)))
			apo_image_set_current(name, hexd);
		/* the image asked for, not each parent again: up's 8 images
		 * said "base: up to date" 8 times (a parent that is built
		 * still says so, with its build's steps) */
		if (o->progress && o->build && depth == 0) {
			fprintf(o->progress, "%s: up to date (digest %.12s)\n", name, hexd);
			fflush(o->progress);
		}
	} else if (!o->build) {
		fprintf(stderr, "%s: not built (apomon image build %s)\n", name, name);
		rc = -ENOENT;
		goto out;
	} else {
		rc = build_one(def, hexd, parent_digest, o);
		if (rc < 0)
			goto out;
	}
	*digest = apo_xstrdup(hexd);
out:
	apo_image_def_free(def);
	return rc;
}

int apo_image_ensure(const char *name, const struct apo_image_opts *o, char **digest)
{
	char **search;
	char *d = NULL;
	int lock = -1, rc;

	if (apo_image_ref_is_foreign(name))
		return apo_oci_ensure(name, o, digest); /* OCI images: oci-import.h */
	search = o->search ? o->search : apo_image_search_path(NULL, 0);

	if (o->build) {
		lock = apo_image_store_lock();
		if (lock < 0) {
			fprintf(stderr, "%s: images: lock: %s\n", name, strerror(-lock));
			rc = lock;
			goto out;
		}
	}
	rc = ensure_locked(name, o, search, 0, &d);
out:
	apo_image_store_unlock(lock);
	if (search != o->search)
		apo_strv_free(search);
	if (digest)
		*digest = d;
	else
		free(d);
	return rc;
}
