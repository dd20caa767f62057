/* SPDX-License-Identifier: MIT */
/*
 * Ed25519 keys in OpenSSH's own formats, made with OpenSSL: a station's
 * host key and the environment's client key cost microseconds this way,
 * where `ssh-keygen -A` costs about 0.3 s of CPU a station (RSA 3072 and
 * ECDSA keys nobody asked for).
 *
 * The private key is the unencrypted "openssh-key-v1" format (OpenSSH's
 * PROTOCOL.key), the public key one authorized_keys / known_hosts line.
 */
#ifndef APO_SSHKEY_H
#define APO_SSHKEY_H

/*
 * A new key pair.  *priv: the PEM-armoured private key ("-----BEGIN
 * OPENSSH PRIVATE KEY-----" ...), *pub: "ssh-ed25519 BASE64 COMMENT\n";
 * both NUL-terminated, caller frees.  0 or a negative errno.
 */
int apo_sshkey_ed25519(const char *comment, char **priv, char **pub);

/*
 * The "ssh-ed25519 BASE64" part of a public key line (no comment, no
 * newline), for known_hosts; NULL when the line is not an Ed25519 key.
 * Caller frees.
 */
char *apo_sshkey_public_part(const char *pub_line);

#endif
