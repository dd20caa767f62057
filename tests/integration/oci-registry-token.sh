#!/bin/sh
# The 401-then-token flow for real: Debian's docker-registry with token
# auth, trusting a certificate of the test's own; the token endpoint is a
# few lines of Python here that checks basic credentials and signs a JWT
# (RS256, x5c) granting what the scope asks, as a registry's token server
# does.  Without credentials the endpoint refuses: one line; with them
# (auth.json) the pull succeeds and the registry saw the bearer token.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
python3 -c 'import cryptography' 2>/dev/null ||
	{ echo "SKIP: python3-cryptography not installed" >&2; exit 77; }
tmp=$(mktemp -d /tmp/apomon-oci-token.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$APOMON_SRCDIR/tests/integration/oci-lib.sh"
oci_need_registry

P=$((20000 + ($$ + 7) % 20000))
K=$((P + 1))
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=token-signer -keyout "$tmp/sign.key" \
	-out "$tmp/sign.pem" 2>/dev/null || fail "signing certificate"
cat >"$tmp/tokensrv.py" <<'PY'
import base64, json, subprocess, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlparse, parse_qs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
port, keyf, certf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
key = serialization.load_pem_private_key(open(keyf, 'rb').read(), None)
der = x509.load_pem_x509_certificate(open(certf, 'rb').read()).public_bytes(serialization.Encoding.DER)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        if self.headers.get('Authorization') != 'Basic ' + base64.b64encode(b'tuser:tpass').decode():
            self.send_response(401); self.end_headers(); return
        access = []
        for s in q.get('scope', []):
            t, name, acts = s.split(':')
            access.append({'type': t, 'name': name, 'actions': acts.split(',')})
        now = int(time.time())
        claims = {'iss': 'apomon-test', 'sub': 'tuser', 'aud': q['service'][0], 'exp': now + 300,
                  'nbf': now - 10, 'iat': now, 'jti': str(now), 'access': access}
        head = {'alg': 'RS256', 'typ': 'JWT', 'x5c': [base64.b64encode(der).decode()]}
        msg = b64(json.dumps(head).encode()) + '.' + b64(json.dumps(claims).encode())
        sig = key.sign(msg.encode(), padding.PKCS1v15(), hashes.SHA256())
        body = json.dumps({'token': msg + '.' + b64(sig)}).encode()
        self.send_response(200); self.send_header('Content-Type', 'application/json')
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): sys.stderr.write('token %s\n' % (a[0] % a[1:]))
HTTPServer(('127.0.0.1', port), H).serve_forever()
PY
python3 "$tmp/tokensrv.py" "$K" "$tmp/sign.key" "$tmp/sign.pem" 2>"$tmp/token.log" &
pids="$pids $!"
start_registry reg "$P" "auth:
  token:
    realm: http://127.0.0.1:$K/token
    service: apomon-test-registry
    issuer: apomon-test
    rootcertbundle: $tmp/sign.pem"
i=0
until curl -s -o /dev/null "http://127.0.0.1:$K/"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$tmp/token.log"; fail "token server did not answer"; }
	sleep 0.1
done
R="127.0.0.1:$P"
oci_make_image "$tmp"
skopeo copy -q --dest-tls-verify=false --dest-creds tuser:tpass "oci:$lay:web" "docker://$R/t/web:1" ||
	{ cat "$tmp/reg.log" "$tmp/token.log"; fail "skopeo push through the token flow"; }

printf 'registries = ( { host = "%s"; insecure = true; } );\nauth = "%s/auth.json";\n' "$R" "$tmp" \
	>"$tmp/registries.conf"
APOMON_REGISTRIES="$tmp/registries.conf"
APOMON_LIB_DIR="$tmp/lib"
export APOMON_REGISTRIES APOMON_LIB_DIR
echo '{"auths":{}}' >"$tmp/auth.json"
"$APOMON" image pull "docker://$R/t/web:1" >"$tmp/out" 2>&1 && fail "pulled without credentials"
grep -q "token from http://127.0.0.1:$K/token: HTTP 401.*no credentials" "$tmp/out" ||
	{ cat "$tmp/out"; fail "401 at the token endpoint: no clear line"; }
[ "$(wc -l <"$tmp/out")" = 1 ] || { cat "$tmp/out"; fail "not one line"; }
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(printf tuser:tpass | base64)" >"$tmp/auth.json"
t0=$(grep -c "GET /token" "$tmp/token.log")
"$APOMON" image pull "docker://$R/t/web:1" >"$tmp/out" 2>&1 ||
	{ cat "$tmp/out" "$tmp/token.log"; fail "pull through the token flow"; }
[ "$(grep -c "GET /token" "$tmp/token.log")" -gt "$t0" ] || fail "no token was asked for"
[ "$(ls "$APOMON_LIB_DIR/images/oci-layer" | wc -l)" = 3 ] || fail "token pull: not 3 layers"
echo "oci-registry-token: ok"
