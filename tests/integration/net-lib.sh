# Sourced by the network engine's tests (net-*.sh) after lib.sh.
# Every test uses environments named net-* and address ranges of its own,
# so that they can run next to other parts' tests on one machine.

NET_TCP_PAIR="$APOMON_BUILDDIR/tests/integration/tcp-pair"
# the gateway test type lives with the test plugins
APOMON_PLUGIN_PATH="$APOMON_PLUGIN_PATH$APOMON_BUILDDIR/tests/plugins/.libs:"
export APOMON_PLUGIN_PATH
[ -x "$NET_TCP_PAIR" ] || fail "$NET_TCP_PAIR is not built (make check builds it)"

# net_gen DIR ENV N CLUSTERS OCTET (bench/net-gen.sh)
. "$APOMON_SRCDIR/bench/net-gen.sh"

# net_names CONFDIR FILE: every kernel object name the plan of CONFDIR
# makes (namespaces, bridges, host-side links), one a line, into FILE.
net_names() {
	# shellcheck disable=SC2086 # $1 may carry -e ENV
	"$APOMON" -c $1 plan --json >"$2.json" || fail "plan of $1 failed"
	jq -r '.switches[].name, .stations[].netns, (.stations[].ifaces[] | .host_end // empty),
	       .host.iface' "$2.json" | sort -u >"$2"
}

# net_assert_clean ENV NAMESFILE: nothing of ENV is left: no state
# directory, no namespace and no link of the names its plan makes.
# (Other parts' objects may exist at the same time on this machine; the
# clean-machine check with tools/leftovers is CI's.)
net_assert_clean() {
	[ ! -e "/run/apomon/$1" ] || fail "state /run/apomon/$1 is left"
	while read -r _name; do
		[ ! -e "/run/netns/$_name" ] || fail "namespace $_name is left"
		! ip link show dev "$_name" >/dev/null 2>&1 || fail "link $_name is left"
	done <"$2"
	! grep -qs "/run/netns/[^ ]*$1" /proc/self/mounts || fail "a mount of $1 is left"
}

# tcp_ok SERVER_NS ADDR PORT CLIENT_NS ("-": the host)
tcp_ok() {
	"$NET_TCP_PAIR" "$@" >/dev/null || fail "no TCP from ${4} to $2:$3 in $1"
}
