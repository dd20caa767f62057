/* SPDX-License-Identifier: MIT */
/*
 * A station's seccomp filter: a deny list modelled on the default profile
 * of Docker and runc (which is an allow list of about 350 calls; a deny
 * list of what reaches the host's kernel state is shorter, as cheap to
 * run, and lets new harmless syscalls through).  Refused calls fail with
 * EPERM, never kill: a server that probes for a feature gets an error it
 * handles.  Built once with libseccomp into a BPF program; a station's
 * child only loads it.
 */
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/confine.h"

/* Unconditionally refused: kernel state shared with the host (keys, BPF,
 * perf, modules, kexec, clock, swap, accounting, quotas), raw hardware
 * access, file handles (the Shocker escape), mounts and namespaces
 * (already refused to a station without CAP_SYS_ADMIN: a second wall),
 * and io_uring, whose requests no filter sees. */
const char *const apo_seccomp_denied[] = {
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "query_module",
    "get_kernel_syms",
    "open_by_handle_at",
    "name_to_handle_at",
    "iopl",
    "ioperm",
    "swapon",
    "swapoff",
    "reboot",
    "settimeofday",
    "stime",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "acct",
    "quotactl",
    "quotactl_fd",
    "userfaultfd",
    "lookup_dcookie",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "open_tree",
    "move_mount",
    "mount_setattr",
    "setns",
    "syslog",
    "vhangup",
    "uselib",
    "_sysctl",
    "nfsservctl",
    "vm86",
    "vm86old",
    "fanotify_init",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    NULL,
};

/* personality(2) flags that weaken the address space (runc allows only
 * PER_LINUX, PER_LINUX32, UNAME26 and the 0xffffffff query). */
static const unsigned long unsafe_persona[] = {ADDR_NO_RANDOMIZE, MMAP_PAGE_ZERO,
					       ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC};

static bool allowed(const char *const *allow, const char *name)
{
	for (; allow && *allow; allow++)
		if (!strcmp(*allow, name))
			return true;
	return false;
}

/* A rule for a call this architecture may not have: skipped, not an error. */
static int deny(scmp_filter_ctx c, const char *const *allow, const char *name, int err, unsigned n,
		const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR || allowed(allow, name))
		return 0;
	return seccomp_rule_add_array(c, SCMP_ACT_ERRNO(err), nr, n, cmp);
}

static int check_allow(const char *const *allow)
{
	for (; allow && *allow; allow++)
		if (seccomp_syscall_resolve_name(*allow) == __NR_SCMP_ERROR)
			return -EINVAL;
	return 0;
}

static int build(const char *const *allow, struct apo_bpf *out)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	int rc = 0, fd = -1;
	off_t size;

	if (!c)
		return -ENOMEM;
	/* a binary tree of syscall numbers, not a chain: fewer instructions
	 * per call, and a load several times cheaper (the kernel runs the
	 * filter for every syscall number to build its action cache) */
	if ((rc = seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		goto out;
	/* a 32-bit program in a station is filtered, not killed (a filter
	 * kills calls of architectures it does not list) */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		if ((rc = seccomp_arch_add(c, SCMP_ARCH_X86)) < 0 && rc != -EEXIST)
			goto out;
		if ((rc = seccomp_arch_add(c, SCMP_ARCH_X32)) < 0 && rc != -EEXIST)
			goto out;
		rc = 0;
	}
	for (size_t i = 0; apo_seccomp_denied[i] && !rc; i++)
		rc = deny(c, allow, apo_seccomp_denied[i], EPERM, 0, NULL);
	/* pushing keystrokes into a terminal shared with the host (the
	 * operator's), or rewriting a console; the command is 32 bits */
	const struct scmp_arg_cmp sti = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
	const struct scmp_arg_cmp linux_ = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
	if (!rc)
		rc = deny(c, allow, "ioctl", EPERM, 1, &sti);
	if (!rc)
		rc = deny(c, allow, "ioctl", EPERM, 1, &linux_);
	/* a new user namespace gives back every capability inside it, and
	 * with them the kernel's less travelled paths */
	const struct scmp_arg_cmp newuser =
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
	if (!rc)
		rc = deny(c, allow, "unshare", EPERM, 1, &newuser);
	if (!rc)
		rc = deny(c, allow, "clone", EPERM, 1, &newuser);
	/* clone3 passes its flags in memory a filter cannot read: ENOSYS makes
	 * the C library fall back to clone, as under runc */
	if (!rc)
		rc = deny(c, allow, "clone3", ENOSYS, 0, NULL);
	/* one comparison per argument and rule: "an unsafe bit set, but not
	 * the 0xffffffff query" becomes "an unsafe bit set and bit 31 clear",
	 * plus "bit 31 set and one of bits 0-30 clear" (no valid persona has
	 * bit 31; the kernel reads the low 32 bits only) */
	for (size_t i = 0; i < APO_ARRAY_SIZE(unsafe_persona) && !rc; i++) {
		const struct scmp_arg_cmp p =
		    SCMP_A0(SCMP_CMP_MASKED_EQ, unsafe_persona[i] | 0x80000000u, unsafe_persona[i]);
		rc = deny(c, allow, "personality", EPERM, 1, &p);
	}
	for (unsigned k = 0; k < 31 && !rc; k++) {
		const struct scmp_arg_cmp p =
		    SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u | (1u << k), 0x80000000u);
		rc = deny(c, allow, "personality", EPERM, 1, &p);
	}
	if (rc)
		goto out;
	/* libseccomp 2.5 exports to a descriptor only */
	fd = memfd_create("apomon-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = seccomp_export_bpf(c, fd)) < 0)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rc = -EIO;
		goto out;
	}
	out->insns = apo_xmalloc((size_t)size);
	out->len = (unsigned short)(size / sizeof(struct sock_filter));
	if (pread(fd, out->insns, (size_t)size, 0) != size) {
		free(out->insns);
		out->insns = NULL;
		out->len = 0;
		rc = -EIO;
	}
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(c);
	return rc;
}

/* Types name their exceptions in static arrays: the pointer is the key. */
static struct cached {
	const char *const *allow;
	struct apo_bpf bpf;
} cache[16];
static size_t n_cached;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct apo_bpf none;

int apo_seccomp_filter(const char *const *allow, const struct apo_bpf **out)
{
	struct apo_bpf b = {0};
	int rc = 0;

	*out = NULL;
	if (apo_test_weakened("seccomp")) {
		*out = &none;
		return 0;
	}
	if ((rc = check_allow(allow)) < 0)
		return rc;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < n_cached; i++) {
		if (cache[i].allow == allow) {
			*out = &cache[i].bpf;
			goto out;
		}
	}
	if ((rc = build(allow, &b)) < 0)
		goto out;
	if (n_cached == APO_ARRAY_SIZE(cache)) {
		/* more distinct lists than types: launches may still hold every
		 * cached one, so the extra one is never freed */
		struct apo_bpf *extra = apo_xmalloc(sizeof(*extra));
		*extra = b;
		*out = extra;
		goto out;
	}
	cache[n_cached].allow = allow;
	cache[n_cached].bpf = b;
	*out = &cache[n_cached++].bpf;
out:
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

int apo_seccomp_load(const struct apo_bpf *f)
{
	struct sock_fprog prog;

	if (!f || !f->len)
		return 0;
	prog.len = f->len;
	prog.filter = f->insns;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

bool apo_test_weakened(const char *what)
{
	const char *w = getenv("APOMON_TEST_WEAKEN");
	size_t n = strlen(what);

	for (const char *p = w; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, what, n))
			return true;
		p = e ? e + 1 : p + len;
	}
	return false;
}
