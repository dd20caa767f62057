#!/bin/sh
# SSH on demand with pinned host keys, through the real runtime and the
# real base image: no sshd runs in a station before a login; `apomon ssh`
# checks the station's host key strictly against the environment's
# known_hosts (names and addresses of every station) and refuses a
# changed one; ssh by name and between stations works with the same
# files; the host key is apomon's, kept across a restart.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="ssh-od-$$"
CONF=$(mktemp -d /tmp/apomon-ssh-od.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
# names and networks of its own (another tree may run at the same time)
own_net_number 180 30
D="so$$.test"
fixture_own_net "$N" "$D"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
LIB=${APOMON_LIB_DIR:-/var/lib/apomon}
KH="$LIB/$ENV/ssh/known_hosts"
KEY="$LIB/$ENV/ssh/id_ed25519"
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	_rc=$?
	A down --purge -q >/dev/null 2>&1 || { echo "FAIL: down" >&2; _rc=1; }
	rm -rf "$CONF"
	(assert_env_gone "$ENV") || _rc=1
	exit "$_rc"
}
trap cleanup EXIT
O="-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$KH -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o ConnectTimeout=5 -o LogLevel=ERROR"

A up -q || fail "up"

# nobody logged in: init is the station's only process (base has no
# entrypoint), no sshd anywhere in the station
pid=$(cut -d' ' -f1 "${APOMON_RUN_DIR:-/run/apomon}/$ENV/stations/s1/init") || fail "s1's init"
kids=$(cat "/proc/$pid/task/$pid/children") || fail "s1's init is gone"
[ -z "$kids" ] || fail "s1's init has children before any login: $kids"
A exec s1 -- pgrep -x sshd >/dev/null && fail "an sshd runs in s1 before any login"
[ "$(A exec s1 -- cat /apomon/inetd.conf | grep -v '^#')" = "22 /usr/sbin/sshd -i" ] ||
	fail "inetd.conf"

# known_hosts pins every station's key, under its names and addresses
for s in s1 s2 bb; do
	line=$(grep "^$s,$s.$D," "$KH") || fail "known_hosts has no line for $s: $(cat "$KH")"
	key=$(A exec "$s" -- cut -d' ' -f1-2 /etc/ssh/ssh_host_ed25519_key.pub) || fail "$s: no host key"
	[ "${line#* }" = "$key" ] || fail "$s: known_hosts key is not the station's: $line / $key"
done
grep -q "^s1,s1.$D,10.$N.0.11 " "$KH" || fail "s1's address in known_hosts: $(cat "$KH")"

# apomon ssh: strict, no prompt
[ "$(timeout 30 "$APOMON" -c "$CONF" -e "$ENV" ssh s1 hostname </dev/null)" = "s1.$D" ] ||
	fail "apomon ssh s1"
# by name, from the host, with the environment's key and known_hosts
# (the name is checked against known_hosts; the address is s1's)
[ "$(timeout 30 ssh $O -i "$KEY" -o HostKeyAlias="s1.$D" "3pg@10.$N.0.11" hostname </dev/null)" = "s1.$D" ] ||
	fail "ssh 3pg@s1.$D"
# between stations: s1 to s2 with the same key and known_hosts
A exec s1 -- sh -c "cat > /home/3pg/.ssh/id_ed25519 && chmod 600 /home/3pg/.ssh/id_ed25519 && chown 3pg /home/3pg/.ssh/id_ed25519" <"$KEY" ||
	fail "copy key into s1"
A exec s1 -- sh -c "cat > /home/3pg/.ssh/known_hosts" <"$KH" || fail "copy known_hosts into s1"
# (no DNS in this fixture: s2 by its address, which known_hosts lists too)
[ "$(timeout 30 "$APOMON" -c "$CONF" -e "$ENV" ssh s1 ssh -o BatchMode=yes -o StrictHostKeyChecking=yes 3pg@10.$N.0.12 hostname </dev/null)" = "s2.$D" ] ||
	fail "ssh from s1 to s2"

# a host key changed inside the station is refused
A exec s1 -- sh -c 'ssh-keygen -q -t ed25519 -N "" -f /tmp/rogue && cp /tmp/rogue /etc/ssh/ssh_host_ed25519_key' ||
	fail "plant a rogue host key"
out=$(timeout 30 "$APOMON" -c "$CONF" -e "$ENV" ssh s1 hostname </dev/null 2>&1) &&
	fail "apomon ssh accepted a changed host key: $out"
case $out in *"HOST IDENTIFICATION HAS CHANGED"* | *"verification failed"*) ;;
*) fail "changed host key: $out" ;; esac

# a restart puts apomon's key back: ssh works again
A restart s1 >/dev/null || fail "restart s1"
[ "$(timeout 30 "$APOMON" -c "$CONF" -e "$ENV" ssh s1 hostname </dev/null)" = "s1.$D" ] ||
	fail "apomon ssh after restart"
exit 0
