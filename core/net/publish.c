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
		inet_ntop(AF_INET, &pb->addr, a, sizeof(a));
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

static int run_nft(const char *cmd, char **err)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

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

int apo_publish_remove(const char *env)
{
	_cleanup_free_ char *table = apo_publish_table(env);
	_cleanup_free_ char *cmd =
	    apo_xasprintf("add table ip %s\ndelete table ip %s\n", table, table);
	return run_nft(cmd, NULL);
}
