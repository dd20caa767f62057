/* SPDX-License-Identifier: MIT */
/*
 * Everything the launcher prepares to confine one station, before the
 * clone: its seccomp filter, its capabilities, its /proc masking, its
 * stdio (pipes to its logger), and the record of the filter and
 * capabilities that `apomon exec` applies to the commands it runs there.
 *
 *   state dir   .../stations/NAME/caps          the kept set, hex
 *               .../stations/NAME/seccomp.bpf   the filter, raw sock_filter[]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"
#include "runtime/station-log.h"
#include "runtime/station-priv.h"

static int write_atomic(const char *path, const void *data, size_t len)
{
	return apo_write_file_atomic(path, data, len, 0644, false);
}

int apo_station_confine(const struct apo_station_spec *s, struct apo_child_args *a, char **err)
{
	_cleanup_free_ char *state = apo_station_state_dir(s->env, s->name);
	_cleanup_free_ char *capsp = apo_xasprintf("%s/caps", state);
	_cleanup_free_ char *bpfp = apo_xasprintf("%s/seccomp.bpf", state);
	char hex[32];
	int rc;

	if ((rc = apo_seccomp_filter(s->seccomp_allow, &a->seccomp)) < 0) {
		*err = apo_xasprintf("%s: seccomp: %s", s->fqdn,
				     rc == -EINVAL ? "the type allows a syscall unknown here"
						   : strerror(-rc));
		return rc;
	}
	a->caps = apo_caps_kept(s->caps_drop);
	a->mask = !apo_test_weakened("mask");
	snprintf(hex, sizeof(hex), "%llx\n", a->caps);
	if ((rc = write_atomic(capsp, hex, strlen(hex))) < 0 ||
	    (rc = write_atomic(bpfp, a->seccomp->insns,
			       a->seccomp->len * sizeof(*a->seccomp->insns))) < 0) {
		*err = apo_xasprintf("%s: state: %s", s->fqdn, strerror(-rc));
		return rc;
	}
	rc = apo_logger_start(s->env, s->name, s->log_max_bytes, &a->log_fd, &a->status_fd,
			      &a->log_rfd, &a->status_rfd, &a->log_pending);
	if (rc < 0) {
		_cleanup_free_ char *prog = apo_logger_path();
		*err = apo_xasprintf("%s: log: start %s: %s", s->fqdn, prog, strerror(-rc));
		return rc;
	}
	/* APOMON_TEST_WEAKEN=fds: the host's log file itself, the hole the tests try */
	if (apo_test_weakened("fds")) {
		_cleanup_free_ char *logp = apo_station_log_path(s->env, s->name);
		/* (O_CREAT: the logger may not have made it yet) */
		int fd = apo_high_fd(open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
		if (fd >= 0) {
			close(a->log_fd);
			a->log_fd = fd;
		}
	}
	return 0;
}

static int read_file(const char *path, void *buf, size_t cap, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap);
	if (n < 0)
		return -errno;
	*len = (size_t)n;
	return 0;
}

int apo_station_confinement(const char *env, const char *name, struct apo_bpf *bpf,
			    unsigned long long *caps)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *capsp = apo_xasprintf("%s/caps", state);
	_cleanup_free_ char *bpfp = apo_xasprintf("%s/seccomp.bpf", state);
	const struct apo_bpf *def;
	char hex[32] = {0};
	size_t len = 0;
	int rc;

	*caps = apo_caps_kept(0);
	if (read_file(capsp, hex, sizeof(hex) - 1, &len) == 0 && len)
		*caps = strtoull(hex, NULL, 16);
	bpf->insns = apo_xmalloc(BPF_MAXINSNS * sizeof(*bpf->insns));
	if (read_file(bpfp, bpf->insns, BPF_MAXINSNS * sizeof(*bpf->insns), &len) == 0) {
		bpf->len = (unsigned short)(len / sizeof(*bpf->insns));
		return 0;
	}
	/* a station started before it had a record: the default filter */
	if ((rc = apo_seccomp_filter(NULL, &def)) < 0)
		return rc;
	memcpy(bpf->insns, def->insns, def->len * sizeof(*def->insns));
	bpf->len = def->len;
	return 0;
}
