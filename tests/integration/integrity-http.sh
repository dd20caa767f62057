#!/bin/sh
# Manifests from a real HTTP and HTTPS server (nginx from Debian) in a test
# namespace, with a CA the test makes: verified TLS passes, a certificate
# from another CA is refused, signatures are fetched from the same place,
# a tampered tree and a missing manifest are refused.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "${top_srcdir:?}/tests/integration/integrity-lib.sh"
command -v nginx >/dev/null || { echo "SKIP: nginx not installed" >&2; exit 77; }
set -u

int_setup http 10.177.5

# a CA, a server certificate for the server's address, and a rogue CA's
mkcert() { # NAME CA_PREFIX
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$1 test CA" -keyout "$T/$1-ca.key" -out "$T/$1-ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$SRV" \
		-keyout "$T/$1-srv.key" -out "$T/$1-srv.csr" 2>/dev/null
	printf 'subjectAltName=IP:%s\n' "$SRV" >"$T/$1.ext"
	openssl x509 -req -in "$T/$1-srv.csr" -CA "$T/$1-ca.pem" -CAkey "$T/$1-ca.key" \
		-CAcreateserial -days 2 -extfile "$T/$1.ext" -out "$T/$1-srv.pem" 2>/dev/null
}
mkcert good
mkcert rogue

nginx_conf "$T" "	access_log off;
	server { listen $SRV:80; root $T/www;
		location /down/ { access_log $T/nginx/down.log; return 503; }
		location /gone/ { access_log $T/nginx/gone.log; return 404; }
		location /slow/ { limit_rate 1k; } }
	server { listen $SRV:443 ssl; root $T/www;
		ssl_certificate $T/good-srv.pem; ssl_certificate_key $T/good-srv.key; }
	server { listen $SRV:8443 ssl; root $T/www;
		ssl_certificate $T/rogue-srv.pem; ssl_certificate_key $T/rogue-srv.key; }"
int_bg ip netns exec "$NS" nginx -c "$T/nginx.conf" -e "$T/nginx/error.log"
int_wait curl -sf -o /dev/null "http://$SRV/m/www1.manifest"
int_wait curl -sf -o /dev/null --cacert "$T/good-ca.pem" "https://$SRV/m/www1.manifest"

# plain HTTP, with and without the signature requirement
int_passes int_verify -m "http://$SRV/m/www1.manifest"
int_passes int_verify -m "http://$SRV/m/www1.manifest" --public-key "$PUB"

# HTTPS: our CA passes; the system CAs do not know it; a rogue certificate
int_passes int_verify -m "https://$SRV/m/www1.manifest" --ca-file "$T/good-ca.pem" \
	--public-key "$PUB"
int_refuses "https://$SRV/m/www1.manifest: SSL certificate problem: unable to get local issuer certificate" \
	int_verify -m "https://$SRV/m/www1.manifest"
int_refuses "https://$SRV:8443/m/www1.manifest: SSL certificate problem" \
	int_verify -m "https://$SRV:8443/m/www1.manifest" --ca-file "$T/good-ca.pem"

# not found, server errors (retried, then refused), nothing listening
int_refuses "http://$SRV/m/nope.manifest: HTTP 404" int_verify -m "http://$SRV/m/nope.manifest"
int_refuses "http://$SRV/down/m: HTTP 503" int_verify -m "http://$SRV/down/m"
int_refuses "http://$SRV/gone/m: HTTP 404" int_verify -m "http://$SRV/gone/m"
# 5xx is transient: the first try and the 2 default retries; 4xx is not
[ "$(wc -l <"$T/nginx/down.log")" = 3 ] || fail "503: expected 3 attempts: $(cat "$T/nginx/down.log")"
[ "$(wc -l <"$T/nginx/gone.log")" = 1 ] || fail "404: expected 1 attempt: $(cat "$T/nginx/gone.log")"
int_refuses "http://$SRV:81/m: Failed to connect" int_verify -m "http://$SRV:81/m"

# the total timeout: 1 MiB at 1 KiB/s does not arrive in 1 s
mkdir -p "$T/www/slow" && head -c 1048576 /dev/zero >"$T/www/slow/big"
int_refuses "http://$SRV/slow/big: Operation timed out after" \
	int_verify -m "http://$SRV/slow/big" --timeout 1 --retries 0

# signatures: missing, by another key, manifest changed after signing
"$APOMON" keygen -o "$T/other" >/dev/null
int_refuses "signature does not verify with $T/other.pub" \
	int_verify -m "http://$SRV/m/www1.manifest" --public-key "$T/other.pub"
mv "$M.sig" "$T/sig.saved"
int_refuses "signature required" int_verify -m "http://$SRV/m/www1.manifest" --public-key "$PUB"
grep -q 'HTTP 404' "$T/err" || fail "missing signature: expected the 404 in: $(cat "$T/err")"
mv "$T/sig.saved" "$M.sig"
sed -i 's/^# station: .*/# station: evil.example.com/' "$M"
int_refuses "signature does not verify" \
	int_verify -m "http://$SRV/m/www1.manifest" --public-key "$PUB"
"$APOMON" seal --root "$ROOT" --path /etc/app --path /etc/app/absent.conf \
	-o "$M" --sign "$KEY" 2>/dev/null || fail "reseal"

# the tree: tampered, missing, planted; every bad file is named
echo "listen 8080" >"$ROOT/etc/app/app.conf"
rm "$ROOT/etc/app/conf.d/w.conf"
echo planted >"$ROOT/etc/app/absent.conf"
int_refuses "/etc/app/app.conf: digest mismatch" int_verify -m "https://$SRV/m/www1.manifest" \
	--ca-file "$T/good-ca.pem" --public-key "$PUB"
grep -q "/etc/app/conf.d/w.conf: missing" "$T/err" || fail "missing file not named: $(cat "$T/err")"
grep -q "/etc/app/absent.conf: exists" "$T/err" || fail "planted file not named: $(cat "$T/err")"
exit 0
