#!/bin/sh
# The Debian packages, built and used the way a user and a third party do:
# debian/ built with dpkg-buildpackage (tools/make-deb) gives apomon and
# apomon-dev; in a private mount namespace whose /usr, /etc, /var/lib/dpkg
# and /var/cache are overlays over throwaway directories (the machine's
# own files and dpkg database are never touched) they are installed with
# dpkg -i (postinst makes the system user apomon and its subordinate
# ranges: they are removed from the overlay first); the sample type
# examples/greeter is built with its own debian/ against the installed
# apomon-dev (pkg-config alone) and installed; lintian finds no error or
# warning in the three packages; a greeter station comes up from the
# installed files with no environment variable and answers a real GET;
# the packages are purged and nothing of theirs is left.
# The build of apomon is most of it (3.5 min of CPU; 10-15 min wall on a
# busy shared machine); the rest takes about a minute.
# APOMON_DEB_DIR=DIR reuses tools/make-deb DIR's packages (waiting while
# another process holds a lock on DIR/.building).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
for t in dpkg-buildpackage dh lintian unshare curl; do
	command -v $t >/dev/null || { echo "SKIP: needs $t (tools/install-deps)" >&2; exit 77; }
done
tmp=$(mktemp -d /tmp/apomon-deb.XXXXXX)
env=deb-$$
trap 'rm -rf "$tmp"' EXIT
# (CI builds them in the background while the suite runs, holding a lock
# on DIR/.building until they are made)
if [ -n "${APOMON_DEB_DIR:-}" ] && [ -e "$APOMON_DEB_DIR/.building" ]; then
	flock "$APOMON_DEB_DIR/.building" true
fi
if [ -n "${APOMON_DEB_DIR:-}" ] && ls "$APOMON_DEB_DIR"/apomon_*.deb >/dev/null 2>&1; then
	debs=$APOMON_DEB_DIR
else
	DEB_BUILD_OPTIONS="nocheck noddebs" "$APOMON_SRCDIR/tools/make-deb" "$tmp/out" \
		>"$tmp/make-deb.log" 2>&1 || { cat "$tmp/make-deb.log" >&2; fail "tools/make-deb"; }
	debs=$tmp/out
fi
for p in apomon apomon-dev; do
	ls "$debs/${p}_"*.deb >/dev/null 2>&1 || fail "no ${p}_VERSION_ARCH.deb"
done
# every guide a man page points at is installed (all of docs/*.md)
dpkg-deb -c "$debs"/apomon_*.deb >"$tmp/contents"
for md in "$APOMON_SRCDIR"/docs/*.md; do
	grep -q "\./usr/share/doc/apomon/${md##*/}\$" "$tmp/contents" || fail "${md##*/} is not installed"
done
grep -q "\./usr/share/bash-completion/completions/apomon\$" "$tmp/contents" ||
	fail "the bash completion is not in the package"
cp -r "$APOMON_SRCDIR/examples/greeter" "$tmp/greeter"

# what runs inside the namespace; the variables of lib.sh stay outside
cat >"$tmp/inside.sh" <<'INSIDE'
set -eu
tmp=$1 debs=$2 env=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
mount --make-rprivate /
for d in /usr /etc /var/lib/dpkg /var/cache; do
	n=$(echo "$d" | tr / _)
	mkdir -p "$tmp/ov/$n/u" "$tmp/ov/$n/w"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$tmp/ov/$n/u,workdir=$tmp/ov/$n/w" "$d"
done
unset APOMON_IMAGES_PATH APOMON_PLUGIN_PATH APOMON_INIT APOMON_PLUGINDIR
# a machine that never had apomon: nothing of a `make install` into
# /usr/local (README's tools/quickstart makes one; its apomon-plugin.pc
# comes first on pkg-config's path), in this namespace's overlay only
find /usr/local -path '*apomon*' -prune -exec rm -rf {} +
# no user apomon, no ranges
for f in /etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/subuid /etc/subgid; do
	[ ! -e $f ] || sed -i '/^apomon:/d' $f
done
dpkg -i "$debs"/apomon_*.deb "$debs"/apomon-dev_*.deb >"$tmp/dpkg.log" 2>&1 ||
	{ cat "$tmp/dpkg.log" >&2; fail "dpkg -i apomon apomon-dev"; }
getent passwd apomon >/dev/null || fail "postinst made no user apomon"
for f in /etc/subuid /etc/subgid; do
	grep -q '^apomon:[0-9]*:268435456$' $f || fail "postinst: $f: $(grep apomon $f)"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
plugindir=/usr/lib/$multiarch/apomon/plugins
[ "$(pkg-config --variable=plugindir apomon-plugin)" = $plugindir ] ||
	fail "pkg-config of the installed apomon-dev"

# the third party's package, against the installed apomon-dev alone
(cd "$tmp/greeter" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
	DEB_BUILD_OPTIONS="noddebs" dpkg-buildpackage -us -uc -b >"$tmp/greeter.log" 2>&1) ||
	{ tail -30 "$tmp/greeter.log" >&2; fail "dpkg-buildpackage of examples/greeter"; }
gdeb=$(ls "$tmp"/apomon-type-greeter_*.deb)
dpkg-deb -c "$gdeb" | grep -q "\.$plugindir/images/greeter/image.cfg\$" ||
	fail "the greeter's image is not beside its plugin"
dpkg -i "$gdeb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i greeter"; }
# lintian: no error, no warning (overrides carry their reasons)
lintian --fail-on error,warning \
	"$debs"/apomon_*.deb "$debs"/apomon-dev_*.deb "$gdeb" >"$tmp/lintian.log" 2>&1 ||
	{ cat "$tmp/lintian.log" >&2; fail "lintian"; }
dpkg -L apomon apomon-dev apomon-type-greeter | sort -u >"$tmp/files"

conf=$tmp/conf
mkdir -p "$conf/conf.d"
cat >"$conf/apomon.conf" <<'CONF'
environment = "deb";
backbone = { name = "backbone"; domain = "greet.example.org"; type = "base";
             host_network = "10.253.76.0/30"; };
CONF
cat >"$conf/conf.d/30-greeter.conf" <<'CONF'
cluster = { name = "greet"; domain = "greet.example.org"; network = "10.76.0.0/24";
  stations = ( { name = "hello"; type = "greeter"; addresses = ["10.76.0.10"];
                 settings = { greeting = "Bonjour"; }; } ); };
CONF
a() { /usr/bin/apomon -c "$conf" -e "$env" "$@"; }
a plugins >"$tmp/plugins.log" 2>&1 || { cat "$tmp/plugins.log" >&2; fail "apomon plugins"; }
grep -q "^greeter .* $plugindir/greeter.so " "$tmp/plugins.log" ||
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

# purged: nothing of the packages is left (purge takes the conffiles)
dpkg --purge apomon-type-greeter apomon-dev apomon >"$tmp/dpkg.log" 2>&1 ||
	{ cat "$tmp/dpkg.log" >&2; fail "dpkg --purge"; }
left=$(while read -r f; do
	case $f in /usr | /usr/* | /etc | /etc/*) ;; *) continue ;; esac
	[ -d "$f" ] && [ -n "$(ls -A "$f")" ] && continue # shared directories
	if [ -e "$f" ]; then echo "$f"; fi
done <"$tmp/files")
for f in /usr/lib/$multiarch/apomon /usr/share/apomon /usr/include/apomon /etc/apomon \
	/usr/share/doc/apomon /usr/libexec/apomon; do
	[ ! -e "$f" ] || left="$left $f"
done
[ -z "$left" ] || fail "left after dpkg --purge: $left"
INSIDE
unshare -m --propagation private sh "$tmp/inside.sh" "$tmp" "$debs" "$env" || fail "inside"
assert_env_gone "$env"
exit 0
