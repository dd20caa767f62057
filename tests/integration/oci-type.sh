#!/bin/sh
# The built-in `oci` type on an image made here (oci-lib.sh, imported
# from an oci-archive): w1 runs the image's Entrypoint+Cmd with `env`
# over its Env, and its server only listens 2 s after it starts, so an
# `up` that did not wait for the TCP ready check on its ExposedPorts
# would return before the page can be fetched; c1, in another cluster,
# (its image imported by `image import FILE NAME` and named so in its
# config) runs `command` on a port named in `ports` and fetches w1's page across
# the backbone; a sealed file of the image changed in w1 stops its next
# start.  Then: a station whose port never opens fails `up` with
# one line naming it and the port, and rolls back; the same station with
# `ready = "none"` comes up (no check: its main process running is
# enough) and a `ready` of another word is refused by validate; a station
# without an image is refused by validate.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
tmp=$(mktemp -d /tmp/apomon-oci-type.XXXXXX)
. "$APOMON_SRCDIR/tests/integration/oci-lib.sh"
ENV="oci-ty-$$"
own_net_number 100 50
D="ocity$$.test"
oci_station_setup
ref="oci-archive:$tmp/web.tar:web"
cname="ocity$$" # c1's image: the same archive imported by its bare path as a NAME
cleanup() {
	A down --purge -q >/dev/null 2>&1
	"$APOMON" image rm "$cname" >/dev/null 2>&1
	"$APOMON" image rm "$(cd "$store" && ls -d oci-web.tar-web-* 2>/dev/null | head -1)" >/dev/null 2>&1
	oci_forget_new_layers
	rm -rf "$tmp"
}
trap cleanup EXIT

oci_make_image "$tmp"
# the Entrypoint: what it runs with, then the server, late
umoci config --image "$lay:web" --clear=config.entrypoint --clear=config.cmd \
	--config.entrypoint /bin/sh --config.cmd -c --config.cmd \
	'echo "$GREETING" >greeting.txt; busybox sleep 2; exec busybox httpd -f -p 8080 -h /www' ||
	fail "umoci config"
skopeo copy -q "oci:$lay:web" "$ref" || fail "skopeo oci-archive"

conf() { # W1-SETTINGS
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
  network = "10.251.$N.0/24";
  stations = (
    { name = "w1"; type = "oci"; image = "$ref"; addresses = ["10.251.$N.11"];
      settings = { $1 }; }
  );
};
CONF
	cat >"$tmp/conf/conf.d/20-cli.conf" <<CONF
cluster = {
  name = "cli";
  domain = "$D";
  network = "198.51.100.0/24";
  stations = (
    { name = "c1"; type = "oci"; image = "$cname"; addresses = ["198.51.100.$N"];
      settings = { command = ["/bin/busybox", "httpd", "-f", "-p", "9090", "-h", "/www"];
                   ports = ["9090/tcp"]; }; }
  );
};
CONF
}

"$APOMON" image import -q "$tmp/web.tar" "$cname" || fail "image import $tmp/web.tar $cname"
conf 'env = ["GREETING=from-settings"];'
A up -q >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "up"; }
# ready means listening: no retry here
out=$(curl -sS --max-time 10 "http://10.251.$N.11:8080/greeting.txt") || fail "w1: no answer right after up"
[ "$out" = from-settings ] || fail "w1: GREETING '$out', expected the setting's"
out=$(curl -sS --max-time 10 "http://198.51.100.$N:9090/index.html") || fail "c1: command not run"
[ "$out" = hello-oci ] || fail "c1 got '$out'"
# from another cluster, through the backbone
out=$(A exec c1 -- busybox wget -q -O - "http://10.251.$N.11:8080/index.html") ||
	fail "c1 cannot reach w1 across clusters"
[ "$out" = hello-oci ] || fail "c1 -> w1 got '$out'"

# the integrity gate on an OCI station, unchanged: a file of the image
# sealed (apomon seal --path), changed inside the running station, stops
# its next start with one line naming the station and the file
init=$(cut -d' ' -f1 "/run/apomon/$ENV/stations/w1/init")
M=${APOMON_LIB_DIR:-/var/lib/apomon}/$ENV/manifests/w1.manifest
mkdir -p "${M%/*}"
A seal --root "/proc/$init/root" --path /www/index.html -o "$M" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "seal w1"; }
grep_q "  /www/index.html\$" "$M" ||
	fail "w1: /www/index.html not in its manifest"
A verify w1 >/dev/null 2>&1 || fail "w1 does not verify right after its seal"
echo tampered >"/proc/$init/root/www/index.html"
A verify w1 >/dev/null 2>&1 && fail "w1 verifies with a changed sealed file"
A restart w1 >"$tmp/out" 2>&1 && fail "w1 restarted with a changed sealed file"
grep "w1" "$tmp/out" | grep_q "/www/index.html" || { cat "$tmp/out"; fail "no line naming w1 and the file"; }
curl -s --max-time 2 -o /dev/null "http://10.251.$N.11:8080/" && fail "w1 answers after the refused start"
rm -f "$M" # the cases below start w1 afresh
A down -q >/dev/null 2>&1 || fail "down"

# a port that never opens: one line naming the station and the port
conf 'ports = ["8081"]; ready_timeout = 4;'
A up -q >"$tmp/out" 2>&1 && fail "up with a port that never opens succeeded"
grep -qx "apomon: w1.$D: error: ready: port 8081/tcp: no connection after 4 s" "$tmp/out" ||
	{ cat "$tmp/out"; fail "no line naming w1 and port 8081"; }
[ -z "$(ip netns list | grep "$D")" ] || fail "a namespace of the failed up remains"

# ready = "none": the same never-listening station is up, its process runs
conf 'command = ["/bin/busybox", "sleep", "3600"]; ready = "none"; ready_timeout = 2;'
A up -q >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "up with ready = none failed"; }
A exec w1 -- busybox ps | grep_q "busybox sleep 3600" || fail "w1: its command does not run"
curl -s --max-time 2 -o /dev/null "http://10.251.$N.11:8080/" && fail "w1 listens: the check above proves nothing"
A down -q >/dev/null 2>&1 || fail "down after ready = none"
conf 'ready = "never";'
A validate >"$tmp/out" 2>&1 && fail "ready = never validated"
grep -q "10-web.conf:[0-9]*: .*w1.settings.ready: 'never': expected \"ports\" or \"none\"" "$tmp/out" ||
	{ cat "$tmp/out"; fail "no FILE:LINE for the bad ready"; }

# no image: refused before anything is made
sed -i 's/ image = "[^"]*";//' "$tmp/conf/conf.d/10-web.conf"
A validate >"$tmp/out" 2>&1 && fail "an oci station without an image validated"
grep -q "10-web.conf:[0-9]*: .*w1.image: type oci has no default image" "$tmp/out" ||
	{ cat "$tmp/out"; fail "no FILE:LINE for the missing image"; }
echo "oci-type: ok"
