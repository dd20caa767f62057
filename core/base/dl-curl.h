/* SPDX-License-Identifier: MIT */
/* libcurl, opened on first use (base/dl.h): include <curl/curl.h> and call
 * it as usual; apo_curl_open() first where a clear error matters. */
#ifndef APO_DL_CURL_H
#define APO_DL_CURL_H

/* 0, or -ELIBACC and *why: why libcurl cannot be used (caller frees). */
int apo_curl_open(char **why);

#endif
