/* SPDX-License-Identifier: MIT */
/* The `links` list: point-to-point links between two stations. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-internal.h"
#include "base/util.h"

static const char *const link_names[] = {"a", "b", "addresses", NULL};

/* Both ends: "A.B.C.D/P" each, one network, distinct, not its network or
 * broadcast address.  Returns true when both are usable. */
static bool parse_link_addresses(struct conf_ctx *c, config_setting_t *g, struct apo_link *l)
{
	config_setting_t *s = config_setting_get_member(g, "addresses");
	_cleanup_free_ char *p = conf_path(l->path, "addresses");
	struct apo_addr *ends[2] = {&l->addr_a, &l->addr_b};
	bool ok = true;

	if (!s) {
		conf_report(c, g, l->path,
			    "missing required setting 'addresses', expected [\"A.B.C.D/P\", "
			    "\"A.B.C.D/P\"] (a's, then b's)");
		return false;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		conf_report(c, s, p, "is %s, expected an array of 2 addresses \"A.B.C.D/P\"",
			    apo_conf_kind(s));
		return false;
	}
	if (config_setting_length(s) != 2) {
		conf_report(c, s, p, "has %d address%s, expected exactly 2 (a's, then b's)",
			    config_setting_length(s), config_setting_length(s) == 1 ? "" : "es");
		return false;
	}
	for (int i = 0; i < 2; i++) {
		config_setting_t *e = config_setting_get_elem(s, i);
		_cleanup_free_ char *ep = conf_path_index(p, i);
		int prefix;

		ends[i]->loc = apo_model_loc(c->m, e);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_report(c, e, ep, "is %s, expected a string \"A.B.C.D/P\"",
				    apo_conf_kind(e));
			ok = false;
			continue;
		}
		const char *v = config_setting_get_string(e);
		if (apo_parse_cidr(v, &ends[i]->addr, &prefix) < 0) {
			conf_report(c, e, ep, "invalid address '%s', expected \"A.B.C.D/P\"", v);
			ok = false;
			continue;
		}
		if (prefix < 0) {
			conf_report(c, e, ep, "'%s' has no prefix, expected \"A.B.C.D/P\"", v);
			ok = false;
			continue;
		}
		if (prefix < 8 || prefix > 30) {
			conf_report(c, e, ep, "prefix /%d is out of range, expected 8 to 30",
				    prefix);
			ok = false;
			continue;
		}
		const char *why = apo_addr_special(ends[i]->addr);
		if (why) {
			conf_report(c, e, ep, "'%s' is %s, expected a host address", v, why);
			ok = false;
			continue;
		}
		ends[i]->prefix = prefix;
		uint32_t mask = apo_prefix_mask(prefix), h = ntohl(ends[i]->addr.s_addr);
		if ((h & ~mask) == 0 || (h & ~mask) == ~mask) {
			conf_report(
			    c, e, ep,
			    "'%s' is the %s address of its network, expected a host address", v,
			    (h & ~mask) == 0 ? "network" : "broadcast");
			ok = false;
		}
	}
	if (!ok)
		return false;
	config_setting_t *eb = config_setting_get_elem(s, 1);
	_cleanup_free_ char *bp = conf_path_index(p, 1);
	uint32_t mask = apo_prefix_mask(l->addr_a.prefix);
	if (l->addr_a.prefix != l->addr_b.prefix ||
	    (ntohl(l->addr_a.addr.s_addr) & mask) != (ntohl(l->addr_b.addr.s_addr) & mask)) {
		conf_report(c, eb, bp,
			    "'%s' is not in the network of '%s', expected both ends in one network",
			    config_setting_get_string(eb),
			    config_setting_get_string(config_setting_get_elem(s, 0)));
		return false;
	}
	if (l->addr_a.addr.s_addr == l->addr_b.addr.s_addr) {
		conf_report(c, eb, bp, "'%s' is a's address too, expected two distinct addresses",
			    config_setting_get_string(eb));
		return false;
	}
	return true;
}

void conf_parse_links(struct conf_ctx *c, config_setting_t *list)
{
	struct apo_model *m = c->m;

	for (int i = 0; i < config_setting_length(list); i++) {
		config_setting_t *g = config_setting_get_elem(list, i);
		/* numbered across files, as the user counts them */
		_cleanup_free_ char *path = apo_xasprintf("links[%zu]", c->n_links_seen++);

		if (!conf_want_group(c, g, path))
			continue;
		struct apo_link *l = apo_xcalloc(1, sizeof(*l));
		l->path = apo_xstrdup(path);
		l->loc = apo_model_loc(m, g);
		conf_check_names(c, g, path, link_names);
		const char *a = conf_member_string(c, g, path, "a", true);
		const char *b = conf_member_string(c, g, path, "b", true);
		bool ok = parse_link_addresses(c, g, l) && a && b;
		if (a)
			l->a = apo_xstrdup(a);
		if (b)
			l->b = apo_xstrdup(b);
		if (a && b && strcmp(a, b) == 0) {
			_cleanup_free_ char *bp = conf_path(path, "b");
			conf_report(c, config_setting_get_member(g, "b"), bp,
				    "links '%s' to itself, expected another station", b);
			ok = false;
		}
		if (!ok) {
			free(l->a);
			free(l->b);
			free(l->path);
			free(l);
			continue;
		}
		m->links = apo_xreallocarray(m->links, m->n_links + 1, sizeof(*m->links));
		m->links[m->n_links++] = l;
	}
}
