/* SPDX-License-Identifier: MIT */
/*
 * libcurl's functions that apomon calls, forwarded to libcurl.so.4 opened
 * on the first call (base/dl.h).  Each definition has the prototype of
 * curl's header, so a mismatch does not compile.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdarg.h>

#include "base/dl-curl.h"
#include "base/dl.h"

/* clang-format off: one function a line */
#define CURL_FNS(X)                                                                                \
	X(curl_global_init)                                                                        \
	X(curl_easy_init)                                                                          \
	X(curl_easy_cleanup)                                                                       \
	X(curl_easy_setopt)                                                                        \
	X(curl_easy_getinfo)                                                                       \
	X(curl_easy_perform)                                                                       \
	X(curl_easy_strerror)                                                                      \
	X(curl_easy_escape)                                                                        \
	X(curl_free)                                                                               \
	X(curl_slist_append)                                                                       \
	X(curl_slist_free_all)                                                                     \
	X(curl_url)                                                                                \
	X(curl_url_cleanup)                                                                        \
	X(curl_url_get)                                                                            \
	X(curl_url_set)                                                                            \
	/* end */
/* clang-format on */

#define INDEX(f) I_##f,
#define NAME(f)	 #f,
enum { CURL_FNS(INDEX) N_FNS };
static const char *const names[] = {CURL_FNS(NAME)};
static void *fns[N_FNS];
static struct apo_dl lib = APO_DL_INIT("libcurl.so.4", "libcurl4", names, fns);

/* the library's function f, with the type of its declaration */
#define F(f)	((__typeof__(&(f)))fns[I_##f])
#define READY() apo_dl_ready(&lib)

int apo_curl_open(char **why)
{
	return apo_dl_open(&lib, why);
}

CURLcode curl_global_init(long flags)
{
	return READY() ? F(curl_global_init)(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return READY() ? F(curl_easy_init)() : NULL;
}

void curl_easy_cleanup(CURL *c)
{
	if (READY())
		F(curl_easy_cleanup)(c);
}

/* One argument follows, of the type the option's number range says
 * (curl.h: CURLOPTTYPE_*), as curl itself reads it. */
CURLcode(curl_easy_setopt)(CURL *c, CURLoption o, ...)
{
	va_list ap;
	CURLcode rc;

	if (!READY())
		return CURLE_FAILED_INIT;
	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		rc = F(curl_easy_setopt)(c, o, va_arg(ap, long));
	else if (o >= CURLOPTTYPE_OFF_T && o < CURLOPTTYPE_BLOB)
		rc = F(curl_easy_setopt)(c, o, va_arg(ap, curl_off_t));
	else /* object, function and blob pointers */
		rc = F(curl_easy_setopt)(c, o, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode(curl_easy_getinfo)(CURL *c, CURLINFO info, ...)
{
	va_list ap;
	CURLcode rc;

	if (!READY())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = F(curl_easy_getinfo)(c, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *c)
{
	return READY() ? F(curl_easy_perform)(c) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode code)
{
	return READY() ? F(curl_easy_strerror)(code) : "libcurl cannot be loaded";
}

char *curl_easy_escape(CURL *c, const char *s, int len)
{
	return READY() ? F(curl_easy_escape)(c, s, len) : NULL;
}

void curl_free(void *p)
{
	if (READY())
		F(curl_free)(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return READY() ? F(curl_slist_append)(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (READY())
		F(curl_slist_free_all)(l);
}

CURLU *curl_url(void)
{
	return READY() ? F(curl_url)() : NULL;
}

void curl_url_cleanup(CURLU *u)
{
	if (READY())
		F(curl_url_cleanup)(u);
}

CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	return READY() ? F(curl_url_get)(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return READY() ? F(curl_url_set)(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}
