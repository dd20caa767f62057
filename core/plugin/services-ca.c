/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "integrity/ca.h"
#include "plugin/services-ca.h"
#include "plugin/services-files.h"
#include "plugin/services.h"
#include "base/util.h"

int apo_services_issue_cert(const struct apomon_station *st, const char *const names[],
			    const char *cert_path, const char *key_path)
{
	_cleanup_free_ char *crt = NULL, *key = NULL, *err = NULL, *both = NULL;
	size_t n = 0;
	int rc;

	if (!st || !st->ctx || !names || !cert_path)
		return -EINVAL;
	if (!st->root)
		return -ENOTCONN;
	while (names[n])
		n++;
	/* the CA exists once `up` (or `start`) began; make it for a type
	 * that asks earlier all the same */
	if ((rc = apo_ca_ensure(st->ctx->model->env, NULL, &err)) < 0 ||
	    (rc = apo_ca_issue(st->ctx->model->env, names, n, &crt, &key, &err)) < 0) {
		apo_services.log(st, APOMON_LOG_ERROR, "certificate: %s",
				 err ? err : strerror(-rc));
		return rc;
	}
	if (key_path) {
		if ((rc = apo_root_write(st->root, key_path, key, strlen(key), 0600)) == 0)
			rc = apo_root_write(st->root, cert_path, crt, strlen(crt), 0644);
	} else {
		both = apo_xasprintf("%s%s", crt, key);
		rc = apo_root_write(st->root, cert_path, both, strlen(both), 0600);
		OPENSSL_cleanse(both, strlen(both));
	}
	OPENSSL_cleanse(key, strlen(key));
	return rc;
}
