# Sourced by the network engine's tests (net-*.sh) after lib.sh.
# Every test uses environments named net-* and address ranges of its own,
# so that they can run next to other parts' tests on one machine.

NET_TCP_PAIR="$APOMON_BUILDDIR/tests/integration/tcp-pair"
# the gateway test type lives with the test plugins
APOMON_PLUGIN_PATH="$APOMON_PLUGIN_PATH$APOMON_BUILDDIR/tests/plugins/.libs:"
export APOMON_PLUGIN_PATH
[ -x "$NET_TCP_PAIR" ] || fail "$NET_TCP_PAIR is not built (make check builds it)"

# net_gen DIR ENV N CLUSTERS OCTET: a topology of N `base` stations over
# CLUSTERS clusters (10.OCTET.C.0/24) with a backbone; host link
# 10.OCTET.255.0/30.  Station i is s<i> in cluster c<i % CLUSTERS>.
net_gen() {
	_d=$1 _env=$2 _n=$3 _nc=$4 _o=$5
	mkdir -p "$_d/conf.d"
	cat >"$_d/apomon.conf" <<-EOT
	environment = "$_env";
	backbone = { name = "bb"; domain = "$_env.test"; type = "base";
	             host_network = "10.$_o.255.0/30"; };
	EOT
	_c=0
	while [ "$_c" -lt "$_nc" ]; do
		{
			printf 'cluster = { name = "c%d"; domain = "c%d.%s.test"; network = "10.%d.%d.0/24";\n' \
				"$_c" "$_c" "$_env" "$_o" "$_c"
			printf '  stations = (\n'
			_i=$_c _k=0 _sep=""
			while [ "$_i" -lt "$_n" ]; do
				printf '%s    { name = "s%d"; type = "base"; addresses = ["10.%d.%d.%d"]; }' \
					"$_sep" "$_i" "$_o" "$_c" $((_k + 10))
				_sep=",
"
				_i=$((_i + _nc)) _k=$((_k + 1))
			done
			printf '\n  );\n};\n'
		} >"$_d/conf.d/$(printf '%03d' "$_c")-c$_c.conf"
		_c=$((_c + 1))
	done
}

# net_names CONFDIR FILE: every kernel object name the plan of CONFDIR
# makes (namespaces, bridges, host-side links), one a line, into FILE.
net_names() {
	"$APOMON" -c "$1" plan --json >"$2.json" || fail "plan of $1 failed"
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
