/* SPDX-License-Identifier: MIT */
/* libarchive, opened on first use (base/dl.h): include <archive.h> and
 * call it as usual; apo_archive_open() first where a clear error matters. */
#ifndef APO_DL_ARCHIVE_H
#define APO_DL_ARCHIVE_H

/* 0, or -ELIBACC and *why: why libarchive cannot be used (caller frees). */
int apo_archive_open(char **why);

#endif
