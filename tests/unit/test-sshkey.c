/* SPDX-License-Identifier: MIT */
/* Ed25519 keys in OpenSSH's formats: OpenSSH's own ssh-keygen reads the
 * private key back and derives the very public key we wrote. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "integrity/sshkey.h"
#include "check-run.h"

/* ssh-keygen -y on priv: the public key line OpenSSH derives from it */
static char *derive_public(const char *priv)
{
	char path[] = "/tmp/apomon-test-sshkey.XXXXXX";
	int fd = mkstemp(path); /* 0600, as ssh-keygen insists */
	char line[512] = "";
	FILE *p;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, priv, strlen(priv)), (ssize_t)strlen(priv));
	close(fd);
	char *cmd = apo_xasprintf("ssh-keygen -y -f '%s' 2>&1", path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	unlink(path);
	free(cmd);
	return apo_xstrdup(line);
}

START_TEST(openssh_reads_it)
{
	char *priv, *pub;

	ck_assert_int_eq(apo_sshkey_ed25519("s1.example.com", &priv, &pub), 0);
	ck_assert(strncmp(priv, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
	ck_assert(strstr(priv, "-----END OPENSSH PRIVATE KEY-----\n") != NULL);
	ck_assert(strncmp(pub, "ssh-ed25519 ", 12) == 0);
	ck_assert(strstr(pub, " s1.example.com\n") != NULL);

	char *derived = derive_public(priv);
	char *a = apo_sshkey_public_part(pub), *b = apo_sshkey_public_part(derived);
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(b != NULL, "ssh-keygen -y: %s", derived);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(derived);
	free(priv);
	free(pub);
}
END_TEST

START_TEST(every_key_is_new)
{
	char *p1, *q1, *p2, *q2;

	ck_assert_int_eq(apo_sshkey_ed25519(NULL, &p1, &q1), 0);
	ck_assert_int_eq(apo_sshkey_ed25519(NULL, &p2, &q2), 0);
	ck_assert_str_ne(q1, q2);
	ck_assert_str_ne(p1, p2);
	/* no comment: no trailing space */
	ck_assert_ptr_null(strstr(q1, " \n"));
	free(p1);
	free(q1);
	free(p2);
	free(q2);
}
END_TEST

START_TEST(public_part)
{
	char *s = apo_sshkey_public_part("ssh-ed25519 AAAAC3Nz x@y\n");
	ck_assert_str_eq(s, "ssh-ed25519 AAAAC3Nz");
	free(s);
	ck_assert_ptr_null(apo_sshkey_public_part("ssh-rsa AAAAB3 x\n"));
	ck_assert_ptr_null(apo_sshkey_public_part("ssh-ed25519 \n"));
}
END_TEST

int main(void)
{
	return apo_check_run(
	    "sshkey", (const TTest *[]){openssh_reads_it, every_key_is_new, public_part, NULL});
}
