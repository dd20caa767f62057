/* SPDX-License-Identifier: MIT */
/* Small helpers: allocation that aborts on OOM, strings, cleanup attributes. */
#ifndef APO_UTIL_H
#define APO_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define APO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Out of memory is not a condition apomon can recover from meaningfully. */
void *apo_xmalloc(size_t n);
void *apo_xcalloc(size_t n, size_t size);
void *apo_xreallocarray(void *p, size_t n, size_t size);
char *apo_xstrdup(const char *s);
char *apo_xstrndup(const char *s, size_t n);
char *apo_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *apo_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Appends to a growable array: APO_PUSH(arr, n, cap, value). */
#define APO_PUSH(arr, n, cap, value)                                                               \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 4;                                               \
			(arr) = apo_xreallocarray((arr), (cap), sizeof(*(arr)));                   \
		}                                                                                  \
		(arr)[(n)++] = (value);                                                            \
	} while (0)

/* FNV-1a, 32 bit: stable across runs and machines (used for short names). */
uint32_t apo_fnv1a(const void *data, size_t len, uint32_t seed);
#define APO_FNV_SEED 2166136261u

bool apo_str_has_suffix(const char *s, const char *suffix);

static inline void apo_freep(void *p)
{
	free(*(void **)p);
}
static inline void apo_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_	__attribute__((cleanup(apo_freep)))
#define _cleanup_close_ __attribute__((cleanup(apo_closep)))

#endif
