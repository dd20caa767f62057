/* SPDX-License-Identifier: MIT */
/*
 * SSH keys of an environment, under /var/lib/apomon/ENV/ssh/:
 *
 *   id_ed25519, id_ed25519.pub   the environment's client key: `apomon ssh`
 *                                logs in as 3pg with it
 *   hosts/NAME.key, NAME.pub     each station's host key, made once by
 *                                apomon and written into the station's root
 *                                at every start (/etc/ssh/ssh_host_ed25519_key)
 *   known_hosts                  every station's names and addresses with its
 *                                host key: `apomon ssh` checks strictly
 *
 * Keys are made with OpenSSL (integrity/sshkey.h), never ssh-keygen.
 */
#ifndef APO_SSH_KEYS_H
#define APO_SSH_KEYS_H

#include "plan/plan.h"

/* The environment's client key, made when missing: *priv the private
 * key's path, *pub its public line (caller frees both). */
int apo_ssh_env_key(const char *env, char **priv, char **pub);

/* A station's host key, made when missing: *priv and *pub the key texts
 * (caller frees both). */
int apo_ssh_host_key(const char *env, const char *name, const char *fqdn, char **priv, char **pub);

/* Writes the host key into a station's root when its image has /etc/ssh;
 * uid/gid own the private key (the station's root user on the host). */
int apo_ssh_install_host_key(const char *root, const char *priv, const char *pub, uid_t uid,
			     gid_t gid);

/* known_hosts for every station of the plan (making missing host keys),
 * replaced atomically. */
int apo_ssh_known_hosts(const struct apo_plan *p);

/* Its path (caller frees). */
char *apo_ssh_known_hosts_path(const char *env);

#endif
