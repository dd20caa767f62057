#!/bin/sh
# A reconcile that fails at any step puts the environment back as it ran
# (issue 13, item 3): a fault injected at each step of an `up` that
# changes ftp's password and published port (ftp is stopped and started
# again), moves www1, disables multi and adds a station.  After each
# failed `up`: ftp runs and takes the OLD password (on its address and
# its old published port), www1 has its old address and the backbone
# says so, multi runs, the new station is gone, and `diff` lists the same
# changes as before.  The next `up` without fault applies them all.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"

rest_add ftp
EX="$REST_CONF/conf.d/10-example.conf"
FT="$REST_CONF/conf.d/30-ftp.conf"
cp "$EX" "$REST_TMP/ex.orig"
cp "$FT" "$REST_TMP/ft.orig"
rest_up
NS=$(A plan --json | jq -r .host.backbone)
OLD='3pg:ftp-secret 3pg'
NEW='3pg:ftp-secret 4pg'

# the files of the change: password and port, www1 moved, multi off, s3 on
sed -i 's/ftp-secret 3pg/ftp-secret 4pg/; s/host = 2121;/host = 2122;/' "$FT"
sed -i 's/"10.71.0.11"\]/"10.71.0.21"]/; s/{ name = "multi"; type = "base";/{ name = "multi"; type = "base"; enabled = false;/' "$EX"
sed -i 's|^    { name = "service_endpoint";|    { name = "s3"; type = "base"; addresses = ["10.72.0.30"]; },\n&|' \
	"$REST_CONF/conf.d/20-service.conf"
A diff >"$REST_TMP/want"
for w in "station disabled: multi" "station added: s3" "(reloaded or restarted): ftp" "www1" "2122"; do
	grep_q "$w" "$REST_TMP/want" || fail "the change lacks '$w': $(cat "$REST_TMP/want")"
done

# a station's init runs (a zombie does not: PID 1 of some machines reaps late)
runs() {
	[ -f "/run/apomon/$REST_ENV/stations/$1/init" ] || return 1
	set -- $(cat "/run/apomon/$REST_ENV/stations/$1/init")
	kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]
}
# as it ran before the change
as_before() {
	curl -sS --max-time 10 --user "$OLD" ftp://10.73.0.21/ >/dev/null || fail "$1: ftp refuses the old password"
	curl -sS --max-time 10 --user "$OLD" ftp://127.0.0.1:2121/ >/dev/null || fail "$1: ftp not on 2121"
	curl -sS --max-time 10 --user "$NEW" ftp://10.73.0.21/ >/dev/null 2>&1 && fail "$1: ftp takes the new password"
	ip -n www1.example.org -4 addr show | grep_q "inet 10.71.0.11/" || fail "$1: www1 lost 10.71.0.11"
	ip -n www1.example.org -4 addr show | grep_q "inet 10.71.0.21/" && fail "$1: www1 kept 10.71.0.21"
	[ "$(dig +short +time=2 +tries=2 @"$NS" www1.example.org A)" = 10.71.0.11 ] ||
		fail "$1: DNS: www1 is $(dig +short @"$NS" www1.example.org A)"
	[ -e /run/netns/multi.example.org ] || fail "$1: multi's namespace is gone"
	runs multi || fail "$1: multi does not run"
	runs ftp || fail "$1: ftp does not run"
	[ ! -e /run/netns/s3.service.org ] || fail "$1: s3's namespace stays"
	A diff >"$REST_TMP/now"
	cmp -s "$REST_TMP/want" "$REST_TMP/now" || fail "$1: diff: $(diff "$REST_TMP/want" "$REST_TMP/now")"
}
as_before "before"
k=1
while :; do
	APOMON_RECONCILE_FAULT=$k A up --json >"$REST_TMP/json" 2>"$REST_TMP/err" && break
	grep_q "injected fault at step $k" "$REST_TMP/err" || fail "step $k: $(cat "$REST_TMP/err")"
	jq -e '.result == "failed" and .restored == true' "$REST_TMP/json" >/dev/null ||
		fail "step $k: up --json: $(cat "$REST_TMP/json")"
	grep_q "could not put back\|left objects behind" "$REST_TMP/err" && fail "step $k: $(cat "$REST_TMP/err")"
	as_before "fault at step $k"
	k=$((k + 1))
	[ $k -lt 20 ] || fail "more than 20 steps?"
done
[ $k -gt 7 ] || fail "only $((k - 1)) steps failed"
echo "$((k - 1)) steps each failed and rolled back to the running config"
# the last k passed the last step: the change is applied
curl -sS --max-time 10 --user "$NEW" ftp://127.0.0.1:2122/ >/dev/null || fail "ftp: the new password on 2122"
[ "$(dig +short +time=2 +tries=2 @"$NS" www1.example.org A)" = 10.71.0.21 ] || fail "DNS: www1 after up"
[ -e /run/netns/s3.service.org ] || fail "s3 after up"
A diff >/dev/null || fail "diff after up: $(A diff)"
exit 0
