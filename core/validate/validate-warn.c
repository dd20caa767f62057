/* SPDX-License-Identifier: MIT */
/* What validate says but does not refuse: a valid config that probably
 * does not do what its author meant. */
#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "base/util.h"
#include "validate/validate.h"

static bool declares(const struct apomon_station_type *t, uint8_t proto, unsigned port)
{
	for (const struct apomon_port *p = t->ports; p && p->name; p++)
		if (p->port == port && (unsigned)p->proto == proto)
			return true;
	return false;
}

void apo_validate_warnings(const struct apo_model *m, struct apo_diag *w)
{
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		if (!s->enabled || !s->type)
			continue;
		for (size_t k = 0; k < s->n_publish; k++) {
			const struct apo_publish *p = &s->publish[k];
			/* a range carries ports a server picks at run time (FTP's
			 * passive ports), which no type can declare one by one */
			if (p->count > 1 || declares(s->type, p->proto, p->port))
				continue;
			_cleanup_free_ char *path =
			    apo_xasprintf("%s.publish[%zu].port", s->path, k);
			_cleanup_free_ char *d = apo_type_ports_text(s->type, "none");
			apo_diag_add(w, &p->loc, path,
				     "warning: type %s declares no %s port %u (it declares: %s), "
				     "expected one of its ports",
				     s->type_name, p->proto == IPPROTO_UDP ? "udp" : "tcp", p->port,
				     d);
		}
	}
}
