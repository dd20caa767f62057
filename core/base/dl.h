/* SPDX-License-Identifier: MIT */
/*
 * Libraries opened on first use instead of at start.  Linking libcurl,
 * libnftables and libarchive cost every command, `apomon --version`
 * included, most of its 50 ms in the dynamic loader (their dependencies:
 * gnutls, krb5, ldap, libxml2, ICU...; bench/command-start.sh).  Each
 * such library has a module of its own (dl-curl.c, dl-nft.c,
 * dl-archive.c) that defines the library's functions apomon calls, with
 * the prototypes of the library's own header, as forwarders to the
 * library opened by its SONAME on the first call: callers include the
 * library's header and call it as if it were linked.
 *
 * A forwarder that creates something (curl_easy_init, nft_ctx_new,
 * archive_read_new...) returns the library's failure value when the
 * library cannot be loaded; apo_LIB_open() says why in one line.
 */
#ifndef APO_DL_H
#define APO_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct apo_dl {
	const char *soname;	  /* "libcurl.so.4" */
	const char *package;	  /* the Debian package that ships it */
	const char *const *names; /* the functions to resolve, in fns' order */
	void **fns;		  /* filled by the first apo_dl_ready() */
	size_t n;
	pthread_mutex_t lock;
	int state; /* 0: not tried, 1: loaded, -1: failed (why says why) */
	char why[512];
};

#define APO_DL_INIT(so, pkg, names_, fns_)                                                         \
	{                                                                                          \
		.soname = (so), .package = (pkg), .names = (names_), .fns = (fns_),                \
		.n = sizeof(names_) / sizeof((names_)[0]), .lock = PTHREAD_MUTEX_INITIALIZER,      \
	}

/* Loads the library once (thread-safe); true when all its functions are
 * there.  Never loads after apomon changed its root (a station's root
 * holds the station's libraries): it fails instead. */
bool apo_dl_ready(struct apo_dl *l);

/* 0, or -ELIBACC and *why (caller frees) the one line saying why the
 * library cannot be used; why may be NULL. */
int apo_dl_open(struct apo_dl *l, char **why);

#endif
