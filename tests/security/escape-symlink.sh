#!/bin/sh
# A station plants /etc -> /etc (and /etc -> a directory of the host) and
# is restarted: the host-side writes of the next start (/etc/hosts,
# /etc/resolv.conf, ssh keys, reading /etc/passwd) stay inside its root.
# The host's /etc/hosts and /etc/resolv.conf are byte-identical before and
# after, and nothing appears in the host directory.  Then the same with
# the plain paths of before: the check sees the host directory written.
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99

HOSTDIR=$(mktemp -d /tmp/apomon-escape-hostdir.XXXXXX)
ESC_CLEANUP='rm -rf "$HOSTDIR" "$CONF.etc"'
mkdir -p "$CONF.etc" && cp -L /etc/hosts /etc/resolv.conf "$CONF.etc/"

# plant DIR: /etc of s1 becomes a symlink to DIR
plant() {
	A exec -T s1 -- sh -c "mv /etc /etc.real && ln -s '$1' /etc" </dev/null ||
		fail "plant /etc -> $1"
}
unchanged() {
	cmp -s /etc/hosts "$CONF.etc/hosts" || fail "the host's /etc/hosts changed ($1)"
	cmp -s /etc/resolv.conf "$CONF.etc/resolv.conf" ||
		fail "the host's /etc/resolv.conf changed ($1)"
}

esc_up
plant /etc
A restart s1 >"$CONF/restart.out" 2>&1
echo "restart with /etc -> /etc: $(cat "$CONF/restart.out")"
unchanged "/etc -> /etc"

esc_up
plant "$HOSTDIR"
A restart s1 >"$CONF/restart.out" 2>&1
echo "restart with /etc -> $HOSTDIR: $(cat "$CONF/restart.out")"
[ -z "$(ls -A "$HOSTDIR")" ] || fail "the start wrote into the host's $HOSTDIR: $(ls "$HOSTDIR")"
unchanged "/etc -> $HOSTDIR"

# each check can fail: the plain paths of before follow the symlink to
# the host directory (never to the host's real /etc: the machine is shared)
esc_up paths
plant "$HOSTDIR"
APOMON_TEST_WEAKEN=paths A restart s1 >/dev/null 2>&1
[ -e "$HOSTDIR/hosts" ] || fail "the check missed a write through /etc -> $HOSTDIR"
echo "weakened: the start wrote $(ls "$HOSTDIR" | tr '\n' ' ')into the host's $HOSTDIR"
unchanged "weakened"
echo "escape-symlink: ok"
