#!/bin/sh
# The image search path with the real binary and real plugins: an images/
# folder beside a plugin is searched, after APOMON_IMAGES_PATH and the
# config's images_path, before the installed images; --images comes first;
# a station or type whose image is nowhere fails validate, plan and
# plugins (exit 2) with FILE:LINE and where it searched; images_path
# errors name their line; the vendor rule warns.  Nothing is brought up.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
tmp=$(mktemp -d /tmp/apomon-imsearch.XXXXXX)
# the image a failure may leave built in the store goes too
trap '"$APOMON" image rm base-vendor >/dev/null 2>&1; rm -rf "$tmp"' EXIT
conf=$tmp/conf
# a third party's plugin directory: the base type's .so, an image beside it
mkdir -p "$tmp/plugins/images/base-vendor" "$tmp/plugins/images/other" "$conf/conf.d" \
	"$tmp/env/base-vendor" "$tmp/cfgdir/base-vendor" "$tmp/cli/base-vendor"
cp "$APOMON_BUILDDIR/plugins/base/.libs/base.so" "$tmp/plugins/"
for d in plugins/images env cfgdir cli; do
	printf 'parent = "base";\nseal = ["/etc/%s"];\n' "$(echo $d | tr / _)" \
		>"$tmp/$d/base-vendor/image.cfg"
done
printf 'parent = "base";\n' >"$tmp/plugins/images/other/image.cfg"
cat >"$conf/apomon.conf" <<'CONF'
environment = "imsearch";
images_path = [ "../cfgdir" ];
backbone = { name = "backbone"; domain = "ims.example.org"; type = "base";
             host_network = "10.253.78.0/30"; };
CONF
cat >"$conf/conf.d/10-c.conf" <<'CONF'
cluster = { name = "c"; domain = "ims.example.org"; network = "10.79.0.0/24";
  stations = (
    { name = "v1"; type = "base"; image = "base-vendor"; addresses = ["10.79.0.10"]; }
  ); };
CONF
a() { "$APOMON" -c "$conf" --plugin-path "$tmp/plugins" "$@"; }
a validate >"$tmp/out" 2>&1 || fail "validate: $(cat "$tmp/out")"

# order: --images (image build) > APOMON_IMAGES_PATH > images_path > beside plugin
APOMON_IMAGES_PATH="$tmp/env:$APOMON_IMAGES_PATH" "$APOMON" -c "$conf" --plugin-path "$tmp/plugins" \
	image build --images "$tmp/cli" base-vendor >"$tmp/b1" 2>&1 || fail "build 1: $(cat "$tmp/b1")"
mk() { # the image.json seal of the current layer tells which definition built it
	d=$(readlink -f /var/lib/apomon/images/base-vendor/current)
	tr -d '\\' <"$d/image.json" | grep -o '/etc/[a-z_]*' | head -1
}
[ "$(mk)" = /etc/cli ] || fail "--images did not win: $(mk)"
APOMON_IMAGES_PATH="$tmp/env:$APOMON_IMAGES_PATH" a image build base-vendor >"$tmp/b" 2>&1 || fail "build: $(cat "$tmp/b")"
[ "$(mk)" = /etc/env ] || fail "APOMON_IMAGES_PATH did not beat images_path: $(mk)"
# image list -v: the winner, and the definitions of that name it shadows
APOMON_IMAGES_PATH="$tmp/env" a image list -v >"$tmp/list" 2>&1 || fail "list -v: $(cat "$tmp/list")"
grep -A3 '^base-vendor ' "$tmp/list" >"$tmp/l2"
sed -n 2p "$tmp/l2" | grep_q "definition: $tmp/env/base-vendor\$" || fail "list -v: $(cat "$tmp/l2")"
sed -n 3p "$tmp/l2" | grep_q "shadowed: *$conf/../cfgdir/base-vendor\$" || fail "list -v 2: $(cat "$tmp/l2")"
sed -n 4p "$tmp/l2" | grep_q "shadowed: *$tmp/plugins/images/base-vendor\$" || fail "list -v 3: $(cat "$tmp/l2")"
a image build base-vendor >"$tmp/b" 2>&1 || fail "build: $(cat "$tmp/b")"
[ "$(mk)" = /etc/cfgdir ] || fail "images_path did not beat the plugin's images/: $(mk)"
sed -i '/images_path/d' "$conf/apomon.conf"
a image build base-vendor >"$tmp/b" 2>&1 || fail "build: $(cat "$tmp/b")"
[ "$(mk)" = /etc/plugins_images ] || fail "the plugin's images/ was not searched: $(mk)"
a validate >"$tmp/out" 2>&1 || fail "validate with the image beside the plugin: $(cat "$tmp/out")"
grep -q warning "$tmp/out" && fail "base-vendor follows the vendor rule: $(cat "$tmp/out")"

# the vendor rule: an image beside a plugin not named after its types
sed -i 's/image = "base-vendor"/image = "other"/' "$conf/conf.d/10-c.conf"
a validate >"$tmp/out" 2>&1 || fail "validate other: $(cat "$tmp/out")"
grep -q "10-c.conf:3: clusters.c.stations.v1.image: warning: image 'other' .*named after one of its types" \
	"$tmp/out" || fail "no vendor warning: $(cat "$tmp/out")"

# an image nowhere: validate, plan and plugins refuse, with FILE:LINE and the places
sed -i 's/image = "other"/image = "base-nowhere"/' "$conf/conf.d/10-c.conf"
for cmd in validate plan; do
	rc=0
	a $cmd >"$tmp/out" 2>&1 || rc=$?
	[ $rc = 2 ] || fail "$cmd: exit $rc: $(cat "$tmp/out")"
	grep -q "^$conf/conf.d/10-c.conf:3: clusters.c.stations.v1.image: image 'base-nowhere' not found (searched .*$tmp/plugins/images" \
		"$tmp/out" || fail "$cmd: $(cat "$tmp/out")"
done
rc=0
a up >"$tmp/out" 2>&1 || rc=$?
[ $rc = 2 ] || fail "up: exit $rc: $(cat "$tmp/out")"
[ -e /run/apomon/imsearch ] && fail "up left state behind"
# plugins: a type whose default image is nowhere (base's, hidden).  The
# installed images are hidden too, in a mount namespace of its own: the
# built apomon also searches its prefix's share/apomon/images, which
# README's tools/quickstart fills (make install, prefix /usr/local)
rc=0
APOMON_IMAGES_PATH=$tmp/empty APOMON_LIB_DIR=$tmp/lib unshare -m sh -c '
	mount --make-rprivate /
	for d in /usr/local/share/apomon/images /usr/share/apomon/images; do
		[ ! -d "$d" ] || mount -t tmpfs none "$d" || exit 99
	done
	"$@"' hide "$APOMON" -c "$conf" --plugin-path "$tmp/plugins" plugins >"$tmp/out" 2>&1 || rc=$?
[ $rc = 2 ] || fail "plugins: exit $rc: $(cat "$tmp/out")"
grep_q "^apomon: $tmp/plugins/base.so: type base: image 'base' not found (searched $tmp/empty, .* for base/image.cfg, and the store $tmp/lib/images for base/current, an image imported or committed under that name)\$" \
	"$tmp/out" || fail "plugins: $(cat "$tmp/out")"

# images_path: a bad entry is an error with its line
echo 'images_path = [ "/nonexistent-apomon-dir" ];' >>"$conf/apomon.conf"
rc=0
a validate >"$tmp/out" 2>&1 || rc=$?
[ $rc = 2 ] || fail "images_path: exit $rc"
grep -q "apomon.conf:4: images_path\[0\]: '/nonexistent-apomon-dir' is not a directory" "$tmp/out" ||
	fail "images_path: $(cat "$tmp/out")"
"$APOMON" image rm base-vendor >/dev/null 2>&1 || fail "image rm"
exit 0
