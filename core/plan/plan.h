/* SPDX-License-Identifier: MIT */
/*
 * The plan: a pure function of a validated model and the loaded types.
 * Everything `up` will create, named and addressed, before any kernel
 * object is touched.  `apomon plan [--json]` prints it.
 */
#ifndef APO_PLAN_H
#define APO_PLAN_H

#include <json-c/json.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/diag.h"
#include "config/model.h"

#define APO_IFNAMSIZ 16 /* IFNAMSIZ: 15 bytes and the NUL */

struct apo_plan_addr {
	struct in_addr addr;
	uint8_t prefix;
};

enum apo_iface_kind {
	APO_IFACE_SWITCH, /* veth: station end inside, host end on its cluster's bridge */
	APO_IFACE_P2P,	  /* veth: both ends inside stations */
	APO_IFACE_HOST,	  /* veth: backbone end inside, host end in the host namespace */
};

struct apo_plan_iface {
	char name[APO_IFNAMSIZ]; /* inside the station: eth0, eth1, p2p0, host0 */
	/* SWITCH and HOST: the host-side end (short, deterministic, unique on
	 * the host for this environment): SWITCH "apv" + 8 hex digits of
	 * FNV-1a("ENV\0STATION\0IFNAME"), HOST the host link's name (see
	 * apo_plan_host.iface); P2P: the peer's end inside the peer */
	char peer_name[APO_IFNAMSIZ];
	enum apo_iface_kind kind;
	size_t sw;	     /* SWITCH: index into plan->switches */
	size_t peer_station; /* P2P: index into plan->stations */
	struct apo_plan_addr *addrs;
	size_t n_addrs;
};

/* A route; via 0.0.0.0 means on-link.  dst 0.0.0.0/0 is the default route. */
struct apo_plan_route {
	struct apo_plan_addr dst;
	struct in_addr via;
	char dev[APO_IFNAMSIZ];
};

struct apo_plan_station {
	const struct apo_station *station; /* the model's */
	char *netns;			   /* name under /run/netns: the FQDN */
	enum apomon_role role;
	struct apo_plan_iface *ifaces;
	size_t n_ifaces;
	/* routes beyond the connected ones the kernel adds by itself */
	struct apo_plan_route *routes;
	size_t n_routes;
	bool forwarding; /* the backbone and gateways forward; others do not */
	unsigned level;	 /* start level: 0 first; a level starts when all lower ones are ready */
};

struct apo_plan_switch {
	/* the bridge in the host namespace: "apb" + 8 hex digits of
	 * FNV-1a("ENV\0CLUSTER") */
	char name[APO_IFNAMSIZ];
	const struct apo_cluster *cluster;
	struct apo_plan_addr network;
};

struct apo_plan_host {
	/* host end of the host <-> backbone link: "aph" + 8 hex of FNV-1a("ENV") */
	char iface[APO_IFNAMSIZ];
	struct apo_plan_addr addr;     /* the host's address on it */
	struct in_addr backbone_addr;  /* the backbone's address on it */
	struct apo_plan_route *routes; /* every cluster network via the backbone */
	size_t n_routes;
};

enum apo_record_type {
	APO_RECORD_A,
	APO_RECORD_PTR,
	APO_RECORD_CNAME,
	APO_RECORD_MX,
	APO_RECORD_TXT,
};

/* "A", "PTR", ...; NULL for a value out of range. */
const char *apo_record_type_name(enum apo_record_type t);

struct apo_plan_record {
	enum apo_record_type type;
	char *name; /* www1.example.com. or 11.0.1.10.in-addr.arpa. */
	/* A: 10.1.0.11; PTR, CNAME: www1.example.com.; MX: "10 mail.example.com.";
	 * TXT: the text, unquoted */
	char *value;
};

struct apo_plan_publish {
	uint16_t host_port;
	uint8_t proto;	     /* IPPROTO_TCP / IPPROTO_UDP */
	size_t station;	     /* index into plan->stations */
	struct in_addr addr; /* the station's first address */
	uint16_t port;
	uint16_t count; /* a range: host_port+i reaches port+i, i < count */
};

struct apo_plan_level {
	size_t *stations; /* indexes into plan->stations */
	size_t n;
};

struct apo_plan {
	const struct apo_model *model;
	const char *env;
	struct apo_plan_switch *switches; /* one per cluster with enabled stations, config order */
	size_t n_switches;
	struct apo_plan_station *stations; /* enabled stations, config order, backbone included */
	size_t n_stations;
	size_t backbone; /* index into stations */
	struct apo_plan_host host;
	struct apo_plan_record *records;
	size_t n_records;
	struct apo_plan_publish *publish;
	size_t n_publish;
	struct apo_plan_level *levels;
	size_t n_levels;
};

/*
 * Builds the plan of a model that apo_validate accepted.  Returns 0, or
 * -EINVAL with problems in d (e.g. a short-name collision that cannot be
 * resolved).  Pure: touches no kernel object and reads no file.
 */
int apo_plan_build(const struct apo_model *m, struct apo_plan **out, struct apo_diag *d);
void apo_plan_free(struct apo_plan *p);

/* Index of a station in the plan by name; -1 when absent. */
ssize_t apo_plan_find(const struct apo_plan *p, const char *name);

struct json_object *apo_plan_to_json(const struct apo_plan *p);
void apo_plan_print(const struct apo_plan *p, FILE *out);

/* "member", "gateway", "backbone" (the loader refuses any other role). */
const char *apo_role_name(enum apomon_role r);
/* "switch", "p2p", "host": an interface's kind in the JSON and the
 * diff's snapshot. */
const char *apo_iface_kind_name(enum apo_iface_kind k);

#endif
