/* SPDX-License-Identifier: MIT */
/*
 * The in-memory registry of station types and of refused plugins.  The
 * libltdl side lives in loader.c and only goes through add and refuse.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/registry.h"
#include "base/util.h"

struct entry {
	struct apo_plugin plugin; /* first: apo_registry_at hands out its address */
	void *handle;
	void (*close)(void *handle);
	/* plugin.type points here: the type as this core's header lays it out */
	struct apomon_station_type *copy;
	struct apomon_setting *settings;
};

struct apo_registry {
	struct entry *types;
	size_t n_types, cap_types;
	struct apo_refusal *refusals;
	size_t n_refusals, cap_refusals;
};

struct apo_registry *apo_registry_new(void)
{
	return apo_xcalloc(1, sizeof(struct apo_registry));
}

void apo_registry_free(struct apo_registry *r)
{
	if (!r)
		return;
	/* close in reverse load order, as a plugin may rely on an earlier one */
	for (size_t i = r->n_types; i-- > 0;) {
		struct entry *e = &r->types[i];
		if (e->close && e->handle)
			e->close(e->handle);
		free(e->plugin.file);
		free(e->copy);
		free(e->settings);
	}
	for (size_t i = 0; i < r->n_refusals; i++) {
		free(r->refusals[i].file);
		free(r->refusals[i].reason);
	}
	free(r->types);
	free(r->refusals);
	free(r);
}

static struct entry *find_entry(const struct apo_registry *r, const char *name)
{
	for (size_t i = 0; i < r->n_types; i++)
		if (strcmp(r->types[i].plugin.type->name, name) == 0)
			return &r->types[i];
	return NULL;
}

/*
 * The type in this core's layout: fields past the plugin's `size` read as
 * 0/NULL, and the settings array is re-strided from the plugin's
 * setting_size (APOMON_SETTING_SIZE_V1 for a type built before it), so
 * that every other part of the core indexes settings[i] without caring
 * which header the plugin was built against.
 */
size_t apo_type_setting_stride(const struct apomon_station_type *t)
{
	if (t->size >=
		offsetof(struct apomon_station_type, setting_size) + sizeof(t->setting_size) &&
	    t->setting_size >= APOMON_SETTING_SIZE_V1)
		return t->setting_size;
	return APOMON_SETTING_SIZE_V1;
}

char *apo_type_ports_text(const struct apomon_station_type *t, const char *none)
{
	char *s = apo_xstrdup("");

	for (const struct apomon_port *p = t->ports; p && p->name; p++) {
		char *next =
		    apo_xasprintf("%s%s%s/%s/%u", s, *s ? ", " : "", p->name,
				  p->proto == APOMON_PROTO_UDP ? "udp" : "tcp", (unsigned)p->port);
		free(s);
		s = next;
	}
	if (!*s) {
		free(s);
		s = apo_xstrdup(none);
	}
	return s;
}

static void normalize(struct entry *e, const struct apomon_station_type *t)
{
	size_t tsize = t->size < sizeof(*t) ? t->size : sizeof(*t);
	size_t stride = apo_type_setting_stride(t), n = 0;

	e->copy = apo_xcalloc(1, sizeof(*t));
	memcpy(e->copy, t, tsize);
	const char *base = (const char *)t->settings;
	while (base && ((const struct apomon_setting *)(base + n * stride))->name)
		n++;
	e->settings = apo_xcalloc(n + 1, sizeof(*e->settings));
	for (size_t i = 0; i < n; i++)
		memcpy(&e->settings[i], base + i * stride,
		       stride < sizeof(*e->settings) ? stride : sizeof(*e->settings));
	e->copy->settings = t->settings ? e->settings : NULL;
	e->copy->setting_size = sizeof(struct apomon_setting);
	e->plugin.type = e->copy;
}

/* On -EEXIST or -EINVAL the registry does not take the handle: the caller
 * still owns it and closes it. */
int apo_registry_add(struct apo_registry *r, const struct apomon_station_type *t, const char *file,
		     void *handle, void (*close)(void *handle))
{
	if (!t || !t->name || !*t->name) {
		apo_registry_refuse(r, file, "the station type has no name");
		return -EINVAL;
	}
	const struct entry *first = find_entry(r, t->name);
	if (first) {
		apo_registry_refuse(r, file, "duplicate type name '%s': already loaded from %s",
				    t->name, first->plugin.file);
		return -EEXIST;
	}
	struct entry e = {
	    .plugin = {.type = t, .file = apo_xstrdup(file)},
	    .handle = handle,
	    .close = close,
	};
	normalize(&e, t);
	APO_PUSH(r->types, r->n_types, r->cap_types, e);
	return 0;
}

void apo_registry_refuse(struct apo_registry *r, const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct apo_refusal f = {
	    .file = apo_xstrdup(file),
	    .reason = apo_xvasprintf(fmt, ap),
	};
	va_end(ap);
	/* a reason is one line: a stray newline would break the listing */
	for (char *p = f.reason; *p; p++)
		if (*p == '\n')
			*p = ' ';
	APO_PUSH(r->refusals, r->n_refusals, r->cap_refusals, f);
}

const struct apomon_station_type *apo_registry_find(const struct apo_registry *r, const char *name)
{
	const struct entry *e = r && name ? find_entry(r, name) : NULL;
	return e ? e->plugin.type : NULL;
}

size_t apo_registry_count(const struct apo_registry *r)
{
	return r ? r->n_types : 0;
}

const struct apo_plugin *apo_registry_at(const struct apo_registry *r, size_t i)
{
	return r && i < r->n_types ? &r->types[i].plugin : NULL;
}

size_t apo_registry_refusal_count(const struct apo_registry *r)
{
	return r ? r->n_refusals : 0;
}

const struct apo_refusal *apo_registry_refusal_at(const struct apo_registry *r, size_t i)
{
	return r && i < r->n_refusals ? &r->refusals[i] : NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *apo_registry_names(const struct apo_registry *r)
{
	size_t n = apo_registry_count(r), len = 1;
	const char **names = apo_xcalloc(n, sizeof(*names));

	for (size_t i = 0; i < n; i++) {
		names[i] = r->types[i].plugin.type->name;
		len += strlen(names[i]) + 2;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	char *s = apo_xmalloc(len), *p = s;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p = stpcpy(stpcpy(p, i ? ", " : ""), names[i]);
	free(names);
	return s;
}
