/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fmt.h"
#include "base/paths.h"
#include "base/util.h"
#include "integrity/sshkey.h"
#include "plugin/services-files.h"
#include "runtime/ssh-keys.h"

static char *ssh_dir(const char *env)
{
	return apo_env_lib_file(env, "ssh");
}

char *apo_ssh_known_hosts_path(const char *env)
{
	return apo_env_lib_file(env, "ssh/known_hosts");
}

/* The whole of a small file inside dir (no symlink followed out of it). */
static int read_in(const char *dir, const char *path, char **text)
{
	_cleanup_close_ int fd = apo_root_open(dir, path, O_RDONLY, 0);
	char buf[8192];
	ssize_t n;

	*text = NULL;
	if (fd < 0)
		return fd;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	if (n == 0 || n == (ssize_t)sizeof(buf) - 1)
		return -EBADMSG; /* empty (a crash while writing) or not a key */
	buf[n] = '\0';
	*text = apo_xstrdup(buf);
	return 0;
}

/*
 * The pair dir/base{,.pub}: read when both exist, else made and written
 * (private 0600 first, public last: a pair with its .pub is complete).
 */
static int key_pair(const char *dir, const char *base, const char *pubname, const char *comment,
		    char **priv, char **pub)
{
	int rc;

	*priv = *pub = NULL;
	if (read_in(dir, pubname, pub) == 0 && read_in(dir, base, priv) == 0)
		return 0;
	free(*pub);
	free(*priv);
	*priv = *pub = NULL;
	if ((rc = apo_sshkey_ed25519(comment, priv, pub)) < 0)
		return rc;
	rc = apo_root_write(dir, base, *priv, strlen(*priv), 0600);
	if (rc == 0)
		rc = apo_root_write(dir, pubname, *pub, strlen(*pub), 0644);
	if (rc < 0) {
		free(*priv);
		free(*pub);
		*priv = *pub = NULL;
	}
	return rc;
}

int apo_ssh_env_key(const char *env, char **priv, char **pub)
{
	_cleanup_free_ char *dir = ssh_dir(env);
	_cleanup_free_ char *comment = apo_xasprintf("apomon-%s", env);
	_cleanup_free_ char *text = NULL;
	int rc;

	*priv = *pub = NULL;
	if ((rc = apo_mkdir_p(dir, 0700)) < 0)
		return rc;
	if ((rc = key_pair(dir, "id_ed25519", "id_ed25519.pub", comment, &text, pub)) < 0)
		return rc;
	*priv = apo_xasprintf("%s/id_ed25519", dir);
	return 0;
}

int apo_ssh_host_key(const char *env, const char *name, const char *fqdn, char **priv, char **pub)
{
	_cleanup_free_ char *dir = ssh_dir(env);
	_cleanup_free_ char *k = apo_xasprintf("hosts/%s.key", name);
	_cleanup_free_ char *p = apo_xasprintf("hosts/%s.pub", name);
	int rc;

	if ((rc = apo_mkdir_p(dir, 0700)) < 0)
		return rc;
	return key_pair(dir, k, p, fqdn, priv, pub);
}

int apo_ssh_install_host_key(const char *root, const char *priv, const char *pub, uid_t uid,
			     gid_t gid)
{
	_cleanup_close_ int etc = apo_root_open(root, "/etc/ssh", O_PATH | O_DIRECTORY, 0);
	_cleanup_close_ int fd = -1;
	int rc;

	if (etc < 0)
		return etc == -ENOENT || etc == -ENOTDIR ? 0 : etc; /* no SSH in this image */
	rc = apo_root_write(root, "/etc/ssh/ssh_host_ed25519_key", priv, strlen(priv), 0600);
	if (rc == 0)
		rc = apo_root_write(root, "/etc/ssh/ssh_host_ed25519_key.pub", pub, strlen(pub),
				    0644);
	if (rc < 0)
		return rc;
	/* sshd's privilege separation directory, which `sshd -i` needs: made
	 * here once a station (its writable layer keeps it), not by a shell
	 * at each start (the image cannot carry it: /run is a tmpfs while it
	 * is built) */
	_cleanup_close_ int run = apo_root_open(root, "/run", O_PATH | O_DIRECTORY, 0);
	if (run >= 0 && mkdirat(run, "sshd", 0755) == 0 && (uid || gid)) {
		_cleanup_close_ int d =
		    openat(run, "sshd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0 || fchown(d, uid, gid) < 0)
			return -errno;
	}
	if (uid == 0 && gid == 0)
		return 0;
	fd = apo_root_open(root, "/etc/ssh/ssh_host_ed25519_key", O_RDONLY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	return fchown(fd, uid, gid) < 0 ? -errno : 0;
}

/* Appends ",ADDR" unless seen already for this station. */
static void add_addr(FILE *f, struct in_addr a, struct in_addr *seen, size_t *n_seen)
{
	char s[INET_ADDRSTRLEN];

	for (size_t i = 0; i < *n_seen; i++)
		if (seen[i].s_addr == a.s_addr)
			return;
	seen[(*n_seen)++] = a;
	apo_fmt_ip(s, a);
	fprintf(f, ",%s", s);
}

int apo_ssh_known_hosts(const struct apo_plan *p)
{
	_cleanup_free_ char *dir = ssh_dir(p->env);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = 0;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_stations && rc == 0; i++) {
		const struct apo_plan_station *ps = &p->stations[i];
		const struct apo_station *s = ps->station;
		_cleanup_free_ char *priv = NULL, *pub = NULL, *part = NULL;

		if ((rc = apo_ssh_host_key(p->env, s->name, s->fqdn, &priv, &pub)) < 0)
			break;
		part = apo_sshkey_public_part(pub);
		if (!part) {
			rc = -EBADMSG;
			break;
		}
		size_t cap = s->n_addrs, n_seen = 0;
		for (size_t j = 0; j < ps->n_ifaces; j++)
			cap += ps->ifaces[j].n_addrs;
		_cleanup_free_ struct in_addr *seen = apo_xcalloc(cap ? cap : 1, sizeof(*seen));
		fprintf(f, "%s,%s", s->name, s->fqdn);
		for (size_t k = 0; k < s->n_addrs; k++)
			add_addr(f, s->addrs[k].addr, seen, &n_seen);
		for (size_t j = 0; j < ps->n_ifaces; j++)
			for (size_t k = 0; k < ps->ifaces[j].n_addrs; k++)
				add_addr(f, ps->ifaces[j].addrs[k].addr, seen, &n_seen);
		fprintf(f, " %s\n", part);
	}
	if (fclose(f) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == 0)
		rc = apo_root_write(dir, "known_hosts", text ? text : "", len, 0644);
	free(text);
	return rc;
}
