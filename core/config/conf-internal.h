/* SPDX-License-Identifier: MIT */
/* Shared by the conf*.c files only: the parse context, kind checks and
 * value parsers. */
#ifndef APO_CONF_INTERNAL_H
#define APO_CONF_INTERNAL_H

#include <libconfig.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "config/conf.h"
#include "config/model.h"

struct conf_ctx {
	struct apo_model *m;
	struct apo_diag *d;
	bool main_file;	    /* parsing apomon.conf, not a conf.d file */
	bool have_backbone; /* a backbone group was seen */
	struct apo_loc backbone_loc;
	size_t n_links_seen; /* link groups so far, bad ones included */
};

/* model.c helpers the parser needs */
const char *apo_model_intern_file(struct apo_model *m, const char *file);
void apo_model_station_free(struct apo_station *s);

/* conf.c: reporting and kind checks */
void conf_report(struct conf_ctx *c, const config_setting_t *s, const char *path, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));
/* Reports every member of group g whose name is not in the NULL-ended
 * list, naming the accepted ones. */
void conf_check_names(struct conf_ctx *c, const config_setting_t *g, const char *path,
		      const char *const *known);
/* Kind checks: false (after a report) when the setting has the wrong kind. */
bool conf_want_group(struct conf_ctx *c, const config_setting_t *s, const char *path);
bool conf_want_list(struct conf_ctx *c, const config_setting_t *s, const char *path);
/* The string member `name` of g: NULL when absent (reported if required)
 * or not a string (reported).  *path_out gets the member's path. */
const char *conf_member_string(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
			       const char *name, bool required);
/* An integer member: 1 when present and well formed, 0 when absent,
 * -1 when reported. */
int conf_member_int(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
		    const char *name, bool required, long long *out);
int conf_member_bool(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
		     const char *name, bool *out);
/* An array (or list) of strings: duplicates each into *out (NULL-ended).
 * Returns their number, or -1 after reporting the member or any element
 * of another kind (then *out is NULL: all or nothing, so that messages
 * about the others can index the array as the file does). */
ssize_t conf_member_strings(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
			    const char *name, char ***out, struct apo_loc **locs);
char *conf_path(const char *parent, const char *name);
char *conf_path_index(const char *parent, size_t i);

/* the value parsers (conf-values.c) are public: config/conf.h */
/* "512M", "2G", "1048576" -> bytes */
int apo_parse_size(const char *s, unsigned long long *out);

/* conf-file.c: before libconfig reads path, that it and its @include
 * targets are regular files without NUL bytes.  0; -EBADMSG after a
 * report; -errno (reported) when path cannot be read. */
int conf_check_file(struct conf_ctx *c, const char *path);

/* conf-cluster.c, conf-station.c, conf-links.c */
void conf_parse_backbone(struct conf_ctx *c, config_setting_t *g);
void conf_parse_cluster(struct conf_ctx *c, config_setting_t *g);
/* Parses one station group; cluster is NULL for the backbone. */
struct apo_station *conf_parse_station(struct conf_ctx *c, config_setting_t *g,
				       struct apo_cluster *cl, const char *path_hint,
				       bool backbone);
void conf_parse_links(struct conf_ctx *c, config_setting_t *l);

#endif
