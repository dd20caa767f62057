/* SPDX-License-Identifier: MIT */
/* Graphviz DOT of a plan, and its rendering through `dot`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan/graph.h"
#include "plan/plan-int.h"
#include "base/spawn.h"
#include "base/fmt.h"
#include "base/util.h"

/* A DOT string literal (with its quotes); a newline becomes DOT's line
 * break.  Names are tame, but nothing in a config may break the graph. */
static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void station_node(FILE *out, const struct apo_plan_station *ps, const char *indent)
{
	const struct apo_station *s = ps->station;
	char buf[APO_PREFIX_STRLEN];

	char *label = NULL;
	size_t len = 0;
	FILE *l = open_memstream(&label, &len);

	if (!l)
		abort(); /* out of memory, as apo_xmalloc */
	fputs(s->name, l);
	for (size_t i = 0; i < ps->n_ifaces; i++) {
		const struct apo_plan_iface *f = &ps->ifaces[i];
		if (ps->role == APOMON_ROLE_BACKBONE && f->kind == APO_IFACE_SWITCH)
			continue; /* on its edges to the switches */
		for (size_t j = 0; j < f->n_addrs; j++)
			fprintf(l, "\n%s",
				apo_fmt_prefix(buf, f->addrs[j].addr, f->addrs[j].prefix));
	}
	fclose(l);
	fputs(indent, out);
	quoted(out, s->fqdn);
	fprintf(out, " [shape=%s, label=",
		ps->role == APOMON_ROLE_BACKBONE  ? "doubleoctagon"
		: ps->role == APOMON_ROLE_GATEWAY ? "hexagon"
						  : "box");
	quoted(out, label);
	fprintf(out, "];\n");
	free(label);
}

static void cluster_box(FILE *out, const struct apo_plan *p, size_t k)
{
	const struct apo_plan_switch *sw = &p->switches[k];
	char net[APO_PREFIX_STRLEN];

	fprintf(out, "\tsubgraph ");
	_cleanup_free_ char *id = apo_xasprintf("cluster_%s", sw->cluster->name);
	quoted(out, id);
	fprintf(out, " {\n\t\tlabel=");
	_cleanup_free_ char *label =
	    apo_xasprintf("%s\n%s", sw->cluster->domain,
			  apo_fmt_prefix(net, sw->network.addr, sw->network.prefix));
	quoted(out, label);
	fprintf(out, ";\n\t\t");
	quoted(out, sw->name);
	fprintf(out, " [shape=ellipse, label=\"%s\\nswitch\"];\n", sw->name);
	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_plan_station *ps = &p->stations[i];
		if (ps->role != APOMON_ROLE_BACKBONE && ps->station->cluster == sw->cluster)
			station_node(out, ps, "\t\t");
	}
	fprintf(out, "\t}\n");
}

static void edge(FILE *out, const char *a, const char *b)
{
	fputc('\t', out);
	quoted(out, a);
	fputs(" -- ", out);
	quoted(out, b);
}

void apo_graph_dot(const struct apo_plan *p, FILE *out)
{
	char a[APO_PREFIX_STRLEN], b[APO_PREFIX_STRLEN];
	const struct apo_plan_station *bb = p->n_stations ? &p->stations[p->backbone] : NULL;

	fprintf(out, "graph ");
	_cleanup_free_ char *name = apo_xasprintf("apomon %s", p->env);
	quoted(out, name);
	fprintf(out, " {\n\tgraph [fontname=\"sans-serif\"];\n"
		     "\tnode [fontname=\"sans-serif\"];\n"
		     "\tedge [fontname=\"sans-serif\", fontsize=10];\n");
	fprintf(out, "\t\"host\" [shape=house, label=\"host\\n%s\\n%s\"];\n", p->host.iface,
		apo_fmt_prefix(a, p->host.addr.addr, p->host.addr.prefix));
	if (bb)
		station_node(out, bb, "\t");
	for (size_t k = 0; k < p->n_switches; k++)
		cluster_box(out, p, k);

	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_plan_station *ps = &p->stations[i];
		for (size_t j = 0; j < ps->n_ifaces; j++) {
			const struct apo_plan_iface *f = &ps->ifaces[j];
			switch (f->kind) {
			case APO_IFACE_SWITCH:
				edge(out, ps->station->fqdn, p->switches[f->sw].name);
				if (ps->role == APOMON_ROLE_BACKBONE && f->n_addrs)
					fprintf(out, " [label=\"%s\"]",
						apo_fmt_ip(a, f->addrs[0].addr));
				fprintf(out, ";\n");
				break;
			case APO_IFACE_HOST:
				edge(out, ps->station->fqdn, "host");
				fprintf(out, " [label=\"%s\"];\n", p->host.iface);
				break;
			case APO_IFACE_P2P:
				/* each link once, from its lower-numbered end */
				if (f->peer_station < i)
					break;
				const struct apo_plan_station *q = &p->stations[f->peer_station];
				const struct apo_plan_iface *g = NULL;
				for (size_t k = 0; k < q->n_ifaces; k++)
					if (!strcmp(q->ifaces[k].name, f->peer_name))
						g = &q->ifaces[k];
				edge(out, ps->station->fqdn, q->station->fqdn);
				fprintf(out, " [style=dashed, label=\"%s %s\\n%s %s\"];\n", f->name,
					f->n_addrs ? apo_fmt_prefix(a, f->addrs[0].addr,
								    f->addrs[0].prefix)
						   : "",
					f->peer_name,
					g && g->n_addrs ? apo_fmt_prefix(b, g->addrs[0].addr,
									 g->addrs[0].prefix)
							: "");
				break;
			}
		}
	}
	fprintf(out, "}\n");
}

/* The first executable `dot` in PATH, or NULL. */
static char *find_dot(void)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		char *f = apo_xasprintf("%.*s/dot", (int)n, n ? p : ".");
		if (!access(f, X_OK))
			return f;
		free(f);
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

int apo_graph_svg(const char *dot, size_t len, const char *file)
{
	_cleanup_free_ char *exe = find_dot();
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	int fds[2], status, r, rc = 0;
	pid_t pid;

	if (!exe)
		return -ENOENT;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	char *const argv[] = {"dot", "-Tsvg", "-o", (char *)file, NULL};
	const int std[3] = {fds[0], -1, -1};
	rc = apo_spawn(exe, argv, std, NULL, NULL, &pid);
	close(fds[0]);
	if (rc < 0) {
		close(fds[1]);
		return rc;
	}
	/* a dot that dies early must not kill apomon with SIGPIPE */
	sigaction(SIGPIPE, &ign, &old);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fds[1], dot + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	if ((r = apo_spawn_wait(pid, &status)) < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EPROTO;
	return rc == -EPIPE ? -EPROTO : rc;
}
