#!/bin/sh
# A manifest from a real S3-compatible server with Signature V4 in a test
# namespace.  Good credentials pass; an unknown key id and a wrong secret
# are refused with the server's error code.
# The server is s3rver, but the @20minutes/s3rver fork: s3rver 3.7.1 (the
# npm package `s3rver`) looks up the access key id and never computes V4
# signatures ("Signature version 4 calculation is unimplemented"), so a
# wrong secret would pass.  It is installed with npm into
# $APOMON_NPM_CACHE (default /var/cache/apomon-test/npm) on first use.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "${top_srcdir:?}/tests/integration/integrity-lib.sh"
set -u
NPM_DIR=${APOMON_NPM_CACHE:-/var/cache/apomon-test/npm}
S3RVER=$NPM_DIR/node_modules/@20minutes/s3rver/lib/s3rver.js
command -v node >/dev/null || { echo "SKIP: node not installed" >&2; exit 77; }
if [ ! -f "$S3RVER" ]; then
	command -v npm >/dev/null || { echo "SKIP: npm not installed" >&2; exit 77; }
	mkdir -p "$NPM_DIR"
	npm install --no-audit --no-fund --prefix "$NPM_DIR" @20minutes/s3rver@4 >&2 ||
		fail "npm install s3rver"
fi

int_setup s3 10.177.7
EP=http://$SRV:4568
mkdir -p "$T/s3"
int_bg ip netns exec "$NS" node "$top_srcdir/tests/integration/integrity-s3rver.js" \
	"$NPM_DIR/node_modules" "$T/s3" "$SRV" 4568 manifests
int_wait curl -sf -o /dev/null "$EP/"

# upload with curl's own SigV4 (s3rver's default account S3RVER/S3RVER)
put() { # FILE KEY
	curl -sf --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER \
		-H "x-amz-content-sha256: $(sha256sum <"$1" | cut -d' ' -f1)" \
		-T "$1" "$EP/manifests/$2" || fail "upload $2"
}
put "$M" env/www1.manifest
put "$M.sig" env/www1.manifest.sig

AWS_ENDPOINT_URL=$EP AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_ENDPOINT_URL AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
int_passes int_verify -m s3://manifests/env/www1.manifest --public-key "$PUB"

int_refuses "s3://manifests/env/nope.manifest: HTTP 404 (NoSuchKey)" \
	int_verify -m s3://manifests/env/nope.manifest
AWS_ACCESS_KEY_ID=AKIDUNKNOWN0000000 int_refuses \
	"s3://manifests/env/www1.manifest: HTTP 403 (InvalidAccessKeyId)" \
	int_verify -m s3://manifests/env/www1.manifest
AWS_SECRET_ACCESS_KEY=not-the-secret int_refuses \
	"s3://manifests/env/www1.manifest: HTTP 403 (SignatureDoesNotMatch)" \
	int_verify -m s3://manifests/env/www1.manifest
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	int_refuses "s3://manifests/env/www1.manifest: no S3 credentials" \
		int_verify -m s3://manifests/env/www1.manifest
) || exit 1

# a signature uploaded by someone else's key
"$APOMON" keygen -o "$T/other" >/dev/null
"$APOMON" seal --root "$ROOT" --path /etc/app -o "$T/evil.manifest" \
	--sign "$T/other.key" 2>/dev/null || fail "seal evil"
put "$T/evil.manifest" env/www1.manifest
put "$T/evil.manifest.sig" env/www1.manifest.sig
int_refuses "s3://manifests/env/www1.manifest.sig: signature does not verify" \
	int_verify -m s3://manifests/env/www1.manifest --public-key "$PUB"
exit 0
