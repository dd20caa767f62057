/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "net/publish.h"
#include "base/dl-nft.h"
#include "base/fmt.h"
#include "base/util.h"

char *apo_publish_table(const char *env)
{
	return apo_xasprintf("apomon-%s", env);
}

char *apo_publish_ruleset(const struct apo_plan *p)
{
	_cleanup_free_ char *table = apo_publish_table(p->env);
	char *text = NULL, a[INET_ADDRSTRLEN];
	size_t len;

	if (!p->n_publish)
		return NULL;
	FILE *m = open_memstream(&text, &len);
	fprintf(m,
		"table ip %s {\n"
		"\tchain output {\n"
		"\t\ttype nat hook output priority -100; policy accept;\n",
		table);
	for (size_t i = 0; i < p->n_publish; i++) {
		const struct apo_plan_publish *pb = &p->publish[i];
		const char *proto = pb->proto == IPPROTO_UDP ? "udp" : "tcp";
		const char *name = p->stations[pb->station].station->name;
		apo_fmt_ip(a, pb->addr);
		/* a range onto the same ports is one rule (dnat keeps the
		 * port); shifted by an offset, one rule a port */
		if (pb->count > 1 && pb->host_port == pb->port)
			fprintf(
			    m,
			    "\t\tfib daddr type local %s dport %u-%u dnat to %s comment \"%s\"\n",
			    proto, pb->host_port, pb->host_port + pb->count - 1, a, name);
		else
			for (unsigned k = 0; k < (pb->count ? pb->count : 1u); k++)
				fprintf(
				    m,
				    "\t\tfib daddr type local %s dport %u dnat to %s:%u comment "
				    "\"%s\"\n",
				    proto, pb->host_port + k, a, pb->port + k, name);
	}
	/* With br_netfilter loaded (bridge-nf-call-iptables, a host-wide
	 * setting), frames crossing a cluster's switch pass the host's IP
	 * hooks too: conntrack would take a station's reply on its way to the
	 * gateway for the reply of a translated connection and rewrite it
	 * there, one hop early.  The switches' traffic is the stations' own:
	 * untracked on the host. */
	fprintf(m, "\t}\n"
		   "\tchain switches {\n"
		   "\t\ttype filter hook prerouting priority -300; policy accept;\n");
	for (size_t i = 0; i < p->n_switches; i++)
		fprintf(m, "\t\tiifname \"%s\" notrack\n", p->switches[i].name);
	fprintf(m,
		"\t}\n"
		"\tchain postrouting {\n"
		"\t\ttype nat hook postrouting priority 100; policy accept;\n"
		"\t\toifname \"%s\" ct status dnat masquerade\n"
		"\t}\n"
		"}\n",
		p->host.iface);
	fclose(m);
	return text;
}

/* "10.1.0.0/24, 198.51.100.4/30, ..." into m: the networks stations send
 * from (each a network, not a host address: auto-merge folds overlaps) */
static void put_net(FILE *m, bool *first, struct in_addr a, unsigned prefix)
{
	char t[INET_ADDRSTRLEN];
	uint32_t mask = prefix ? ~0u << (32 - prefix) : 0;
	struct in_addr net = {.s_addr = htonl(ntohl(a.s_addr) & mask)};

	apo_fmt_ip(t, net);
	fprintf(m, "%s%s/%u", *first ? "" : ", ", t, prefix);
	*first = false;
}

/* "5432, 8080" of the config's host_services of proto; NULL for none */
static char *ports_of(const struct apo_plan *p, uint8_t proto)
{
	const struct apo_model *md = p->model;
	char *text = NULL;
	size_t len;
	bool any = false;

	FILE *m = open_memstream(&text, &len);
	for (size_t i = 0; md && i < md->n_host_services; i++) {
		const struct apo_host_service *hs = &md->host_services[i];
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = md->host_services[k].proto == hs->proto &&
			      md->host_services[k].port == hs->port;
		if (hs->proto != proto || dup)
			continue;
		fprintf(m, "%s%u", any ? ", " : "", hs->port);
		any = true;
	}
	fclose(m);
	if (!any) {
		free(text);
		return NULL;
	}
	return text;
}

char *apo_guard_ruleset(const struct apo_plan *p)
{
	_cleanup_free_ char *table = apo_publish_table(p->env);
	char *text = NULL;
	size_t len;
	bool first = true;

	FILE *m = open_memstream(&text, &len);
	/* what stations send from: every cluster, the host link, every p2p
	 * link and every station address (public ones too) */
	fprintf(m,
		"table inet %s {\n"
		"\tset stations {\n"
		"\t\ttype ipv4_addr; flags interval; auto-merge;\n"
		"\t\telements = { ",
		table);
	put_net(m, &first, p->host.addr.addr, p->host.addr.prefix);
	for (size_t i = 0; i < p->n_switches; i++)
		put_net(m, &first, p->switches[i].network.addr, p->switches[i].network.prefix);
	for (size_t i = 0; i < p->n_stations; i++)
		for (size_t k = 0; k < p->stations[i].n_ifaces; k++)
			for (size_t a = 0; a < p->stations[i].ifaces[k].n_addrs; a++) {
				const struct apo_plan_addr *pa = &p->stations[i].ifaces[k].addrs[a];
				put_net(m, &first, pa->addr, pa->prefix);
			}
	fprintf(m, " }\n\t}\n");
	/* where they reach the host: its end of the host link and the
	 * clusters' switches (a frame to a switch's own MAC is delivered
	 * to the host too, over IPv4 and IPv6 link-local alike) */
	fprintf(m, "\tset ifaces {\n\t\ttype ifname;\n\t\telements = { \"%s\"", p->host.iface);
	for (size_t i = 0; i < p->n_switches; i++)
		fprintf(m, ", \"%s\"", p->switches[i].name);
	fprintf(m, " }\n\t}\n");
	/* Before the host's own input filters (priority filter = 0), so that
	 * an accept there cannot open what is closed here. */
	fprintf(m, "\tchain input {\n"
		   "\t\ttype filter hook input priority -10; policy accept;\n"
		   /* the host's own traffic, also from its address on the host link */
		   "\t\tiif \"lo\" accept\n"
		   "\t\tiifname @ifaces jump from_stations\n"
		   "\t\tip saddr @stations jump from_stations\n"
		   "\t}\n"
		   "\tchain from_stations {\n"
		   /* replies to what the host opened: probes, published ports
		    * (their replies arrive for 127.0.0.1, un-masqueraded) */
		   "\t\tct direction reply ct state established,related accept\n"
		   /* route_localnet on the host link would deliver these */
		   "\t\tip daddr 127.0.0.0/8 drop\n"
		   "\t\tmeta nfproto ipv6 drop\n"
		   "\t\tct state established accept\n");
	_cleanup_free_ char *tcp = ports_of(p, IPPROTO_TCP);
	_cleanup_free_ char *udp = ports_of(p, IPPROTO_UDP);
	if (tcp)
		fprintf(m, "\t\ttcp dport { %s } ct state new accept comment \"host_services\"\n",
			tcp);
	if (udp)
		fprintf(m, "\t\tudp dport { %s } accept comment \"host_services\"\n", udp);
	fprintf(m, "\t\tcounter drop comment \"closed to stations: host_services opens a port\"\n"
		   "\t}\n"
		   "}\n");
	fclose(m);
	return text;
}

static int run_nft(const char *cmd, char **err)
{
	struct nft_ctx *nft;
	int rc = apo_nft_open(err);

	if (rc < 0)
		return rc;
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return -ENOMEM;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, cmd);
	if (rc != 0 && err) {
		const char *e = nft_ctx_get_error_buffer(nft);
		*err = apo_xstrdup(e && *e ? e : "nftables refused the ruleset");
		size_t l = strlen(*err);
		while (l && (*err)[l - 1] == '\n')
			(*err)[--l] = '\0';
	}
	nft_ctx_free(nft);
	return rc == 0 ? 0 : -EIO;
}

/* 127.0.0.1 as a source may leave through this interface only with it. */
static int route_localnet(const char *iface)
{
	_cleanup_free_ char *path =
	    apo_xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", iface);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		rc = -errno;
	close(fd);
	return rc;
}

int apo_publish_apply(const struct apo_plan *p, char **err)
{
	_cleanup_free_ char *rules = apo_publish_ruleset(p);
	_cleanup_free_ char *table = apo_publish_table(p->env);
	int rc;

	if (!rules)
		return 0;
	if ((rc = route_localnet(p->host.iface)) < 0) {
		*err = apo_xasprintf("%s: route_localnet: %s", p->host.iface, strerror(-rc));
		return rc;
	}
	/* add then delete then load, in one transaction: a table left by a
	 * crash is replaced, never merged */
	_cleanup_free_ char *cmd =
	    apo_xasprintf("add table ip %s\ndelete table ip %s\n%s", table, table, rules);
	return run_nft(cmd, err);
}

int apo_guard_apply(const struct apo_plan *p, char **err)
{
	_cleanup_free_ char *rules = apo_guard_ruleset(p);
	_cleanup_free_ char *table = apo_publish_table(p->env);
	_cleanup_free_ char *cmd =
	    apo_xasprintf("add table inet %s\ndelete table inet %s\n%s", table, table, rules);
	return run_nft(cmd, err);
}

int apo_publish_remove(const char *env)
{
	_cleanup_free_ char *table = apo_publish_table(env);
	_cleanup_free_ char *cmd =
	    apo_xasprintf("add table ip %s\ndelete table ip %s\nadd table inet %s\n"
			  "delete table inet %s\n",
			  table, table, table, table);
	return run_nft(cmd, NULL);
}
