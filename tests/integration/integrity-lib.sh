# shellcheck disable=SC2034 # variables for the tests that source this
# Sourced by the integrity integration tests after lib.sh: a test network
# namespace with one veth to the host, a temp dir, a sealed tree, and a
# cleanup that removes all of it (and the servers the test started).
#   int_setup NAME NET      NAME: short unique word; NET: "10.177.5" (a /30)
# Then: $T (temp dir), $NS (namespace), $SRV (server address, NET.2),
# $ROOT (a station-like tree), $M (its manifest), $KEY/$PUB (a key pair).

int_pids=
int_ns=
int_tmp=

int_cleanup() {
	for p in $int_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $int_pids; do
		wait "$p" 2>/dev/null
	done
	if [ -n "$int_ns" ]; then
		# servers' own children (vsftpd sessions, nginx workers) live in
		# the namespace: end those, by pid, before the namespace goes
		for p in $(ip netns pids "$int_ns" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
		# until they are gone (bounded): nothing of ours may outlive the test
		i=0
		while [ -n "$(ip netns pids "$int_ns" 2>/dev/null)" ] && [ "$i" -lt 50 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		ip netns del "$int_ns" 2>/dev/null
	fi
	[ -n "$int_tmp" ] && rm -rf "$int_tmp"
}

# Starts a command in the background, remembering its pid for cleanup.
int_bg() {
	"$@" &
	int_pids="$int_pids $!"
}

# Polls a real probe (a command) until it succeeds, at most ~10 s.
int_wait() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -gt 100 ] && fail "not ready after 10 s: $*"
		sleep 0.1
	done
}

int_setup() {
	name=$1 net=$2
	[ -x "$APOMON" ] || fail "$APOMON not built"
	int_tmp=$(mktemp -d /tmp/apomon-int-"$name".XXXXXX)
	chmod 755 "$int_tmp"
	T=$int_tmp
	trap int_cleanup EXIT
	trap 'exit 1' INT TERM
	NS=apomon-int-$name-$$
	int_ns=$NS
	ip netns add "$NS" || fail "ip netns add $NS"
	ip link add "ih$$${name%"${name#?}"}" type veth peer name eth0 netns "$NS" ||
		fail "veth"
	H_IF="ih$$${name%"${name#?}"}"
	ip addr add "$net.1/30" dev "$H_IF"
	ip link set "$H_IF" up
	ip -n "$NS" addr add "$net.2/30" dev eth0
	ip -n "$NS" link set eth0 up
	ip -n "$NS" link set lo up
	SRV=$net.2

	# a station-like tree and its signed manifest
	ROOT=$T/root
	mkdir -p "$ROOT/etc/app/conf.d"
	echo "listen 80" >"$ROOT/etc/app/app.conf"
	echo "workers 4" >"$ROOT/etc/app/conf.d/w.conf"
	KEY=$T/k.key PUB=$T/k.pub M=$T/www/m/www1.manifest
	mkdir -p "$T/www/m"
	"$APOMON" keygen -o "$T/k" >/dev/null || fail "keygen"
	"$APOMON" seal --root "$ROOT" --path /etc/app --path /etc/app/absent.conf \
		-o "$M" --sign "$KEY" www1.example.com 2>/dev/null || fail "seal"
}

# Runs verify against a remote manifest; extra arguments go to verify.
int_verify() {
	"$APOMON" verify --root "$ROOT" "$@" www1.example.com
}

# Asserts that the command fails and its stderr contains the text.
int_refuses() {
	text=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then
		fail "accepted, expected refusal with '$text': $*"
	fi
	grep -qF -- "$text" "$T/err" || fail "expected '$text', got: $(cat "$T/err")"
	sed 's/^/refused as expected: /' "$T/err"
}

int_passes() {
	"$@" >"$T/out" 2>"$T/err" || fail "refused: $* : $(cat "$T/err")"
	grep -q "files ok" "$T/out" || fail "no 'files ok': $(cat "$T/out")"
}
