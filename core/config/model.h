/* SPDX-License-Identifier: MIT */
/*
 * The model: an environment as its config files describe it, after
 * parsing and before planning.  Built by conf.c, checked by validate.c,
 * read by plan.c.  Everything is owned by struct apo_model.
 */
#ifndef APO_MODEL_H
#define APO_MODEL_H

#include <libconfig.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "apomon/station-type.h"
#include "base/diag.h"

struct apo_cluster;

/* One IPv4 address with its prefix length.  A station address written
 * without /PREFIX takes its cluster's prefix. */
struct apo_addr {
	struct in_addr addr;
	uint8_t prefix;
	struct apo_loc loc;
};

/* A host port that reaches one station's port, bypassing the gateway. */
struct apo_publish {
	uint16_t host_port;
	uint16_t port;	/* the station's port */
	uint16_t count; /* ports in the range: host_port+i reaches port+i (1: one) */
	uint8_t proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	struct apo_loc loc;
};

struct apo_station {
	char *name;	 /* www1: unique in the environment */
	char *fqdn;	 /* www1.example.com */
	char *type_name; /* tomcat */
	char *image;	 /* NULL: the type's default image */
	bool enabled;
	bool is_backbone;	     /* declared in the `backbone` group */
	struct apo_cluster *cluster; /* NULL for the backbone */
	/* resolved by validate; NULL when the type is unknown */
	const struct apomon_station_type *type;

	struct apo_addr *addrs;
	size_t n_addrs;
	struct apo_publish *publish;
	size_t n_publish;
	char **depends; /* names, as written */
	struct apo_loc *depends_loc;
	size_t n_depends;
	char **seal; /* extra sealed paths from the config */
	size_t n_seal;
	/* the station's `settings` group, handed to the type (may be NULL);
	 * points into one of the model's config_t */
	config_setting_t *settings;

	/* cgroup limits; 0 = unlimited.  Memory and pids have defaults
	 * (APO_DEFAULT_MEMORY, APO_DEFAULT_PIDS) unless the config says
	 * "unlimited" */
	struct {
		unsigned long long memory_bytes; /* limits.memory: "512M", "2G" or bytes */
		unsigned cpu_millis;		 /* limits.cpus: 1.5 -> 1500 */
		unsigned pids;			 /* limits.pids */
		unsigned long long log_bytes;	 /* limits.log: the log's cap; 0 = 10 MiB */
		struct apo_loc loc;
	} limits;
	/* the station's `integrity` group, parsed by the integrity part (may be NULL) */
	config_setting_t *integrity;

	char *path; /* setting path for messages: clusters.example.stations.www1 */
	struct apo_loc loc;
};

/* An extra DNS record from a cluster's `records` list. */
struct apo_record_conf {
	char *name;  /* www.example.com */
	char *type;  /* A, CNAME, MX, TXT */
	char *value; /* 10.1.0.2 / lb.example.com / "10 mail.example.com" */
	char *path;
	struct apo_loc loc;
};

struct apo_cluster {
	char *name;		 /* example */
	char *domain;		 /* example.com */
	struct apo_addr network; /* 10.1.0.0/24; host bits zero */
	/* the backbone's leg in this cluster: explicit `router`, or the last
	 * usable address of the network */
	struct in_addr router;
	struct apo_loc router_loc; /* file NULL: the default, not written */
	char *gateway_name;	   /* NULL: no gateway; the router is the default route */
	struct apo_loc gateway_loc;
	struct apo_station *gateway; /* resolved by validate; NULL when absent or disabled */

	struct apo_station **stations; /* in config order, enabled or not */
	size_t n_stations;
	struct apo_record_conf *records;
	size_t n_records;

	char *path; /* clusters.example */
	struct apo_loc loc;
};

/* A point-to-point link between two stations. */
struct apo_link {
	char *a, *b;		     /* station names */
	struct apo_station *sa, *sb; /* resolved by validate */
	struct apo_addr addr_a, addr_b;
	char *path;
	struct apo_loc loc;
};

struct apo_host_service {
	uint16_t port;
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP */
	struct apo_loc loc;
};

/* What a station's root is on the host (apomon.conf `isolation`). */
enum apo_isolation {
	APO_ISOLATION_USERNS = 0, /* "userns": its own id range, the default */
	APO_ISOLATION_HOST_ROOT,  /* "host-root": host root, on purpose */
};

#define APO_DEFAULT_MEMORY (1ULL << 30) /* 1 GiB a station */
#define APO_DEFAULT_PIDS   4096u

struct apo_model {
	char *env; /* environment name */
	enum apo_isolation isolation;
	struct apo_loc isolation_loc;
	char *confdir;	    /* directory holding apomon.conf and conf.d/ */
	char **plugin_path; /* from the config's plugin_path, in order */
	size_t n_plugin_path;
	char **images_path; /* the config's images_path, absolute, in order */
	size_t n_images_path;

	/* the backbone <-> host link: host gets the first usable address,
	 * the backbone the second */
	struct apo_addr host_network;

	/* `host_services`: the host's ports stations may open connections
	 * to (everything else of the host is closed to them) */
	struct apo_host_service *host_services;
	size_t n_host_services;

	struct apo_cluster **clusters;
	size_t n_clusters;
	/* every station, the backbone included, in file then config order */
	struct apo_station **stations;
	size_t n_stations;
	struct apo_station *backbone; /* NULL until validated/when absent */
	struct apo_link **links;
	size_t n_links;

	/* the top-level `integrity` group of apomon.conf (may be NULL) */
	config_setting_t *integrity;

	/* parsed files, kept alive for settings pointers and messages */
	config_t **configs;
	size_t n_configs;
	char **files; /* interned file names for apo_loc.file */
	size_t n_files;
};

void apo_model_free(struct apo_model *m);

/* Lookups; NULL when absent. */
struct apo_station *apo_model_station(const struct apo_model *m, const char *name);
struct apo_cluster *apo_model_cluster(const struct apo_model *m, const char *name);

/* The location of a libconfig setting, with the file name interned. */
struct apo_loc apo_model_loc(struct apo_model *m, const config_setting_t *s);

#endif
