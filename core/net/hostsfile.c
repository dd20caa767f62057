/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/hostsfile.h"
#include "base/fmt.h"
#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"

const char *apo_hosts_path(void)
{
	const char *p = getenv("APOMON_HOSTS_FILE");
	return p && *p ? p : "/etc/hosts";
}

static bool publishes_web(const struct apo_plan *p, size_t station)
{
	for (size_t i = 0; i < p->n_publish; i++)
		if (p->publish[i].station == station &&
		    (p->publish[i].port == 80 || p->publish[i].port == 443 ||
		     (p->publish[i].port < 80 && p->publish[i].port + p->publish[i].count > 80) ||
		     (p->publish[i].port < 443 && p->publish[i].port + p->publish[i].count > 443)))
			return true;
	return false;
}

char *apo_hosts_lines(const struct apo_plan *p)
{
	char *text = NULL, a[INET_ADDRSTRLEN];
	size_t len;
	FILE *m = open_memstream(&text, &len);

	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_station *s = p->stations[i].station;
		if (!s->cluster || !publishes_web(p, i))
			continue;
		/* one cluster's web names once, however many stations publish */
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			if (p->stations[j].station->cluster == s->cluster && publishes_web(p, j))
				seen = true;
		if (!seen)
			fprintf(m, "127.0.0.1 www.%s %s\n", s->cluster->domain, s->cluster->domain);
	}
	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_station *s = p->stations[i].station;
		if (!s->n_addrs)
			continue;
		apo_fmt_ip(a, s->addrs[0].addr);
		fprintf(m, "%s %s\n", a, s->fqdn);
	}
	fclose(m);
	return text;
}

static char *begin_marker(const char *env)
{
	return apo_xasprintf("# BEGIN apomon %s", env);
}

static char *end_marker(const char *env)
{
	return apo_xasprintf("# END apomon %s\n", env);
}

/* The line starting at s is exactly marker (followed by a blank or EOL). */
static bool line_is(const char *s, const char *marker)
{
	size_t l = strlen(marker);
	while (l && marker[l - 1] == '\n')
		l--;
	return !strncmp(s, marker, l) && (s[l] == '\n' || s[l] == ' ' || s[l] == '\0');
}

char *apo_hosts_splice(const char *text, const char *env, const char *lines)
{
	_cleanup_free_ char *b = begin_marker(env), *e = end_marker(env);
	char *out = NULL;
	size_t len;
	FILE *m = open_memstream(&out, &len);
	const char *s = text;
	bool in = false, written = false;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t l = nl ? (size_t)(nl - s) + 1 : strlen(s);
		if (!in && line_is(s, b)) {
			in = true;
		} else if (in && line_is(s, e)) {
			in = false;
			if (lines && !written) {
				fprintf(m, "%s (`apomon -e %s down` removes it)\n%s%s", b, env,
					lines, e);
				written = true;
			}
		} else if (!in) {
			fwrite(s, 1, l, m);
			if (!nl)
				fputc('\n', m);
		}
		s += l;
	}
	if (lines && !written)
		fprintf(m, "%s (`apomon -e %s down` removes it)\n%s%s", b, env, lines, e);
	fclose(m);
	if (in) {
		free(out);
		return NULL;
	}
	return out;
}

size_t apo_hosts_unterminated_line(const char *path, const char *env)
{
	_cleanup_free_ char *b = begin_marker(env), *e = end_marker(env), *text = NULL;
	size_t line = 0, begun = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	apo_read_fd(fd, SIZE_MAX, &text, NULL);
	close(fd);
	for (const char *s = text; s && *s; line++) {
		if (!begun && line_is(s, b))
			begun = line + 1;
		else if (begun && line_is(s, e))
			begun = 0;
		const char *nl = strchr(s, '\n');
		s = nl ? nl + 1 : s + strlen(s);
	}
	return begun;
}

int apo_hosts_update(const char *path, const char *env, const char *lines)
{
	_cleanup_free_ char *dir = apo_xstrdup(path);
	_cleanup_free_ char *tmp = apo_xasprintf("%s.apomon-%d", path, (int)getpid());
	_cleanup_free_ char *old = NULL, *new = NULL;
	struct stat st;
	int lock = -1, fd = -1, rc;

	/* the lock is the file's directory: it always exists and outlives
	 * the renames, and no lock file is left behind */
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		rc = -errno;
		goto out;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	rc = apo_read_fd(fd, SIZE_MAX, &old, NULL);
	if (rc < 0)
		goto out;
	new = apo_hosts_splice(old, env, lines);
	if (!new) {
		rc = -EBADMSG;
		goto out;
	}
	if (!strcmp(old, new)) {
		rc = 0;
		goto out;
	}
	int t = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
	if (t < 0) {
		rc = -errno;
		goto out;
	}
	rc = apo_write_all(t, new, strlen(new));
	if (!rc && (fchown(t, st.st_uid, st.st_gid) < 0 || fsync(t) < 0))
		rc = -errno;
	close(t);
	if (!rc && rename(tmp, path) < 0) {
		rc = -errno;
		/* a bind-mounted file cannot be replaced: rewrite it in place,
		 * still under the lock */
		if (rc == -EBUSY || rc == -EXDEV) {
			rc = 0;
			if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
				rc = -errno;
			else
				rc = apo_write_all(fd, new, strlen(new));
		}
	}
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	if (lock >= 0)
		close(lock);
	return rc;
}
