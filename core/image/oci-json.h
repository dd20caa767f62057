/* SPDX-License-Identifier: MIT */
/* Typed look-ups in OCI JSON documents: NULL when absent or of another type. */
#ifndef APO_OCI_JSON_H
#define APO_OCI_JSON_H

#include <json-c/json.h>

static inline struct json_object *apo_jget(struct json_object *o, const char *key, json_type t)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static inline const char *apo_jstr(struct json_object *o, const char *key)
{
	struct json_object *v = apo_jget(o, key, json_type_string);
	return v ? json_object_get_string(v) : NULL;
}

#endif
