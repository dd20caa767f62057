#!/bin/sh
# seal and verify driven by the config: sealed paths from the station's
# `seal` list, the default manifest under APOMON_LIB_DIR, a per-station
# public key, the integrity log under APOMON_LOG_DIR; config problems in
# the integrity groups are reported by validate.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
[ -x "$APOMON" ] || fail "$APOMON not built"
T=$(mktemp -d /tmp/apomon-int-conf.XXXXXX)
trap 'rm -rf "$T"' EXIT
APOMON_LIB_DIR=$T/lib APOMON_LOG_DIR=$T/log APOMON_RUN_DIR=$T/run
export APOMON_LIB_DIR APOMON_LOG_DIR APOMON_RUN_DIR
C=$T/conf
mkdir -p "$C/conf.d" "$T/root/etc/app" "$T/images/base"
# the station's image seals a path too (images part: APOMON_IMAGES_PATH)
printf 'seal = ["/etc/from-image.conf"];\n' >"$T/images/base/image.cfg"
printf '#!/bin/sh\n' >"$T/images/base/startup.sh"
APOMON_IMAGES_PATH=$T/images
export APOMON_IMAGES_PATH
cat >"$C/apomon.conf" <<EOC
environment = "intconf";
backbone = { name = "backbone"; domain = "intconf.test"; type = "base";
  host_network = "10.177.9.0/30"; };
EOC
cat >"$C/conf.d/10-a.conf" <<EOC
cluster = { name = "a"; domain = "a.test"; network = "10.177.10.0/24";
  stations = ( { name = "web1"; type = "base"; addresses = ["10.177.10.11"];
    seal = [ "/etc/app", "/etc/absent.conf" ];
    integrity = { public_key = "k.pub"; }; } ); };
EOC
A() { "$APOMON" -c "$C" "$@"; }
echo "port 80" >"$T/root/etc/app/app.conf"
A validate >/dev/null || fail "validate"
A keygen -o "$C/k" >/dev/null
A seal web1 --root "$T/root" --sign "$C/k.key" 2>/dev/null || fail "seal"
M=$T/lib/intconf/manifests/web1.manifest
grep -q '^MISSING  /etc/absent.conf$' "$M" || fail "no MISSING line: $(cat "$M")"
grep -q '  /etc/app/app.conf$' "$M" || fail "no app.conf: $(cat "$M")"
grep -q '^MISSING  /etc/from-image.conf$' "$M" || fail "no image path: $(cat "$M")"
[ -s "$M.sig" ] || fail "no signature"
_v=$(A verify web1 --root "$T/root") || fail "verify exited $?: $_v"
printf '%s\n' "$_v" | grep_q "web1.a.test: 3 files ok" || fail "verify"
# the backbone was never sealed and nothing requires it: said, not failed
_v=$(A verify --root "$T/root") || fail "verify exited $?: $_v"
printf '%s\n' "$_v" | grep_q "backbone.intconf.test: not sealed" || fail "unsealed"

# tampered: refused, logged
echo "port 8080" >"$T/root/etc/app/app.conf"
if A verify web1 --root "$T/root" 2>"$T/err"; then fail "tampered tree accepted"; fi
grep -q "web1.a.test: integrity: /etc/app/app.conf: digest mismatch" "$T/err" ||
	fail "message: $(cat "$T/err")"
awk -F'\t' '$2 == "web1.a.test" && $3 == "/etc/app/app.conf" && length($4) == 64 &&
	length($5) == 64 { ok = 1 } END { exit !ok }' "$T/log/intconf/integrity.log" ||
	fail "log: $(cat "$T/log/intconf/integrity.log")"

# the signature is required by the station's key
rm "$M.sig"
if A verify web1 --root "$T/root" 2>"$T/err"; then fail "unsigned manifest accepted"; fi
grep -q "signature required" "$T/err" || fail "message: $(cat "$T/err")"

# config problems are reported by validate with file, line and path
cat >>"$C/apomon.conf" <<EOC
integrity = { retries = 99; colour = "red"; };
EOC
if A validate 2>"$T/err"; then fail "bad integrity settings accepted"; fi
grep -q "apomon.conf:4: integrity.retries: expected an integer from 0 to 10" "$T/err" ||
	fail "message: $(cat "$T/err")"
grep -q "apomon.conf:4: integrity.colour: unknown setting" "$T/err" ||
	fail "message: $(cat "$T/err")"
exit 0
