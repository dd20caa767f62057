/* SPDX-License-Identifier: MIT */
/*
 * Short kernel interface names.  IFNAMSIZ leaves 15 bytes, too few for
 * FQDNs, so host-side names are a 3-letter kind prefix and a 32-bit hash
 * of what the object is (environment, cluster or station, interface).
 * The same config always gives the same names, so a later `down` or
 * `status` finds the objects again even without the journal.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan/plan-int.h"
#include "base/util.h"

/* Gives up after this many reseeds: two collisions in a row are already
 * unlikely below a few thousand names. */
#define APO_NAME_TRIES 64

void apo_nameset_init(struct apo_nameset *s)
{
	memset(s, 0, sizeof(*s));
}

void apo_nameset_clear(struct apo_nameset *s)
{
	if (!s)
		return;
	free(s->slots);
	apo_nameset_init(s);
}

/* A name is its prefix and its hash: both fit one 64-bit key, never 0. */
static uint64_t name_key(const char *prefix, uint32_t h)
{
	uint64_t p = 0;
	for (size_t i = 0; i < 3 && prefix[i]; i++)
		p = p << 8 | (unsigned char)prefix[i];
	return p << 32 | h;
}

static size_t slot_of(uint64_t key, size_t cap)
{
	/* keys are hashes already; mix the prefix bits in */
	return (size_t)((key ^ key >> 29) * 0x9e3779b97f4a7c15ull >> 17) & (cap - 1);
}

static bool set_has(const struct apo_nameset *s, uint64_t key)
{
	if (!s->cap)
		return false;
	for (size_t i = slot_of(key, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == key)
			return true;
		if (!s->slots[i])
			return false;
	}
}

static void set_put(struct apo_nameset *s, uint64_t key);

static void set_grow(struct apo_nameset *s)
{
	uint64_t *old = s->slots;
	size_t old_cap = s->cap;

	s->cap = old_cap ? old_cap * 2 : 64;
	s->slots = apo_xcalloc(s->cap, sizeof(*s->slots));
	s->n = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			set_put(s, old[i]);
	free(old);
}

static void set_put(struct apo_nameset *s, uint64_t key)
{
	if ((s->n + 1) * 2 > s->cap)
		set_grow(s);
	size_t i = slot_of(key, s->cap);
	while (s->slots[i])
		i = (i + 1) & (s->cap - 1);
	s->slots[i] = key;
	s->n++;
}

int apo_short_name(struct apo_nameset *s, const char *prefix, const void *key, size_t len,
		   char out[APO_IFNAMSIZ])
{
	for (uint32_t t = 0; t < APO_NAME_TRIES; t++) {
		uint32_t h = apo_fnv1a(key, len, APO_FNV_SEED + t);
		uint64_t k = name_key(prefix, h);
		if (set_has(s, k))
			continue;
		set_put(s, k);
		snprintf(out, APO_IFNAMSIZ, "%.3s%08x", prefix, h);
		return 0;
	}
	out[0] = '\0';
	return -ENOSPC;
}
