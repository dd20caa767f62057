#!/bin/sh
# `apomon diff` and `apomon up` on a running environment of base stations
# (tests/fixtures/runtime): add a station, disable it, move addresses
# (the dependent follows, the others keep their init PID and start time),
# add a cluster and reach it across the backbone, a bad config that
# changes nothing, a fault injected at every step of a reconcile and a
# SIGKILL at every step, each followed by `up` that completes it; `down`
# leaves nothing.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="rc-$$"
CONF=$(mktemp -d /tmp/apomon-rc.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
own_net_number 120 30
D="rc$$.test"
fixture_own_net "$N" "$D"
LAN="$CONF/conf.d/10-lan.conf"
cp "$LAN" "$CONF/lan.orig"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT

# "PID STARTTIME" of a station's init, and that it runs
init_of() {
	_f=/run/apomon/$ENV/stations/$1/init
	[ -f "$_f" ] || { echo none; return; }
	set -- $(cat "$_f")
	# a zombie is dead: a stopped station's init waits for a reaper that
	# may be slow (PID 1 of some machines), and kill -0 still reaches it
	if kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; then
		echo "$1 $2"
	else
		echo dead
	fi
}
snap() { for s in bb s1 s2; do printf '%s=%s ' $s "$(init_of $s)"; done; }
lan() { # the LAN's stations, as written between the markers
	cat >"$LAN" <<EOT
cluster = {
  name = "lan";
  domain = "$D";
  network = "10.$N.0.0/24";
  stations = (
$1
  );
};
EOT
}
S1="    { name = \"s1\"; type = \"base\"; addresses = [\"10.$N.0.11\"]; }"
S1B="    { name = \"s1\"; type = \"base\"; addresses = [\"10.$N.0.21\"]; }"
S2="    { name = \"s2\"; type = \"base\"; addresses = [\"10.$N.0.12\"]; depends = [\"s1\"]; }"
# a real TCP connection from station $1 to $3 in namespace $2
reach() { "$APOMON_BUILDDIR/tests/integration/tcp-pair" "$2" "$3" 7000 "$1.$D" >/dev/null; }

lan "$S1,
$S2"
A up -q || fail "up"
A diff >"$CONF/out"
[ $? = 0 ] && [ ! -s "$CONF/out" ] || fail "diff of an unchanged environment: $(cat "$CONF/out")"
A up --dry-run >/dev/null || fail "up --dry-run with nothing to do exits non-zero"
before=$(snap)
echo "before: $before"

# 1. a station added: diff says so (exit 1), up starts it alone
lan "$S1,
$S2,
    { name = \"s3\"; type = \"base\"; addresses = [\"10.$N.0.13\"]; }"
A diff >"$CONF/out"
[ $? = 1 ] || fail "diff exit $? with a station added"
grep -q "^+ station added: s3 (s3.$D, base)$" "$CONF/out" || fail "diff: $(cat "$CONF/out")"
grep -q "^+ DNS record: A s3.$D. 10.$N.0.13$" "$CONF/out" || fail "diff: $(cat "$CONF/out")"
! grep -q "restarted\|re-created\|removed\|started" "$CONF/out" || fail "diff says more: $(cat "$CONF/out")"
[ "$(A diff --json | jq -r '.stations_added[0].object')" = s3 ] || fail "diff --json"
A up -q || fail "up adding s3"
[ "$(snap)" = "$before" ] || fail "unchanged stations restarted: $(snap) vs $before"
[ "$(init_of s3)" != none ] && [ "$(init_of s3)" != dead ] || fail "s3 does not run"
reach s1 s3.$D 10.$N.0.13 || fail "s1 does not reach s3"
A diff >/dev/null || fail "diff after up is not empty: $(A diff)"

# 2. s3 disabled: it goes (namespace too), the others keep running
lan "$S1,
$S2,
    { name = \"s3\"; type = \"base\"; addresses = [\"10.$N.0.13\"]; enabled = false; }"
A diff >"$CONF/out" # exit 1: something would change (pipefail would see it)
grep -q "^- station disabled: s3" "$CONF/out" || fail "diff: $(cat "$CONF/out")"
A up -q || fail "up disabling s3"
[ ! -e "/run/netns/s3.$D" ] || fail "s3's namespace is left"
[ "$(snap)" = "$before" ] || fail "disabling s3 restarted others: $(snap)"

# 3. s1 moves to .21: s1 restarts with its new address, s2 (depends on
# s1) is re-rendered and restarted, the backbone keeps running
lan "$S1B,
$S2"
A diff >"$CONF/out"
grep -q "^~ station re-rendered (reloaded or restarted): s2 (dependency s1 10.$N.0.11 -> 10.$N.0.21)$" "$CONF/out" ||
	fail "diff: $(cat "$CONF/out")"
grep -q "^~ addresses/routes: s1 (eth0 10.$N.0.11/24 -> 10.$N.0.21/24)$" "$CONF/out" ||
	fail "diff: $(cat "$CONF/out")"
bb_before=$(init_of bb)
A up -q || fail "up moving s1"
[ "$(init_of bb)" = "$bb_before" ] || fail "the backbone restarted"
[ "$(init_of s1)" != "$(echo "$before" | sed 's/.*s1=\([^ ]* [^ ]*\).*/\1/')" ] || fail "s1 did not restart"
ip -n "s1.$D" -4 addr show dev eth0 | grep_q "inet 10.$N.0.21/24" || fail "s1's new address"
! ip -n "s1.$D" -4 addr show dev eth0 | grep_q "inet 10.$N.0.11/" || fail "s1's old address stays"
A exec s1 -- grep -q "^10.$N.0.21	s1.$D s1\$" /etc/hosts || fail "s1's /etc/hosts"
reach s2 s1.$D 10.$N.0.21 || fail "s2 does not reach s1 at its new address"
A diff >/dev/null || fail "diff after up: $(A diff)"
before=$(snap)

# 4. a new cluster with a station, reached from s1 through the backbone
cat >"$CONF/conf.d/20-far.conf" <<EOT
cluster = {
  name = "far";
  domain = "far$D";
  network = "10.$((N + 40)).0.0/24";
  stations = ( { name = "f1"; type = "base"; addresses = ["10.$((N + 40)).0.10"]; } );
};
EOT
A diff >"$CONF/out"
grep -q "^+ cluster added: far" "$CONF/out" || fail "diff: $(cat "$CONF/out")"
grep -q "^+ link: bb (eth1 (switch far))$" "$CONF/out" || fail "diff: $(cat "$CONF/out")"
A up -q || fail "up adding a cluster"
[ "$(snap)" = "$before" ] || fail "adding a cluster restarted stations: $(snap) vs $before"
reach s1 f1.far$D 10.$((N + 40)).0.10 || fail "s1 does not reach f1 across the backbone"

# 4b. a point-to-point link between s1 and s2 added in place, then
# removed; `status` calls both stations stale until `up` applies it
cp "$CONF/apomon.conf" "$CONF/apomon.orig"
cat >>"$CONF/apomon.conf" <<EOT
links = ( { a = "s1"; b = "s2"; addresses = ["10.$N.9.1/30", "10.$N.9.2/30"]; } );
EOT
A diff >"$CONF/out"
grep -q "^+ link: s1 (p2p0 (p2p s2))$" "$CONF/out" || fail "diff p2p: $(cat "$CONF/out")"
A status >"$CONF/out"
grep -q "^  s1.$D .* stale " "$CONF/out" || fail "status does not call s1 stale: $(cat "$CONF/out")"
[ "$(A status --json | jq -r '.stations[] | select(.station == "s2") | .config')" = stale ] ||
	fail "status --json: s2 is not stale"
[ "$(A status --json | jq -r '.stations[] | select(.station == "bb") | .config')" = current ] ||
	fail "status --json: bb is not current"
A up -q 2>"$CONF/err" || fail "up adding a p2p link: $(cat "$CONF/err")"
ip -n "s1.$D" -4 addr show dev p2p0 | grep_q "inet 10.$N.9.1/30" || fail "s1's p2p0"
reach s1 s2.$D 10.$N.9.2 || fail "s1 does not reach s2 over the p2p link"
A status --json >"$CONF/out"
[ "$(jq -r '[.stations[].config] | unique | join(",")' "$CONF/out")" = current ] ||
	fail "status after up: $(jq -c '.stations[] | [.station, .config, .stale]' "$CONF/out")"
cp "$CONF/apomon.orig" "$CONF/apomon.conf"
A up -q 2>"$CONF/err" || fail "up removing the p2p link: $(cat "$CONF/err")"
! ip -n "s2.$D" link show p2p0 >/dev/null 2>&1 || fail "s2's p2p0 is left"
A diff >/dev/null || fail "diff after removing the p2p link: $(A diff)"
before=$(snap)

# 4c. `down s1` stops s1 and s2 (it depends on s1), nothing else; an
# unknown name changes nothing (exit 2); `up s1` brings both back
running() { case $(init_of "$1") in none | dead) return 1 ;; esac; }
A down s1 nosuch 2>"$CONF/err"
[ $? = 2 ] || fail "down of an unknown station exits $?"
grep -q "nosuch: no such station" "$CONF/err" || fail "down nosuch: $(cat "$CONF/err")"
[ "$(snap)" = "$before" ] || fail "a refused down changed stations: $(snap)"
A down -q s1 2>"$CONF/err" || fail "down s1: $(cat "$CONF/err")"
! running s1 && ! running s2 || fail "down s1: s1 or s2 still runs: $(snap)"
[ "$(init_of bb)" = "$(echo "$before" | sed 's/.*bb=\([^ ]* [^ ]*\).*/\1/')" ] || fail "down s1 touched bb"
[ -e "/run/netns/s1.$D" ] || fail "down s1 removed its namespace"
A diff >/dev/null && fail "diff sees nothing to do after down s1"
A up s1 nosuch 2>"$CONF/err"
[ $? = 2 ] || fail "up of an unknown station exits $?"
! running s1 || fail "a refused up started s1"
A up -q s1 2>"$CONF/err" || fail "up s1: $(cat "$CONF/err")"
running s1 && running s2 || fail "up s1: s1 or s2 does not run: $(snap)"
reach s2 s1.$D 10.$N.0.21 || fail "s2 does not reach s1 after up s1"
A diff >/dev/null || fail "diff after up s1: $(A diff)"
before=$(snap)

# 5. a bad config changes nothing and names file:line:setting
cp "$CONF/conf.d/20-far.conf" "$CONF/far.ok"
sed -i "s/\"10.$((N + 40)).0.10\"/\"10.$((N + 40)).0.300\"/" "$CONF/conf.d/20-far.conf"
A up -q 2>"$CONF/err"
[ $? = 2 ] || fail "up with a bad address exits $?"
grep -q "20-far.conf:[0-9]*:.*addresses" "$CONF/err" || fail "no file:line:setting: $(cat "$CONF/err")"
cp "$CONF/far.ok" "$CONF/conf.d/20-far.conf"
A diff >/dev/null || fail "a refused up changed something: $(A diff)"
[ "$(snap)" = "$before" ] || fail "a refused up restarted stations"

# 6. a fault at each step of a reconcile (removing the far cluster and
# adding s4): the reconcile fails, undoes what it made, the stations that
# ran still run; the next up completes it.  Then the same with SIGKILL.
rm "$CONF/conf.d/20-far.conf"
lan "$S1B,
$S2,
    { name = \"s4\"; type = \"base\"; addresses = [\"10.$N.0.14\"]; }"
for how in "" kill:; do
	# from the far cluster and no s4, to no far cluster and s4
	cp "$CONF/far.ok" "$CONF/conf.d/20-far.conf"
	lan "$S1B,
$S2"
	A up -q || fail "up back"
	rm "$CONF/conf.d/20-far.conf"
	lan "$S1B,
$S2,
    { name = \"s4\"; type = \"base\"; addresses = [\"10.$N.0.14\"]; }"
	k=1
	while :; do
		APOMON_RECONCILE_FAULT=$how$k A up -q >/dev/null 2>"$CONF/err"
		rc=$?
		[ $rc = 0 ] && break # past the last step: it simply worked
		[ -z "$how" ] && { grep -q "injected fault at step $k" "$CONF/err" || fail "step $k: $(cat "$CONF/err")"; }
		[ "$(init_of s1)" != dead ] && [ "$(init_of s1)" != none ] || fail "${how}step $k: s1 does not run"
		A up -q 2>"$CONF/err" || fail "${how}step $k: up after the fault: $(cat "$CONF/err")"
		A diff >/dev/null || fail "${how}step $k: diff after up: $(A diff)"
		[ -e "/run/netns/s4.$D" ] || fail "${how}step $k: s4's namespace"
		[ ! -e "/run/netns/f1.far$D" ] || fail "${how}step $k: f1's namespace is left"
		reach s1 s4.$D 10.$N.0.14 || fail "${how}step $k: s1 does not reach s4"
		# back to the far cluster and no s4 for the next round
		cp "$CONF/far.ok" "$CONF/conf.d/20-far.conf"
		lan "$S1B,
$S2"
		A up -q || fail "up back"
		rm "$CONF/conf.d/20-far.conf"
		lan "$S1B,
$S2,
    { name = \"s4\"; type = \"base\"; addresses = [\"10.$N.0.14\"]; }"
		k=$((k + 1))
		[ $k -lt 20 ] || fail "more than 20 steps?"
	done
	[ $k -gt 5 ] || fail "${how:-fault}: only $((k - 1)) steps"
	echo "${how:-fault}: $((k - 1)) steps each failed/killed and completed by the next up"
done

# 7. the time of a reconcile of one changed station (s2's limits: it is
# re-rendered and restarted) against a full down + up of the same config
ms() { date +%s%3N; }
sed -i "s/depends = \[\"s1\"\]; }/depends = [\"s1\"]; limits = { pids = 300; }; }/" "$LAN"
A diff >"$CONF/out"
grep -q "^~ station re-rendered (reloaded or restarted): s2 (settings)$" "$CONF/out" || fail "limits: $(cat "$CONF/out")"
t0=$(ms)
A up -q || fail "up changing s2"
t1=$(ms)
A down -q || fail "down"
A up -q || fail "up"
t2=$(ms)
echo "MEASURE: reconcile of one station $((t1 - t0)) ms; full down+up $((t2 - t1)) ms"

# 8. down after all that leaves nothing
echo "s4.$D" >"$CONF/names"
echo "f1.far$D" >>"$CONF/names"
A down -q || fail "down"
assert_env_gone "$ENV" "$CONF/names"
echo "OK"
