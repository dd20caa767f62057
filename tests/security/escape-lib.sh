# Sourced by the escape tests: an environment of its own (the runtime
# fixture's backbone and one base station s1), the probe copied into s1,
# and helpers to start it confined or weakened on purpose.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

PROBE="$APOMON_BUILDDIR/tests/security/escape-probe"
[ -x "$PROBE" ] || fail "build tests/security/escape-probe first (make check builds it)"
ENV="esc-$(basename "$0" .sh | sed 's/^escape-//')-$$"
CONF=$(mktemp -d /tmp/apomon-escape.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
# a network of its own (another test may run at the same time)
own_net_number 200 40
D="esc$$.test"
fixture_own_net "$N" "$D"
# s1 only: s2 adds nothing here
sed -i '/name = "s2"/,+1d; s/\(name = "s1".*\) },$/\1 }/' "$CONF/conf.d/10-lan.conf"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
unset APOMON_TEST_WEAKEN
export APOMON_INIT

A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
ESC_CLEANUP=""
esc_cleanup() {
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
	[ -z "$ESC_CLEANUP" ] || eval "$ESC_CLEANUP"
}
trap esc_cleanup EXIT

# esc_up [WEAKEN]: a fresh environment, confined, or with the defences in
# WEAKEN (APOMON_TEST_WEAKEN words) left out on purpose; s1 gets the probe
esc_up() {
	A down --purge -q >/dev/null 2>&1
	APOMON_TEST_WEAKEN="${1:-}" A up -q || fail "up${1:+ (weakened: $1)}"
	A exec -T s1 -- sh -c 'cat > /usr/local/bin/escape-probe && chmod 755 /usr/local/bin/escape-probe' \
		<"$PROBE" || fail "copy the probe into s1"
}

# probe TECHNIQUE: runs it in s1; 0 when it got through
probe() { A exec -T s1 -- escape-probe "$1" </dev/null 2>&1; }

# refused TECHNIQUE: on a confined station, the technique must fail
refused() {
	out=$(probe "$1")
	rc=$?
	printf '%s\n' "$out"
	[ $rc = 1 ] || fail "$1: got through a confined station (probe status $rc): $out"
}

# caught TECHNIQUE WEAKEN: on a station weakened on purpose, the same check
# must see the technique get through: the check can fail
caught() {
	out=$(probe "$1")
	rc=$?
	printf '%s\n' "$out"
	[ $rc = 0 ] || fail "$1: the check missed the escape on a station weakened ($2): $out"
}

# station_pids: init of s1 and every process in its PID namespace
station_pids() {
	init=$(awk '{print $1}' "/run/apomon/$ENV/stations/s1/init")
	ns=$(readlink "/proc/$init/ns/pid")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "${p#/proc/}"
	done
}

# host_fds PID...: descriptors of these processes that are files of a
# mount their own mount namespace does not have: a file of the host
host_fds() {
	for p in "$@"; do
		for f in /proc/"$p"/fd/*; do
			t=$(readlink "$f" 2>/dev/null) || continue
			case "$t" in pipe:* | socket:* | anon_inode:*) continue ;; esac
			m=$(awk '/^mnt_id:/ {print $2}' "/proc/$p/fdinfo/${f##*/}" 2>/dev/null)
			[ -n "$m" ] || continue
			awk -v m="$m" '$1 == m {f = 1} END {exit !f}' "/proc/$p/mountinfo" ||
				echo "pid $p fd ${f##*/}: $t"
		done
	done
}
