#!/bin/sh
# tools/make-deb, then the packages installed with dpkg -i the way a user
# installs them, with no environment variable pointing anywhere: apomon,
# apomon-plugin-dev and the sample third-party type apomon-type-greeter,
# whose image lives beside its plugin (plugins/images/greeter).  A greeter
# station comes up from the installed files alone and answers a real GET;
# then the packages are removed and nothing of theirs is left.
# The machine's /usr, /etc and dpkg database are never touched: all runs in
# a private mount namespace whose /usr, /etc and /var/lib/dpkg are overlays
# over throwaway upper directories (gone when the namespace ends).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
for t in dpkg-deb dpkg unshare curl; do
	command -v $t >/dev/null || { echo "SKIP: needs $t" >&2; exit 77; }
done
tmp=$(mktemp -d /tmp/apomon-deb.XXXXXX)
env=deb-$$
trap 'rm -rf "$tmp"' EXIT
if [ -n "${APOMON_DEB_DIR:-}" ] && ls "$APOMON_DEB_DIR"/apomon_*.deb >/dev/null 2>&1; then
	debs=$APOMON_DEB_DIR # tools/make-deb's output of this tree, made already
else
	"$APOMON_SRCDIR/tools/make-deb" "$tmp/out" >"$tmp/make-deb.log" 2>&1 ||
		{ cat "$tmp/make-deb.log" >&2; fail "tools/make-deb"; }
	debs=$tmp/out
fi
for p in apomon apomon-plugin-dev apomon-type-greeter; do
	ls "$debs/${p}_"*.deb >/dev/null 2>&1 || fail "no ${p}_VERSION_ARCH.deb"
done
dpkg-deb -c "$debs"/apomon-type-greeter_*.deb |
	grep -q '\./usr/lib/apomon/plugins/images/greeter/image.cfg$' ||
	fail "the greeter's image is not beside its plugin"

# what runs inside the namespace; the variables of lib.sh stay outside
cat >"$tmp/inside.sh" <<'INSIDE'
set -eu
tmp=$1 debs=$2 env=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
mount --make-rprivate /
for d in /usr /etc /var/lib/dpkg; do
	n=$(echo "$d" | tr / _)
	mkdir -p "$tmp/ov/$n/u" "$tmp/ov/$n/w"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$tmp/ov/$n/u,workdir=$tmp/ov/$n/w" "$d"
done
unset APOMON_IMAGES_PATH APOMON_PLUGIN_PATH APOMON_INIT APOMON_PLUGINDIR
dpkg -i "$debs"/apomon_*.deb "$debs"/apomon-plugin-dev_*.deb "$debs"/apomon-type-greeter_*.deb \
	>"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i"; }
[ "$(pkg-config --variable=plugindir apomon-plugin)" = /usr/lib/apomon/plugins ] ||
	fail "pkg-config of the installed -dev"
conf=$tmp/conf
mkdir -p "$conf/conf.d"
cat >"$conf/apomon.conf" <<'CONF'
environment = "deb";
backbone = { name = "backbone"; domain = "greet.example.org"; type = "base";
             host_network = "10.253.76.0/30"; };
CONF
sed 's/10\.75\./10.76./g' /usr/share/doc/apomon-plugin-dev/greeter.conf \
	>"$conf/conf.d/30-greeter.conf" 2>/dev/null ||
	cat >"$conf/conf.d/30-greeter.conf" <<'CONF'
cluster = { name = "greet"; domain = "greet.example.org"; network = "10.76.0.0/24";
  stations = ( { name = "hello"; type = "greeter"; addresses = ["10.76.0.10"];
                 settings = { greeting = "Bonjour"; }; } ); };
CONF
a() { /usr/bin/apomon -c "$conf" -e "$env" "$@"; }
a plugins >"$tmp/plugins.log" 2>&1 || { cat "$tmp/plugins.log" >&2; fail "apomon plugins"; }
grep -q "^greeter .* /usr/lib/apomon/plugins/greeter.so " "$tmp/plugins.log" ||
	fail "plugins: $(cat "$tmp/plugins.log")"
rc=0
a up >"$tmp/up.log" 2>&1 || rc=$?
if [ $rc = 0 ]; then
	page=$(curl -sS --max-time 10 http://10.76.0.10:8080/) || rc=1
	[ "$page" = "<h1>Bonjour from hello.greet.example.org</h1>" ] || { echo "page: $page" >&2; rc=1; }
else
	cat "$tmp/up.log" >&2
fi
a down --quiet --purge || rc=1
[ $rc = 0 ] || fail "up, GET or down"

# removed: nothing of the packages is left (purge takes the conffiles)
dpkg --purge apomon-type-greeter apomon-plugin-dev apomon >"$tmp/dpkg.log" 2>&1 ||
	{ cat "$tmp/dpkg.log" >&2; fail "dpkg --purge"; }
for f in /usr/bin/apomon /usr/lib/apomon /usr/share/apomon /usr/include/apomon \
	/usr/lib/pkgconfig/apomon-plugin.pc /etc/apomon /usr/share/doc/apomon; do
	[ ! -e "$f" ] || fail "$f is left after dpkg --purge"
done
INSIDE
unshare -m --propagation private sh "$tmp/inside.sh" "$tmp" "$debs" "$env" || fail "inside"
assert_env_gone "$env"
exit 0
