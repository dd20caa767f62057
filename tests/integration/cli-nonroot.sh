#!/bin/sh
# A user who forgot sudo: every command that acts on the kernel or on
# root's state refuses in one line that says so (exit 2), instead of what
# the first refused step happened to say ("not running", "not sealed",
# "cannot create it"); what needs no privilege (validate, plan, graph,
# plugins, keygen, seal and verify of a tree of one's own, help) works.
# Runs apomon as nobody through setpriv; touches no kernel object.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v setpriv >/dev/null || { echo "SKIP: needs setpriv (util-linux)" >&2; exit 77; }

tmp=$(mktemp -d /tmp/apomon-cli-nonroot.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
ENV=clinonroot

# nobody may not reach the build tree (a checkout under a 0700 home or
# CI directory): what it runs is a copy, readable by all, of the program,
# the station types, the images' definitions, the web applications and
# the default environment's config; it writes in $tmp/rw only
t=$tmp/tree
mkdir -p "$t/plugins" "$tmp/rw" && chown 65534:65534 "$tmp/rw" || fail "mkdir"
cp "$APOMON" "$t/apomon" && cp "$APOMON_BUILDDIR"/plugins/*/.libs/*.so "$t/plugins/" &&
	cp -r "$APOMON_SRCDIR/images" "$APOMON_SRCDIR/conf.d" "$APOMON_SRCDIR/apomon.conf" "$t/" &&
	cp -r "$APOMON_BUILDDIR/webapps" "$t/" && chmod -R a+rX "$t" || fail "copy the tree"
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- env \
		APOMON_PLUGIN_PATH="$t/plugins" APOMON_IMAGES_PATH="$t/images" \
		APOMON_WEBAPPS_DIR="$t/webapps" \
		"$t/apomon" -c "$t" -e $ENV "$@" >"$tmp/out" 2>"$tmp/err"
}

for cmd in up down diff status "exec www1 -- true" "logs www1" "stop www1" "start www1" \
	"restart www1" "commit www1 img" "ssh www1" ca "deploy www1 $tmp/rw/x.war" "image list" \
	"image build base" seal verify "hosts --apply" "hosts --remove"; do
	rc=0
	# shellcheck disable=SC2086 # the words are the command's
	nobody $cmd || rc=$?
	[ $rc = 2 ] || fail "apomon $cmd as nobody exited $rc: $(cat "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^apomon: ${cmd%% *}: must run as root" "$tmp/err" ||
		fail "apomon $cmd as nobody said: $(cat "$tmp/err")"
	# and help, unprivileged, still answers
	set -- $cmd
	rc=0
	nobody "$1" --help || rc=$?
	[ $rc = 0 ] && grep -qi "usage: apomon $1" "$tmp/out" || fail "apomon $1 --help as nobody: $rc $(cat "$tmp/err")"
done
rc=0
nobody image build -h || rc=$?
[ $rc = 0 ] || fail "apomon image build -h as nobody exited $rc: $(cat "$tmp/err")"

# what needs no privilege works as nobody
for cmd in validate plan graph plugins hosts; do
	nobody $cmd || fail "apomon $cmd as nobody: $(cat "$tmp/err")"
done
nobody keygen -o "$tmp/rw/k" || fail "keygen as nobody: $(cat "$tmp/err")"
mkdir "$tmp/rw/tree" && echo hello >"$tmp/rw/tree/f" && chown -R 65534:65534 "$tmp/rw/tree"
nobody seal --root "$tmp/rw/tree" --path /f -o "$tmp/rw/m" --sign "$tmp/rw/k.key" ||
	fail "seal of a tree as nobody: $(cat "$tmp/err")"
nobody verify -m "$tmp/rw/m" --root "$tmp/rw/tree" --public-key "$tmp/rw/k.pub" ||
	fail "verify of a tree as nobody: $(cat "$tmp/err")"
echo PASS: commands that need root say so as nobody, the others work
