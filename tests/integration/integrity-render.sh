#!/bin/sh
# Sealed files a type renders are checked twice (docs/manifest.md): before
# the type renders them, so that an edit made inside the station is
# reported instead of being silently rewritten by the render, and after
# it.  A dns backbone (it renders its sealed /etc/apomon/dnsmasq.conf)
# is sealed; the file is edited inside the running station; `restart`
# and, after `stop`, `start` are refused with one line naming the
# station and the file; with the file as sealed again, `start` works.
# Then a rendered result that no longer matches the manifest (the check
# after render) is refused too.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
fixture_env int-render
sed -i 's/type = "base";/type = "dns";/' "$CONF/apomon.conf"
F=/etc/apomon/dnsmasq.conf

A up -q || fail "up"
A seal bb 2>/dev/null || fail "seal bb"
grep -q "  $F\$" "$LIB/$ENV/manifests/bb.manifest" || fail "$F is not sealed"
A verify bb >/dev/null || fail "verify bb"
upper=$LIB/$ENV/bb/upper
# what bb's type rendered (the render writes through the root into the
# station's writable layer)
cp "$upper$F" "$CONF/good" || fail "no rendered $F in bb's writable layer"

# refused CMD...: fails, in one line naming the station and the file
refused() {
	if A "$@" 2>"$CONF/err" >/dev/null; then fail "$* accepted an edited $F"; fi
	grep -qF "bb.rt.test: integrity: $F: digest mismatch (before render)" "$CONF/err" ||
		fail "$* said: $(cat "$CONF/err")"
	grep -q "	bb.rt.test	$F	" "$LOG/$ENV/integrity.log" || fail "not logged"
	sed "s/^/$1 refused as expected: /" "$CONF/err"
}

# an edit inside the running station: the render would write the file
# anew, so only the check before it sees the edit
A exec -T bb -- sh -c "echo 'server=198.51.100.53' >>$F" || fail "edit inside bb"
refused restart bb
A stop bb >/dev/null 2>&1
refused start bb

# the file as sealed (written into the stopped station's layer): starts
cat "$CONF/good" >"$upper$F"
A start bb 2>"$CONF/err" >/dev/null || fail "start with the sealed file: $(cat "$CONF/err")"
A verify bb >/dev/null || fail "verify after start"

# after render: a rendered result that differs from the manifest (the
# cluster's network, which dnsmasq.conf names, changed since sealing)
A down -q || fail "down"
sed -i 's/10\.77\.0\./10.78.0./g' "$CONF/conf.d/"*.conf
if A up -q 2>"$CONF/err"; then fail "up accepted a rendered $F unlike its seal"; fi
grep -qF "bb.rt.test: integrity: $F: digest mismatch" "$CONF/err" ||
	fail "up said: $(cat "$CONF/err")"
# (the file in the layer is as sealed: the check after render caught it)
grep -qF "(before render)" "$CONF/err" && fail "up said: $(cat "$CONF/err")"
exit 0
