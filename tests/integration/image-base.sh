#!/bin/sh
# The base image: built (or found in the cache), a second build is a cache
# hit that touches nothing, and the layer holds what image.cfg promises.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/image-lib.sh"
set -u

out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$APOMON" image build base >"$out" 2>&1 || { cat "$out"; fail "image build base"; }
cat "$out"
assert_no_store_mounts
layer=$(layer_of base) || fail "base has no current layer"
root="$layer/root"
[ -x "$root/bin/sh" ] || fail "base layer has no /bin/sh"

# the cache hit: same digest, not a file of the layer rewritten
before=$(stat -c '%n %Y %Z' "$layer" "$root" "$layer/image.json" "$IMAGES_STORE/base/current")
"$APOMON" image build base >"$out" 2>&1 || { cat "$out"; fail "second image build base"; }
grep -q "^base: up to date (digest $(basename "$layer" | cut -c1-12))" "$out" ||
	{ cat "$out"; fail "second build was not a cache hit"; }
grep -q building "$out" && fail "second build rebuilt something"
after=$(stat -c '%n %Y %Z' "$layer" "$root" "$layer/image.json" "$IMAGES_STORE/base/current")
[ "$before" = "$after" ] || fail "cache hit changed the layer: $before / $after"

# what the definition promises
# no entrypoint: a base station's init alone serves SSH on demand
[ -e "$root/apomon/startup.sh" ] && fail "base ships a /apomon/startup.sh"
cmp "$APOMON_SRCDIR/images/base/files/apomon/inetd.conf" "$root/apomon/inetd.conf" ||
	fail "inetd.conf is not the image's"
cmp "$APOMON_SRCDIR/images/base/files/etc/ssh/sshd_config" "$root/etc/ssh/sshd_config" ||
	fail "sshd_config is not the image's"
grep -q '^3pg:x:1000:1000:' "$root/etc/passwd" || fail "no user 3pg (uid 1000)"
grep -q '^3pg:\*:' "$root/etc/shadow" || fail "3pg should have no password"
[ "$(stat -c '%a %u' "$root/home/3pg/.ssh")" = "700 1000" ] || fail "/home/3pg/.ssh mode/owner"
for bin in usr/sbin/sshd usr/bin/curl usr/bin/ps usr/bin/ip; do
	[ -x "$root/$bin" ] || fail "base lacks /$bin"
done
ls "$root"/etc/ssh/ssh_host_* >/dev/null 2>&1 && fail "host keys shipped in the image"
[ -e "$root/usr/sbin/policy-rc.d" ] && fail "policy-rc.d left in the image"
ls "$root"/var/lib/apt/lists/*Packages* >/dev/null 2>&1 && fail "apt lists left in the image"
ls "$root"/var/cache/apt/archives/*.deb >/dev/null 2>&1 && fail "packages left in apt's cache"
[ -s "$root/etc/resolv.conf" ] && fail "the host's resolv.conf was kept"

# list and its JSON
"$APOMON" image list | grep_q "^base  *$(basename "$layer" | cut -c1-12) " || fail "image list lacks base"
"$APOMON" image list --json >"$out" || fail "image list --json"
[ "$(jq -r '.[] | select(.name == "base") | .layer' "$out")" = "$root" ] || fail "list --json layer"
[ "$(jq -r '.[] | select(.name == "base") | .seal | index("/etc/ssh/sshd_config")' "$out")" != null ] ||
	fail "list --json seal"
echo "PASS"
