#!/bin/sh
# debootstrap refuses an archive without a valid signature: a tiny Debian
# archive built here and served on loopback, once with no signature at
# all and once signed by a key of our own (an attacker's mirror or proxy
# can sign too, just not with Debian's key), is named by a root image's
# `mirror`.  The build fails with the step and debootstrap's one "E:"
# line about the signature, exit 1, and leaves nothing in the image store.
# With the check turned off (tests/mutants/debootstrap-unchecked.mut) the
# build gets past the signature and this test fails.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/image-lib.sh"
set -u
command -v python3 >/dev/null || { echo "SKIP: python3 (the loopback server) missing" >&2; exit 77; }
command -v gpg >/dev/null || { echo "SKIP: gpg missing" >&2; exit 77; }

tmp=$(mktemp -d /tmp/apomon-images-unsigned.XXXXXX)
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	rm -rf "$tmp"
	rm -f "${APOMON_LOG_DIR:-/var/log/apomon}/images/$name.log"
}
name=images-test-unsigned-$$
trap cleanup EXIT
# only loopback: no proxy may carry the request elsewhere
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY

# the archive: a Release that names an empty Packages index
arch=$(dpkg --print-architecture)
A=$tmp/archive/debian
mkdir -p "$A/dists/bookworm/main/binary-$arch"
: >"$A/dists/bookworm/main/binary-$arch/Packages"
{
	printf 'Origin: apomon-test\nLabel: apomon-test\nSuite: bookworm\nCodename: bookworm\n'
	printf 'Date: %s\nArchitectures: %s\nComponents: main\nSHA256:\n' "$(date -Ru)" "$arch"
	printf ' %s %s main/binary-%s/Packages\n' \
		"$(sha256sum <"$A/dists/bookworm/main/binary-$arch/Packages" | cut -d' ' -f1)" 0 "$arch"
} >"$A/dists/bookworm/Release"

# served on 127.0.0.1, an ephemeral port; the port is read once the
# socket listens (the server prints it after bind and listen)
mkfifo "$tmp/port"
python3 -c '
import http.server, os, sys
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()' "$tmp/archive" >"$tmp/port" &
srv=$!
read -r port <"$tmp/port" || fail "the loopback server did not start"
MIRROR=http://127.0.0.1:$port/debian
curl -sf -o /dev/null "$MIRROR/dists/bookworm/Release" || fail "the archive is not served"

mkdir -p "$tmp/defs/$name"
printf 'suite = "bookworm";\nmirror = "%s";\nstartup = "startup.sh";\n' "$MIRROR" \
	>"$tmp/defs/$name/image.cfg"
printf '#!/bin/sh\nexec sleep infinity\n' >"$tmp/defs/$name/startup.sh"
APOMON_IMAGES_PATH="$tmp/defs:$APOMON_IMAGES_PATH"
before=$(ls -A "$IMAGES_STORE" "$IMAGES_STORE/.cache/debootstrap" 2>/dev/null)

# refused NEEDLE: the build fails on the signature, says so, keeps nothing
refused() {
	rc=0
	"$APOMON" image build "$name" >"$tmp/out" 2>"$tmp/err" || rc=$?
	cat "$tmp/err"
	[ $rc = 1 ] || fail "build from an archive without a valid signature: exit $rc, expected 1"
	head -n 1 "$tmp/err" | grep_q -x "$name: debootstrap --variant=minbase bookworm from $MIRROR: failed (exit 1)" ||
		fail "the first line does not name the image, the step and the archive"
	[ "$(grep -c '^  E: ' "$tmp/err")" = 1 ] || fail "not one E: line"
	grep -q "^  E: $1" "$tmp/err" || fail "debootstrap's reason is not shown: expected E: $1"
	grep -q "^$name: build failed; no layer was kept" "$tmp/err" || fail "no final word"
	[ -e "$IMAGES_STORE/$name" ] && fail "left in the store: $(ls -A "$IMAGES_STORE/$name")"
	[ "$(ls -A "$IMAGES_STORE" "$IMAGES_STORE/.cache/debootstrap" 2>/dev/null)" = "$before" ] ||
		fail "the store changed"
	assert_no_store_mounts
	pgrep -f "$IMAGES_STORE/$name" && fail "a build process survived"
	return 0
}

# no signature at all (neither InRelease nor Release.gpg)
refused "Failed getting release signature file $MIRROR/dists/bookworm/Release.gpg"

# signed, by a key that is not Debian's
export GNUPGHOME="$tmp/gnupg"
mkdir -m 0700 "$GNUPGHOME"
gpg -q --batch --passphrase '' --quick-gen-key 'apomon test archive <test@invalid>' ed25519 sign never ||
	fail "gpg key"
gpg -q --batch -abs -o "$A/dists/bookworm/Release.gpg" "$A/dists/bookworm/Release" || fail "gpg sign"
gpgconf --kill all 2>/dev/null
refused "Release signed by unknown key"
echo PASS
