#!/bin/sh
# A station of an OCI image (made here with umoci, whose entrypoint is
# busybox httpd, pushed with skopeo to Debian's docker-registry on
# loopback): `up` pulls it (docker://), apomon-init
# runs its Entrypoint+Cmd as its User in its WorkingDir with its Env, on
# a public address, and curl on the host gets the page; down leaves
# nothing.  Run it against an image whose oci-start is gone and it fails.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
tmp=$(mktemp -d /tmp/apomon-oci-station.XXXXXX)
. "$APOMON_SRCDIR/tests/integration/oci-lib.sh"
ENV="oci-st-$$"
own_net_number 100 50
D="oci$$.test"
oci_station_setup
command -v docker-registry >/dev/null ||
	{ echo "SKIP: docker-registry not installed (tools/install-deps)" >&2; exit 77; }
P=$((20000 + ($$ + 13) % 20000))
ref="docker://127.0.0.1:$P/t/web:1"
printf 'registries = ( { host = "127.0.0.1:%s"; insecure = true; } );\n' "$P" >"$tmp/registries.conf"
APOMON_REGISTRIES="$tmp/registries.conf"
export APOMON_REGISTRIES
pids=
cleanup() {
	A down --purge -q >/dev/null 2>&1
	"$APOMON" image rm "$(cd "$store" && ls -d oci-web-1-* 2>/dev/null | head -1)" >/dev/null 2>&1
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	oci_forget_new_layers
	rm -rf "$tmp"
}
trap cleanup EXIT

oci_make_image "$tmp"
skopeo copy -q "oci:$lay:web" "oci-archive:$tmp/web.tar:web" || fail "skopeo oci-archive"
# an Entrypoint that tells what it runs as, then execs the server
umoci config --image "$lay:web" --clear=config.entrypoint --clear=config.cmd \
	--config.entrypoint /bin/sh --config.cmd -c --config.cmd \
	'busybox id -u >id.txt; busybox pwd >pwd.txt; echo "$GREETING" >greeting.txt; exec busybox httpd -f -p 8080 -h /www' ||
	fail "umoci config"
start_registry reg "$P"
skopeo copy -q --dest-tls-verify=false "oci:$lay:web" "$ref" || fail "skopeo push"
mkdir -p "$tmp/conf/conf.d"
cat >"$tmp/conf/apomon.conf" <<CONF
environment = "$ENV";
plugin_path = [];
backbone = { name = "bb"; domain = "$D"; type = "base"; host_network = "10.253.$N.0/30"; };
CONF
cat >"$tmp/conf/conf.d/10-web.conf" <<CONF
cluster = {
  name = "web";
  domain = "$D";
  network = "203.0.113.0/24";
  stations = (
    { name = "w1"; type = "base"; image = "$ref"; addresses = ["203.0.113.$N"]; }
  );
};
CONF

A up -q >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "up"; }
out=$(curl -sS --max-time 10 "http://203.0.113.$N:8080/index.html") || fail "curl: no answer"
[ "$out" = hello-oci ] || fail "curl got '$out'"
# the image's User, WorkingDir and Env, as its Entrypoint saw them,
# through the server
for f in id:1000 pwd:/www greeting:hi; do
	got=$(curl -sS --max-time 10 "http://203.0.113.$N:8080/${f%%:*}.txt")
	[ "$got" = "${f#*:}" ] || fail "${f%%:*}: '$got', expected '${f#*:}'"
done
main=$(A exec w1 -- busybox cat /proc/1/task/1/children | awk '{print $1}')
[ "$(A exec w1 -- busybox cat /proc/$main/comm)" = busybox ] || fail "the main process is not the Entrypoint"
A down -q >/dev/null 2>&1 || fail "down"
echo "oci-station: ok ($ref)"
