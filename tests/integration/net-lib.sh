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

# net_assert_clean ENV NAMESFILE: nothing of ENV is left (lib.sh's
# assert_env_gone; other parts' objects may exist at the same time on this
# machine, the clean-machine check with tools/leftovers is CI's).
net_assert_clean() {
	assert_env_gone "$1" "$2"
}

# tcp_ok SERVER_NS ADDR PORT CLIENT_NS ("-": the host)
tcp_ok() {
	"$NET_TCP_PAIR" "$@" >/dev/null || fail "no TCP from ${4} to $2:$3 in $1"
}
