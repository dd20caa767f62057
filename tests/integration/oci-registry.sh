#!/bin/sh
# docker:// pulls from Debian's docker-registry (the distribution
# registry) on loopback, filled with skopeo from an image made here: by
# tag and by digest; a re-pull, a second image sharing layers and two
# pulls at once fetch no layer twice (counted in the registry's access
# log); a corrupted blob in the registry's storage is refused leaving
# nothing, 404 and 401 each say one line; over TLS with a CA of the test's own and htpasswd basic auth,
# credentials from an auth.json.  No kernel objects: no lock needed.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
tmp=$(mktemp -d /tmp/apomon-oci-registry.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$APOMON_SRCDIR/tests/integration/oci-lib.sh"
oci_need_registry

blob_gets() { grep -c '"GET /v2/[^ ]*/blobs/' "$tmp/$1.log"; }

P=$((20000 + $$ % 20000))
start_registry plain "$P"
R="127.0.0.1:$P"
oci_make_image "$tmp"
skopeo copy -q --dest-tls-verify=false "oci:$lay:web" "docker://$R/t/web:1" || fail "skopeo push"
# a second image: the first's layers plus one
umoci unpack --image "$lay:web" "$tmp/b3" >/dev/null || fail "umoci unpack 3"
echo two >"$tmp/b3/rootfs/www/two.html"
umoci repack --image "$lay:web2" "$tmp/b3" || fail "umoci repack 3"
skopeo copy -q --dest-tls-verify=false "oci:$lay:web2" "docker://$R/t/web:2" || fail "skopeo push 2"

printf 'registries = ( { host = "%s"; insecure = true; } );\n' "$R" >"$tmp/registries.conf"
APOMON_REGISTRIES="$tmp/registries.conf"
APOMON_LIB_DIR="$tmp/lib"
export APOMON_REGISTRIES APOMON_LIB_DIR
store="$tmp/lib/images"

# ---- by tag: config and the three layers, once each ----
g0=$(blob_gets plain)
"$APOMON" image pull "docker://$R/t/web:1" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "pull by tag"; }
cat "$tmp/out"
[ $(($(blob_gets plain) - g0)) = 4 ] || { cat "$tmp/plain.log"; fail "pull: not 4 blob requests"; }
[ "$(ls "$store/oci-layer" | wc -l)" = 3 ] || fail "pull: not 3 layers"
ls -d "$store"/.pull-* "$store"/*/.tmp-* 2>/dev/null && fail "a temporary directory remains"
top=$store/$(cd "$store" && ls -d oci-web-1-*)
top=$top/$(readlink "$top/current")
grep -qx 'port 8080/tcp' "$top/root/apomon/oci-start" || fail "pulled config not kept"
[ "$(jq -r .source "$top/oci.json")" = "docker://$R/t/web:1" ] || fail "source not recorded"

# ---- the live line: on a terminal only, and not with -q ----
grep_q "$(printf '\r')\|MB" "$tmp/out" && fail "a live progress line when stderr is no terminal"
for q in "" -q; do
	APOMON_LIB_DIR="$tmp/lib-tty$q" script -qec "$APOMON image pull $q docker://$R/t/web:1" /dev/null \
		>"$tmp/tty$q" 2>&1 || { cat "$tmp/tty$q"; fail "pull on a terminal $q"; }
done
grep_q "layer 3/3, [0-9.]*/[0-9.]* MB" "$tmp/tty" || { cat -A "$tmp/tty"; fail "no live line on a terminal"; }
[ ! -s "$tmp/tty-q" ] || { cat -A "$tmp/tty-q"; fail "-q printed on a terminal"; }
rm -rf "$tmp/lib-tty" "$tmp/lib-tty-q"

# ---- again: only the manifest is asked for ----
dig=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/t/web:1") || fail "skopeo inspect"
g1=$(blob_gets plain)
"$APOMON" image pull "docker://$R/t/web:1" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "re-pull"; }
grep -q "up to date" "$tmp/out" || { cat "$tmp/out"; fail "a re-pull is no cache hit"; }
[ "$(blob_gets plain)" = "$g1" ] || fail "a re-pull downloaded blobs"

# ---- by digest (another store name): the config, no layer ----
"$APOMON" image pull "docker://$R/t/web@$dig" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "pull by digest"; }
[ $(($(blob_gets plain) - g1)) = 1 ] || fail "pull by digest fetched layers again"
currents=$(for c in "$store"/*/current; do readlink "$c"; done)
echo "$currents" | grep -x "${dig#sha256:}" >/dev/null ||
	{ cat "$tmp/out"; ls -l "$store"/*/current; echo "$dig"; fail "pull by digest: no image at that digest"; }

# ---- a second image sharing three layers: one layer and its config ----
g2=$(blob_gets plain)
"$APOMON" image pull "docker://$R/t/web:2" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "pull web:2"; }
[ $(($(blob_gets plain) - g2)) = 2 ] || { tail -5 "$tmp/plain.log"; fail "shared layers downloaded again"; }
[ "$(ls "$store/oci-layer" | wc -l)" = 4 ] || fail "web:2: not 4 layers in all"

# ---- an image index: the host's platform is picked, not the first entry ----
# web:2 listed first as another architecture, web:1 as this host's
host_arch=$(dpkg --print-architecture)
other_arch=arm64
[ "$host_arch" != arm64 ] || other_arch=amd64
desc() { jq -c --arg r "$1" --arg a "$2" '.manifests[] |
	select(.annotations["org.opencontainers.image.ref.name"] == $r) |
	{mediaType, digest, size, platform: {os: "linux", architecture: $a}}' "$lay/index.json"; }
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
	"$(desc web2 "$other_arch")" "$(desc web "$host_arch")" >"$tmp/index.json"
idig=$(sha256sum "$tmp/index.json" | cut -d' ' -f1)
cp "$tmp/index.json" "$lay/blobs/sha256/$idig"
jq --arg d "sha256:$idig" --argjson n "$(stat -c %s "$tmp/index.json")" '.manifests += [{
	mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $n,
	annotations: {"org.opencontainers.image.ref.name": "multi"}}]' "$lay/index.json" >"$tmp/lay-index"
cp "$tmp/lay-index" "$lay/index.json"
skopeo copy -q --all --dest-tls-verify=false "oci:$lay:multi" "docker://$R/t/web:multi" || fail "skopeo push of the index"
"$APOMON" image pull -q "docker://$R/t/web:multi" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "pull of an index"; }
mtop=$store/$(cd "$store" && ls -d oci-web-multi-*)
mtop=$mtop/$(readlink "$mtop/current")
[ "$(readlink "$mtop/../current")" = "${dig#sha256:}" ] ||
	fail "index: the $host_arch entry (web:1, $dig) was not picked: $(readlink "$mtop/../current")"

# ---- zstd layers (skopeo's --dest-compress-format zstd) unpack alike:
#      into an empty store, the same layers (chain ids) file for file ----
skopeo copy -q --dest-compress-format zstd "oci:$lay:web" "oci:$tmp/zlay:web" || fail "skopeo copy to zstd"
[ "$(jq -r '.layers[].mediaType' "$tmp/zlay/blobs/sha256/$(jq -r '.manifests[0].digest' "$tmp/zlay/index.json" |
	cut -d: -f2)" | sort -u)" = application/vnd.oci.image.layer.v1.tar+zstd ] || fail "skopeo wrote no zstd layers"
APOMON_LIB_DIR="$tmp/libz" "$APOMON" image import -q "oci:$tmp/zlay:web" >"$tmp/out" 2>&1 ||
	{ cat "$tmp/out"; fail "import of zstd layers"; }
layers_of() { # STORE: the zstd store's layers, as STORE holds them, file by file
	for l in $(ls "$tmp/libz/images/oci-layer"); do
		(cd "$1/oci-layer/$l/root" && find . -mindepth 1 -printf "$l %P %y %m %U:%G %s %l\n" | sort &&
			find . -type f -size +0 -exec sha256sum {} + | sort -k2)
	done
}
[ "$(ls "$tmp/libz/images/oci-layer" | wc -l)" = 3 ] || fail "zstd: not 3 layers"
[ "$(layers_of "$tmp/libz/images")" = "$(layers_of "$store")" ] ||
	fail "zstd layers: not the same trees as the gzip ones"
rm -rf "$tmp/libz"

# ---- list shows source and digest; rm keeps the layers others share ----
"$APOMON" image list >"$tmp/list" || fail "image list"
grep "oci-web-1-" "$tmp/list" | grep_q "docker://$R/t/web:1" || { cat "$tmp/list"; fail "list: no source"; }
"$APOMON" image list --json | jq -e --arg s "docker://$R/t/web:2" \
	'[.[] | select(.source == $s and (.manifest | startswith("sha256:")))] | length == 1' >/dev/null ||
	fail "list --json: no source or manifest digest"
"$APOMON" image rm oci-layer >"$tmp/out" 2>&1 && fail "the shared layers were removed as an image"
web2=$(cd "$store" && ls -d oci-web-2-*)
"$APOMON" image rm "$web2" >/dev/null || fail "rm web:2"
[ "$(ls "$store/oci-layer" | wc -l)" = 3 ] || { ls "$store/oci-layer"; fail "rm web:2: its own layer kept or a shared one removed"; }
for i in $(cd "$store" && ls -d oci-*-* | grep -v '^oci-layer$'); do
	"$APOMON" image rm "$i" >/dev/null || fail "rm $i"
done
[ -z "$(ls "$store/oci-layer")" ] || { ls "$store/oci-layer"; fail "the last image's rm left its layers"; }

# ---- two pulls of the same image at once: each blob is downloaded once,
#      the second waits for the first and finds the image there ----
g3=$(blob_gets plain)
"$APOMON" image pull -q "docker://$R/t/web:1" >"$tmp/out1" 2>&1 &
p1=$!
"$APOMON" image pull -q "docker://$R/t/web:1" >"$tmp/out2" 2>&1 || { cat "$tmp/out2"; fail "the second of two pulls at once"; }
wait "$p1" || { cat "$tmp/out1"; fail "the first of two pulls at once"; }
[ $(($(blob_gets plain) - g3)) = 4 ] ||
	{ tail -12 "$tmp/plain.log"; fail "two pulls at once: not 4 blob requests (config + 3 layers, once each)"; }
[ "$(ls "$store/oci-layer" | wc -l)" = 3 ] || fail "two pulls at once: not 3 layers"
for i in $(cd "$store" && ls -d oci-*-* | grep -v '^oci-layer$'); do
	"$APOMON" image rm "$i" >/dev/null || fail "rm $i"
done

# ---- unhappy paths into an empty store that must stay so ----
APOMON_LIB_DIR="$tmp/lib2"
mkdir -p "$APOMON_LIB_DIR/images"
before=$(store_listing "$APOMON_LIB_DIR/images")
one_line() { # what
	[ "$(grep -c '^apomon:' "$tmp/out")" = 1 ] && [ "$(wc -l <"$tmp/out")" = 1 ] ||
		{ cat "$tmp/out"; fail "$1: not one line"; }
	[ "$(store_listing "$APOMON_LIB_DIR/images")" = "$before" ] &&
		[ -z "$(ls -A "$APOMON_LIB_DIR/images/oci-layer" 2>/dev/null)" ] ||
		{ find "$APOMON_LIB_DIR/images"; fail "$1: left something in the store"; }
}
"$APOMON" image pull -q "docker://$R/t/web:nope" >"$tmp/out" 2>&1 && fail "an unknown tag was pulled"
grep -q "HTTP 404 from $R" "$tmp/out" && grep -q "docker://$R/t/web:nope" "$tmp/out" || { cat "$tmp/out"; fail "404 message"; }
one_line 404

# a corrupted layer in the registry's own storage: served as it is now
big=$(find "$tmp/plain-store" -path '*/blobs/sha256/*/data' -size +100k | head -1)
[ -n "$big" ] || fail "no layer blob in the registry storage"
printf 'X' | dd of="$big" bs=1 seek=1000 conv=notrunc 2>/dev/null
"$APOMON" image pull "docker://$R/t/web:1" >"$tmp/out" 2>&1 && fail "a corrupted blob was pulled"
grep -q "digest mismatch" "$tmp/out" || { cat "$tmp/out"; fail "no word of the mismatch"; }
sed -i '/^docker:/d' "$tmp/out" # progress lines of the layers before it
one_line "corrupted blob"

# a plain-HTTP registry not marked insecure: TLS fails, one line
APOMON_REGISTRIES=/dev/null "$APOMON" image pull "docker://$R/t/web:1" >"$tmp/out" 2>&1 &&
	fail "an unmarked plain-HTTP registry was used"
grep -q "marked insecure" "$tmp/out" || { cat "$tmp/out"; fail "no hint about insecure"; }
one_line "not insecure"

# ---- TLS with a CA of the test's own, and htpasswd basic auth ----
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout "$tmp/ca.key" \
	-out "$tmp/ca.pem" -addext basicConstraints=critical,CA:TRUE 2>/dev/null || fail "ca"
printf 'subjectAltName=IP:127.0.0.1\n' >"$tmp/san.ext"
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$tmp/srv.key" -out "$tmp/srv.csr" 2>/dev/null &&
	openssl x509 -req -in "$tmp/srv.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
		-days 2 -extfile "$tmp/san.ext" -out "$tmp/srv.pem" 2>/dev/null ||
	fail "server certificate"
python3 -c 'import crypt,sys; print("tuser:" + crypt.crypt("tpass", crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
	>"$tmp/htpasswd" 2>/dev/null || fail "htpasswd"
T=$((P + 1))
start_registry tls "$T" "  tls:
    certificate: $tmp/srv.pem
    key: $tmp/srv.key
auth:
  htpasswd:
    realm: test
    path: $tmp/htpasswd" s
S="127.0.0.1:$T"
skopeo copy -q --dest-tls-verify=false --dest-creds tuser:tpass "oci:$lay:web" "docker://$S/t/web:1" ||
	fail "skopeo push (tls)"
printf 'registries = ( { host = "%s"; ca = "%s"; } );\n' "$S" "$tmp/ca.pem" >"$tmp/tls.conf"
APOMON_REGISTRIES="$tmp/tls.conf"
REGISTRY_AUTH_FILE="$tmp/none.json"
export REGISTRY_AUTH_FILE
"$APOMON" image pull "docker://$S/t/web:1" >"$tmp/out" 2>&1 && fail "pulled without credentials"
grep -q "HTTP 401 from $S.*no credentials" "$tmp/out" || { cat "$tmp/out"; fail "401 message"; }
one_line 401
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$S" "$(printf tuser:wrong | base64)" >"$tmp/auth.json"
REGISTRY_AUTH_FILE="$tmp/auth.json"
"$APOMON" image pull "docker://$S/t/web:1" >"$tmp/out" 2>&1 && fail "pulled with a wrong password"
grep -q "HTTP 401 from $S" "$tmp/out" || { cat "$tmp/out"; fail "401 (wrong password) message"; }
one_line "wrong password"
printf '{"auths":{"https://%s":{"auth":"%s"}}}\n' "$S" "$(printf tuser:tpass | base64)" >"$tmp/auth.json"
"$APOMON" image pull "docker://$S/t/web:1" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "pull over TLS with basic auth"; }
[ "$(ls "$APOMON_LIB_DIR/images/oci-layer" | wc -l)" = 3 ] || fail "tls: not 3 layers"
# without the CA, the registry's certificate is refused
APOMON_REGISTRIES=/dev/null "$APOMON" image pull "docker://$S/t/web:1" >"$tmp/out" 2>&1 &&
	fail "an unknown CA was accepted"
grep -q "certificate" "$tmp/out" || { cat "$tmp/out"; fail "no word of the certificate"; }
echo "oci-registry: ok"
