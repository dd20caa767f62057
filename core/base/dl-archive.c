/* SPDX-License-Identifier: MIT */
/*
 * libarchive's functions that apomon calls (OCI layers: import, unpack,
 * export), forwarded to libarchive.so.13 opened on the first call
 * (base/dl.h): linked, it brought libxml2 and ICU into every command.
 * Each definition has the prototype of the library's header, so a
 * mismatch does not compile.  A function on an object returns the
 * library's failure value only when no object can exist (not loaded).
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/dl-archive.h"
#include "base/dl.h"

/* clang-format off: one function a line */
#define ARCHIVE_FNS(X)                                                                             \
	X(archive_entry_filetype)                                                                  \
	X(archive_entry_free)                                                                      \
	X(archive_entry_hardlink)                                                                  \
	X(archive_entry_linkify)                                                                   \
	X(archive_entry_linkresolver_free)                                                         \
	X(archive_entry_linkresolver_new)                                                          \
	X(archive_entry_linkresolver_set_strategy)                                                 \
	X(archive_entry_new)                                                                       \
	X(archive_entry_pathname)                                                                  \
	X(archive_entry_rdev)                                                                      \
	X(archive_entry_set_filetype)                                                              \
	X(archive_entry_set_gid)                                                                   \
	X(archive_entry_set_gname)                                                                 \
	X(archive_entry_set_hardlink)                                                              \
	X(archive_entry_set_pathname)                                                              \
	X(archive_entry_set_perm)                                                                  \
	X(archive_entry_set_rdev)                                                                  \
	X(archive_entry_set_size)                                                                  \
	X(archive_entry_set_uid)                                                                   \
	X(archive_entry_set_uname)                                                                 \
	X(archive_entry_size)                                                                      \
	X(archive_entry_sourcepath)                                                                \
	X(archive_entry_xattr_add_entry)                                                           \
	X(archive_entry_xattr_clear)                                                               \
	X(archive_entry_xattr_next)                                                                \
	X(archive_entry_xattr_reset)                                                               \
	X(archive_errno)                                                                           \
	X(archive_error_string)                                                                    \
	X(archive_format)                                                                          \
	X(archive_read_data)                                                                       \
	X(archive_read_data_block)                                                                 \
	X(archive_read_disk_descend)                                                               \
	X(archive_read_disk_new)                                                                   \
	X(archive_read_disk_open)                                                                  \
	X(archive_read_disk_set_behavior)                                                          \
	X(archive_read_disk_set_standard_lookup)                                                   \
	X(archive_read_free)                                                                       \
	X(archive_read_new)                                                                        \
	X(archive_read_next_header)                                                                \
	X(archive_read_next_header2)                                                               \
	X(archive_read_open)                                                                       \
	X(archive_read_open_filename)                                                              \
	X(archive_read_support_filter_all)                                                         \
	X(archive_read_support_format_raw)                                                         \
	X(archive_read_support_format_tar)                                                         \
	X(archive_set_error)                                                                       \
	X(archive_write_add_filter_gzip)                                                           \
	X(archive_write_close)                                                                     \
	X(archive_write_data)                                                                      \
	X(archive_write_data_block)                                                                \
	X(archive_write_disk_new)                                                                  \
	X(archive_write_disk_set_options)                                                          \
	X(archive_write_disk_set_standard_lookup)                                                  \
	X(archive_write_finish_entry)                                                              \
	X(archive_write_free)                                                                      \
	X(archive_write_header)                                                                    \
	X(archive_write_new)                                                                       \
	X(archive_write_open2)                                                                     \
	X(archive_write_open_filename)                                                             \
	X(archive_write_set_bytes_in_last_block)                                                   \
	X(archive_write_set_format_option)                                                         \
	X(archive_write_set_format_pax_restricted)                                                 \
	X(archive_write_set_format_raw)                                                            \
	X(archive_write_set_options)                                                               \
	/* end */
/* clang-format on */

#define INDEX(f) I_##f,
#define NAME(f)	 #f,
enum { ARCHIVE_FNS(INDEX) N_FNS };
static const char *const names[] = {ARCHIVE_FNS(NAME)};
static void *fns[N_FNS];
static struct apo_dl lib = APO_DL_INIT("libarchive.so.13", "libarchive13", names, fns);

#define F(f)	((__typeof__(&(f)))fns[I_##f])
#define READY() apo_dl_ready(&lib)

int apo_archive_open(char **why)
{
	return apo_dl_open(&lib, why);
}

/* apomon's callbacks format their own messages: passed on as "%s" */
void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!READY())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	F(archive_set_error)(a, err, "%s", msg);
}

mode_t archive_entry_filetype(struct archive_entry *a0)
{
	return READY() ? F(archive_entry_filetype)(a0) : 0;
}

void archive_entry_free(struct archive_entry *a0)
{
	if (READY())
		F(archive_entry_free)(a0);
}

const char *archive_entry_hardlink(struct archive_entry *a0)
{
	return READY() ? F(archive_entry_hardlink)(a0) : NULL;
}

void archive_entry_linkify(struct archive_entry_linkresolver *a0, struct archive_entry **a1,
			   struct archive_entry **a2)
{
	if (READY())
		F(archive_entry_linkify)(a0, a1, a2);
}

void archive_entry_linkresolver_free(struct archive_entry_linkresolver *a0)
{
	if (READY())
		F(archive_entry_linkresolver_free)(a0);
}

struct archive_entry_linkresolver *archive_entry_linkresolver_new(void)
{
	return READY() ? F(archive_entry_linkresolver_new)() : NULL;
}

void archive_entry_linkresolver_set_strategy(struct archive_entry_linkresolver *a0, int a1)
{
	if (READY())
		F(archive_entry_linkresolver_set_strategy)(a0, a1);
}

struct archive_entry *archive_entry_new(void)
{
	return READY() ? F(archive_entry_new)() : NULL;
}

const char *archive_entry_pathname(struct archive_entry *a0)
{
	return READY() ? F(archive_entry_pathname)(a0) : NULL;
}

dev_t archive_entry_rdev(struct archive_entry *a0)
{
	return READY() ? F(archive_entry_rdev)(a0) : 0;
}

void archive_entry_set_filetype(struct archive_entry *a0, unsigned int a1)
{
	if (READY())
		F(archive_entry_set_filetype)(a0, a1);
}

void archive_entry_set_gid(struct archive_entry *a0, la_int64_t a1)
{
	if (READY())
		F(archive_entry_set_gid)(a0, a1);
}

void archive_entry_set_gname(struct archive_entry *a0, const char *a1)
{
	if (READY())
		F(archive_entry_set_gname)(a0, a1);
}

void archive_entry_set_hardlink(struct archive_entry *a0, const char *a1)
{
	if (READY())
		F(archive_entry_set_hardlink)(a0, a1);
}

void archive_entry_set_pathname(struct archive_entry *a0, const char *a1)
{
	if (READY())
		F(archive_entry_set_pathname)(a0, a1);
}

void archive_entry_set_perm(struct archive_entry *a0, mode_t a1)
{
	if (READY())
		F(archive_entry_set_perm)(a0, a1);
}

void archive_entry_set_rdev(struct archive_entry *a0, dev_t a1)
{
	if (READY())
		F(archive_entry_set_rdev)(a0, a1);
}

void archive_entry_set_size(struct archive_entry *a0, la_int64_t a1)
{
	if (READY())
		F(archive_entry_set_size)(a0, a1);
}

void archive_entry_set_uid(struct archive_entry *a0, la_int64_t a1)
{
	if (READY())
		F(archive_entry_set_uid)(a0, a1);
}

void archive_entry_set_uname(struct archive_entry *a0, const char *a1)
{
	if (READY())
		F(archive_entry_set_uname)(a0, a1);
}

la_int64_t archive_entry_size(struct archive_entry *a0)
{
	return READY() ? F(archive_entry_size)(a0) : 0;
}

const char *archive_entry_sourcepath(struct archive_entry *a0)
{
	return READY() ? F(archive_entry_sourcepath)(a0) : NULL;
}

void archive_entry_xattr_add_entry(struct archive_entry *a0, const char *a1, const void *a2,
				   size_t a3)
{
	if (READY())
		F(archive_entry_xattr_add_entry)(a0, a1, a2, a3);
}

void archive_entry_xattr_clear(struct archive_entry *a0)
{
	if (READY())
		F(archive_entry_xattr_clear)(a0);
}

int archive_entry_xattr_next(struct archive_entry *a0, const char **a1, const void **a2, size_t *a3)
{
	return READY() ? F(archive_entry_xattr_next)(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

int archive_entry_xattr_reset(struct archive_entry *a0)
{
	return READY() ? F(archive_entry_xattr_reset)(a0) : ARCHIVE_FATAL;
}

int archive_errno(struct archive *a0)
{
	return READY() ? F(archive_errno)(a0) : ARCHIVE_FATAL;
}

const char *archive_error_string(struct archive *a0)
{
	return READY() ? F(archive_error_string)(a0) : NULL;
}

int archive_format(struct archive *a0)
{
	return READY() ? F(archive_format)(a0) : ARCHIVE_FATAL;
}

la_ssize_t archive_read_data(struct archive *a0, void *a1, size_t a2)
{
	return READY() ? F(archive_read_data)(a0, a1, a2) : ARCHIVE_FATAL;
}

int archive_read_data_block(struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3)
{
	return READY() ? F(archive_read_data_block)(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

int archive_read_disk_descend(struct archive *a0)
{
	return READY() ? F(archive_read_disk_descend)(a0) : ARCHIVE_FATAL;
}

struct archive *archive_read_disk_new(void)
{
	return READY() ? F(archive_read_disk_new)() : NULL;
}

int archive_read_disk_open(struct archive *a0, const char *a1)
{
	return READY() ? F(archive_read_disk_open)(a0, a1) : ARCHIVE_FATAL;
}

int archive_read_disk_set_behavior(struct archive *a0, int a1)
{
	return READY() ? F(archive_read_disk_set_behavior)(a0, a1) : ARCHIVE_FATAL;
}

int archive_read_disk_set_standard_lookup(struct archive *a0)
{
	return READY() ? F(archive_read_disk_set_standard_lookup)(a0) : ARCHIVE_FATAL;
}

int archive_read_free(struct archive *a0)
{
	return READY() ? F(archive_read_free)(a0) : ARCHIVE_OK;
}

struct archive *archive_read_new(void)
{
	return READY() ? F(archive_read_new)() : NULL;
}

int archive_read_next_header(struct archive *a0, struct archive_entry **a1)
{
	return READY() ? F(archive_read_next_header)(a0, a1) : ARCHIVE_FATAL;
}

int archive_read_next_header2(struct archive *a0, struct archive_entry *a1)
{
	return READY() ? F(archive_read_next_header2)(a0, a1) : ARCHIVE_FATAL;
}

int archive_read_open(struct archive *a0, void *a1, archive_open_callback *a2,
		      archive_read_callback *a3, archive_close_callback *a4)
{
	return READY() ? F(archive_read_open)(a0, a1, a2, a3, a4) : ARCHIVE_FATAL;
}

int archive_read_open_filename(struct archive *a0, const char *a1, size_t a2)
{
	return READY() ? F(archive_read_open_filename)(a0, a1, a2) : ARCHIVE_FATAL;
}

int archive_read_support_filter_all(struct archive *a0)
{
	return READY() ? F(archive_read_support_filter_all)(a0) : ARCHIVE_FATAL;
}

int archive_read_support_format_raw(struct archive *a0)
{
	return READY() ? F(archive_read_support_format_raw)(a0) : ARCHIVE_FATAL;
}

int archive_read_support_format_tar(struct archive *a0)
{
	return READY() ? F(archive_read_support_format_tar)(a0) : ARCHIVE_FATAL;
}

int archive_write_add_filter_gzip(struct archive *a0)
{
	return READY() ? F(archive_write_add_filter_gzip)(a0) : ARCHIVE_FATAL;
}

int archive_write_close(struct archive *a0)
{
	return READY() ? F(archive_write_close)(a0) : ARCHIVE_FATAL;
}

la_ssize_t archive_write_data(struct archive *a0, const void *a1, size_t a2)
{
	return READY() ? F(archive_write_data)(a0, a1, a2) : ARCHIVE_FATAL;
}

la_ssize_t archive_write_data_block(struct archive *a0, const void *a1, size_t a2, la_int64_t a3)
{
	return READY() ? F(archive_write_data_block)(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

struct archive *archive_write_disk_new(void)
{
	return READY() ? F(archive_write_disk_new)() : NULL;
}

int archive_write_disk_set_options(struct archive *a0, int a1)
{
	return READY() ? F(archive_write_disk_set_options)(a0, a1) : ARCHIVE_FATAL;
}

int archive_write_disk_set_standard_lookup(struct archive *a0)
{
	return READY() ? F(archive_write_disk_set_standard_lookup)(a0) : ARCHIVE_FATAL;
}

int archive_write_finish_entry(struct archive *a0)
{
	return READY() ? F(archive_write_finish_entry)(a0) : ARCHIVE_FATAL;
}

int archive_write_free(struct archive *a0)
{
	return READY() ? F(archive_write_free)(a0) : ARCHIVE_OK;
}

int archive_write_header(struct archive *a0, struct archive_entry *a1)
{
	return READY() ? F(archive_write_header)(a0, a1) : ARCHIVE_FATAL;
}

struct archive *archive_write_new(void)
{
	return READY() ? F(archive_write_new)() : NULL;
}

int archive_write_open2(struct archive *a0, void *a1, archive_open_callback *a2,
			archive_write_callback *a3, archive_close_callback *a4,
			archive_free_callback *a5)
{
	return READY() ? F(archive_write_open2)(a0, a1, a2, a3, a4, a5) : ARCHIVE_FATAL;
}

int archive_write_open_filename(struct archive *a0, const char *a1)
{
	return READY() ? F(archive_write_open_filename)(a0, a1) : ARCHIVE_FATAL;
}

int archive_write_set_bytes_in_last_block(struct archive *a0, int a1)
{
	return READY() ? F(archive_write_set_bytes_in_last_block)(a0, a1) : ARCHIVE_FATAL;
}

int archive_write_set_format_option(struct archive *a0, const char *a1, const char *a2,
				    const char *a3)
{
	return READY() ? F(archive_write_set_format_option)(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

int archive_write_set_format_pax_restricted(struct archive *a0)
{
	return READY() ? F(archive_write_set_format_pax_restricted)(a0) : ARCHIVE_FATAL;
}

int archive_write_set_format_raw(struct archive *a0)
{
	return READY() ? F(archive_write_set_format_raw)(a0) : ARCHIVE_FATAL;
}

int archive_write_set_options(struct archive *a0, const char *a1)
{
	return READY() ? F(archive_write_set_options)(a0, a1) : ARCHIVE_FATAL;
}
