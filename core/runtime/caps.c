/* SPDX-License-Identifier: MIT */
/* A station keeps at most Docker's default capabilities, less MKNOD (its
 * /dev is made by the launcher): nothing that reaches the host's kernel
 * state (SYS_ADMIN, SYS_MODULE, SYS_TIME, SYS_BOOT, SYS_RAWIO, SYS_NICE,
 * SYS_RESOURCE, IPC_LOCK), no DAC_READ_SEARCH (open_by_handle_at: the
 * Shocker escape), no NET_ADMIN even on the backbone (its forwarding and
 * routes are set from outside).  A type may keep fewer.  Raw
 * prctl/capset: no libcap. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/confine.h"
#include "runtime/station.h"

#define BIT(c) (1ULL << (c))

unsigned long long apo_caps_kept(unsigned long long drop)
{
	unsigned long long keep = BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) |
				  BIT(CAP_FSETID) | BIT(CAP_KILL) | BIT(CAP_SETGID) |
				  BIT(CAP_SETUID) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
				  BIT(CAP_NET_RAW) | BIT(CAP_SYS_CHROOT) | BIT(CAP_AUDIT_WRITE) |
				  BIT(CAP_SETFCAP);

	/* APOMON_TEST_WEAKEN=caps: far more than Docker's set, the hole the tests try */
	if (apo_test_weakened("caps"))
		keep |= BIT(CAP_DAC_READ_SEARCH) | BIT(CAP_SYS_ADMIN) | BIT(CAP_SYS_MODULE) |
			BIT(CAP_SYS_TIME) | BIT(CAP_SYS_BOOT) | BIT(CAP_NET_ADMIN) |
			BIT(CAP_SYS_RAWIO);
	return keep & ~drop;
}

static int last_cap(void)
{
	char buf[16] = {0};
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	int last = CAP_LAST_CAP;

	/* the running kernel may know more than our headers */
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			last = atoi(buf);
		close(fd);
	}
	return last;
}

/* No allocation: runs in the launcher's child between clone and exec. */
int apo_caps_drop(unsigned long long keep)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};
	unsigned long long have;
	int last = last_cap();

	/* we may run with less than everything (a confined host) */
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	have = data[0].permitted | ((unsigned long long)data[1].permitted << 32);
	keep &= have;
	for (int c = 0; c <= last; c++) {
		if (c < 64 && (keep & BIT(c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	/* root regains the bounding set at exec; inheritable must go too */
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}
