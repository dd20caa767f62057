/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/oci-sniff.h"
#include "base/util.h"

#define EXPECTED_TAR                                                                               \
	"expected an OCI archive (a tar holding oci-layout and index.json) or a docker save "      \
	"archive (a tar holding manifest.json), plain or compressed"

static const char *const transports[] = {"docker", "oci", "oci-archive", "docker-archive",
					 "dockerfile"};

static bool has_transport(const char *arg)
{
	const char *colon = strchr(arg, ':');

	for (size_t i = 0; colon && i < APO_ARRAY_SIZE(transports); i++)
		if (strlen(transports[i]) == (size_t)(colon - arg) &&
		    !strncmp(arg, transports[i], (size_t)(colon - arg)))
			return true;
	return false;
}

static bool reg_in(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

static int sniff_dir(const char *path, char **ref)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool layout, index;

	if (fd < 0) {
		fprintf(stderr, "apomon: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	layout = reg_in(fd, "oci-layout");
	index = reg_in(fd, "index.json");
	if (!layout || !index) {
		fprintf(stderr,
			"apomon: %s: not an OCI image layout: expected a directory holding "
			"oci-layout and index.json (%s missing)\n",
			path,
			!layout && !index ? "both"
			: !layout	  ? "oci-layout"
					  : "index.json");
		return -EINVAL;
	}
	*ref = apo_xasprintf("oci:%s", path);
	return 0;
}

/* Headers only: libarchive skips the data of an uncompressed tar by seeking. */
static int sniff_tar(const char *path, char **ref)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool layout = false, index = false, manifest = false;
	int r, rc = 0;

	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	r = archive_read_open_filename(a, path, 256 * 1024);
	while (r == ARCHIVE_OK && !(layout && index) &&
	       (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(e);
		while (n[0] == '.' && n[1] == '/')
			n += 2;
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		layout |= !strcmp(n, "oci-layout");
		index |= !strcmp(n, "index.json");
		manifest |= !strcmp(n, "manifest.json");
	}
	if (layout && index) {
		*ref = apo_xasprintf("oci-archive:%s", path);
	} else if (r == ARCHIVE_EOF && manifest) {
		*ref = apo_xasprintf("docker-archive:%s", path);
	} else if (r == ARCHIVE_EOF) {
		fprintf(stderr, "apomon: %s: not an image archive: %s; none of them in it\n", path,
			EXPECTED_TAR);
		rc = -EINVAL;
	} else {
		const char *why = archive_error_string(a);
		fprintf(stderr, "apomon: %s: not an image archive: %s (%s)\n", path, EXPECTED_TAR,
			why ? why : "unreadable");
		rc = -EINVAL;
	}
	archive_read_free(a);
	return rc;
}

int apo_oci_import_source(const char *arg, char **ref)
{
	struct stat st;

	*ref = NULL;
	if (has_transport(arg)) {
		*ref = apo_xstrdup(arg);
		return 0;
	}
	if (stat(arg, &st) < 0) {
		int rc = -errno;
		fprintf(stderr,
			"apomon: %s: %s (expected a file or directory, or a reference such as "
			"oci-archive:FILE)\n",
			arg, strerror(errno));
		return rc;
	}
	/* a transport's path ends at its first ':' (containers-transports(5)) */
	if (strchr(arg, ':')) {
		fprintf(stderr,
			"apomon: %s: a path with ':' cannot be spelled as an image reference; "
			"rename it or link it under another name\n",
			arg);
		return -EINVAL;
	}
	if (S_ISDIR(st.st_mode))
		return sniff_dir(arg, ref);
	if (S_ISREG(st.st_mode))
		return sniff_tar(arg, ref);
	fprintf(stderr, "apomon: %s: neither a file nor a directory: %s\n", arg, EXPECTED_TAR);
	return -EINVAL;
}
