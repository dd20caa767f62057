#!/bin/sh
# A sealed config that a reload would change never goes live.  An
# haproxy station whose haproxy.cfg is sealed (apomon seal), two tomcat
# backends; www2 moves, so `up` re-renders the balancer's config through
# its reload hook.  The new config does not match the seal: `up` fails
# naming the station and the file and rolls back, and haproxy was never
# told: its master and workers keep their PIDs (a SIGUSR2 starts new
# workers) and haproxy.cfg and the certificate hold the old bytes.
# Against a hook that signals before the seal is checked, the worker
# PIDs change; against one that does not put the old certificate back,
# web.pem differs.
# Before the seal, the drain under the step-K fault injection: www2's
# move fails right after the balancer drained www2 (step 4), and right
# before it takes www2 back at its new address (step 7); each rollback
# leaves the balancer as it ran (www2 in rotation at its old address,
# haproxy.cfg byte for byte, the same master) and www2 on its address.
# Then the same up killed (-9) right after the drain, the files put back,
# and `up`: www2 is back in rotation, not drained for good.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
REST_FIXTURE=none
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"
[ -f "$APOMON_WEBAPPS_DIR/hello.war" ] ||
	{ echo "SKIP: $APOMON_WEBAPPS_DIR/hello.war not built (needs javac)" >&2; exit 77; }
mkdir -p "$REST_CONF/conf.d"
cat >"$REST_CONF/apomon.conf" <<'EOC'
environment = "reloadseal";
plugin_path = [];
backbone = {
  name = "backbone";
  domain = "reloadseal.test";
  type = "base";
  host_network = "10.254.93.0/30";
};
EOC
# the backends answer /hello/ without a database (none runs: its host
# only has to be named)
tc='type = "tomcat"; settings = { apps = ["hello.war"]; database = { host = "10.93.0.5"; }; };'
cat >"$REST_CONF/conf.d/10-lb.conf" <<EOC
cluster = {
  name = "gate";
  domain = "reloadseal.test";
  network = "10.93.0.0/24";
  gateway = "lb";
  stations = (
    { name = "lb";   type = "haproxy"; addresses = ["10.93.0.2"];
      settings = { health_path = "/hello/"; }; },
    { name = "www1"; $tc addresses = ["10.93.0.11"]; },
    { name = "www2"; $tc addresses = ["10.93.0.12"]; }
  );
};
EOC
rest_up

init=$(cut -d' ' -f1 "/run/apomon/$REST_ENV/stations/lb/init")
[ -n "$init" ] || fail "no init for lb"
CFG=/proc/$init/root/etc/haproxy/haproxy.cfg
# the master (the child of lb's init) and its workers, one line of PIDs
haproxies() {
	_m=$(pgrep -x haproxy -P "$init")
	[ -n "$_m" ] || return 1
	echo "$_m" $(pgrep -x haproxy -P "$_m" | sort -n)
}
grep_q "server www2 10.93.0.12:8080 check\$" "$CFG" || fail "lb's config: $(cat "$CFG")"
cp "$CFG" "$REST_TMP/cfg.old"
master=$(pgrep -x haproxy -P "$init")

sed -i 's/"10.93.0.12"/"10.93.0.13"/' "$REST_CONF/conf.d/10-lb.conf"
for k in "4 re-created stations" "7 undrain"; do
	set -- $k
	n=$1
	shift
	w0=$(haproxies)
	APOMON_RECONCILE_FAULT=$n A up >"$REST_TMP/out" 2>"$REST_TMP/err" && fail "up with a fault at step $n succeeded"
	grep_q "$*: injected fault at step $n" "$REST_TMP/err" || fail "step $n: $(cat "$REST_TMP/err")"
	grep_q "could not put back\|left objects behind" "$REST_TMP/err" && fail "step $n: $(cat "$REST_TMP/err")"
	cmp -s "$REST_TMP/cfg.old" "$CFG" || fail "after a fault at step $n ($*), haproxy.cfg: $(diff "$REST_TMP/cfg.old" "$CFG")"
	[ "$(pgrep -x haproxy -P "$init")" = "$master" ] || fail "step $n: the haproxy master changed"
	# drained, then put back: two generations of workers later
	[ "$(haproxies)" != "$w0" ] || fail "step $n: haproxy was not reloaded: was www2 drained?"
	ip -n www2.reloadseal.test -4 addr show | grep_q "inet 10.93.0.12/" || fail "step $n: www2 lost 10.93.0.12"
	echo "fault at step $n ($*): rolled back, the balancer as it ran"
done

# Killed (-9) right after the drain: the operator puts the files back as
# they ran and runs `up`.  It undoes the interrupted reconcile, and its
# diff is then empty, yet the balancer must not keep www2 drained (a
# drain is a reload, no object the journal undoes): www2 is back in
# rotation, haproxy.cfg as it ran, the same master, www2 serves requests
# through the balancer.
APOMON_RECONCILE_FAULT=kill:4 A up >"$REST_TMP/out" 2>&1 && fail "up killed at step 4 exited 0"
# (the drain renders the new plan: www2 at its new address, disabled)
grep_q "^ *server www2 [0-9.:]* check disabled\$" "$CFG" ||
	fail "killed at step 4: www2 was not drained: $(grep www2 "$CFG")"
sed -i 's/"10.93.0.13"/"10.93.0.12"/' "$REST_CONF/conf.d/10-lb.conf"
# --dry-run changes nothing: it says the undo would come first (exit 1:
# something would change) and leaves the journal and the drain as they are
A up --dry-run >"$REST_TMP/out" 2>"$REST_TMP/err" && fail "up --dry-run after the kill exited 0"
grep_q "^! undo the interrupted reconcile of pid [0-9]*," "$REST_TMP/out" ||
	fail "up --dry-run after the kill: $(cat "$REST_TMP/out" "$REST_TMP/err")"
grep_q "^ *server www2 [0-9.:]* check disabled\$" "$CFG" ||
	fail "up --dry-run undid the drain: $(grep www2 "$CFG")"
A up >"$REST_TMP/out" 2>"$REST_TMP/err" || fail "up after the kill: $(cat "$REST_TMP/err")"
grep_q "undid the interrupted reconcile" "$REST_TMP/err" || fail "up after the kill: $(cat "$REST_TMP/err")"
! grep "disabled" "$CFG" >&2 || fail "after the kill and an up with the files as they ran, lb still drains (above)"
cmp -s "$REST_TMP/cfg.old" "$CFG" || fail "after the kill and up, haproxy.cfg: $(diff "$REST_TMP/cfg.old" "$CFG")"
[ "$(pgrep -x haproxy -P "$init")" = "$master" ] || fail "after the kill and up: the haproxy master changed"
CA=$(A ca --path) || fail "apomon ca --path"
# (health checks every second, rise 1: bounded, a real request each time)
i=0
until curl -sS --max-time 5 -D - -o /dev/null --cacert "$CA" \
	--resolve lb.reloadseal.test:443:10.93.0.2 https://lb.reloadseal.test/hello/ 2>/dev/null |
	grep_q -i "^x-served-by: www2"; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "after the kill and up, no request through the balancer reached www2"
	sleep 0.1
done
echo "killed after the drain, files put back, up: www2 back in rotation"

before=$(haproxies) || fail "no haproxy under lb's init"
[ "$(echo "$before" | wc -w)" -ge 2 ] || fail "no haproxy worker: $before"
PEM=/proc/$init/root/etc/haproxy/certs/web.pem
cp "$PEM" "$REST_TMP/pem.old"
A seal lb --root "/proc/$init/root" >/dev/null 2>&1 || fail "seal lb"
M=${APOMON_LIB_DIR:-/var/lib/apomon}/$REST_ENV/manifests/lb.manifest
grep_q "  /etc/haproxy/haproxy.cfg\$" "$M" || fail "haproxy.cfg not sealed: $(cat "$M")"

# www2 moves: the balancer's config changes under its seal
sed -i 's/"10.93.0.12"/"10.93.0.13"/' "$REST_CONF/conf.d/10-lb.conf"
A diff >"$REST_TMP/diff" 2>&1
grep_q "lb" "$REST_TMP/diff" || fail "the change does not touch lb: $(cat "$REST_TMP/diff")"
if A up >"$REST_TMP/out" 2>"$REST_TMP/err"; then
	fail "up reloaded lb with a config its seal does not bless: $(cat "$REST_TMP/out")"
fi
grep "lb\.reloadseal\.test" "$REST_TMP/err" | grep_q "/etc/haproxy/haproxy.cfg" ||
	fail "up did not name lb and haproxy.cfg: $(cat "$REST_TMP/err")"
grep -v ": up to date (digest " "$REST_TMP/err" | sed "s/^/up refused as expected: /"

# haproxy was never signalled: the same master, the same workers
after=$(haproxies) || fail "no haproxy under lb's init after up"
[ "$after" = "$before" ] ||
	fail "haproxy was reloaded with the refused config: PIDs $before, now $after"
cmp -s "$REST_TMP/cfg.old" "$CFG" ||
	fail "haproxy.cfg changed: $(diff "$REST_TMP/cfg.old" "$CFG")"
cmp -s "$REST_TMP/pem.old" "$PEM" || fail "web.pem changed: the refused reload did not put the old certificate back"
[ ! -e "$CFG.new" ] && [ ! -e "$CFG.old" ] || fail "the reload left haproxy.cfg.new or .old behind"
[ ! -e "$PEM.new" ] && [ ! -e "$PEM.old" ] || fail "the reload left web.pem.new or .old behind"
# rolled back: www2 on its old address, the change still to do
ip -n www2.reloadseal.test -4 addr show | grep_q "inet 10.93.0.12/" || fail "www2 lost 10.93.0.12"
A verify lb >/dev/null 2>&1 || fail "lb's sealed files do not match after the rollback: $(A verify lb 2>&1)"
echo "haproxy PIDs unchanged ($after), haproxy.cfg as sealed, web.pem as it ran"
exit 0
