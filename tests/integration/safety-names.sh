#!/bin/sh
# Names are checked where they enter: an environment (-e, the config's
# `environment`) or a station on the command line that is not a name
# exits 2 with one line, in every command that takes one, and nothing
# outside the environment changes.  And `down --purge` removes only
# what lies inside /var/lib/apomon/ENV and /var/log/apomon/ENV, never
# following a link out.
#
# Runs in a private mount namespace over tmpfs copies of the state
# directories: /var/lib, /var/log and /run are tmpfs there, filled with
# canaries (another environment's data and CA key, the image store, a
# stand-in for /var/lib/dpkg), so that a defence that is gone destroys
# only the copies -- and the listing before/after shows it.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/bench/net-gen.sh"

if [ -z "${APOMON_SAFETY_INSIDE:-}" ]; then
	APOMON_SAFETY_INSIDE=1 exec unshare -m --propagation private "$SHELL" "$0" "$@"
fi
# inside the private mount namespace from here on
for d in /var/lib /var/log /run; do
	mount -t tmpfs -o mode=0755 safety-names "$d" || fail "tmpfs over $d"
done
tmp=$(mktemp -d /tmp/apomon-safety-names.XXXXXX) || fail mktemp
trap 'rm -rf "$tmp"' EXIT
conf=$tmp/conf
net_gen "$conf" sn-env 2 1 236
# what a machine has: the image store, another environment, dpkg
mkdir -p /var/lib/apomon/images/base/0123/root/usr/bin /var/lib/apomon/other/s0/upper \
	/var/lib/apomon/other/ca /var/lib/dpkg /var/log/apomon/other /var/log/apomon/images \
	/run/apomon/other
echo x >/var/lib/apomon/images/base/0123/root/usr/bin/su
echo key >/var/lib/apomon/other/ca/ca.key
echo data >/var/lib/apomon/other/s0/upper/file
echo status >/var/lib/dpkg/status
echo log >/var/log/apomon/other/s0.log
echo log >/var/log/apomon/images/base.log
: >/run/apomon/other/lock
echo artifact >"$tmp/app.war"

snapshot() {
	find /var/lib /var/log /run -printf '%p %y %s %m %l\n' | sort
}
snapshot >"$tmp/before"

# check EXPECTED-PATTERN CMD...: exit 2, exactly one line, naming the problem
n=0
check() {
	_pat=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	_rc=$?
	n=$((n + 1))
	[ "$_rc" -eq 2 ] || fail "$* exited $_rc, expected 2: $(cat "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$*: expected one line, got: $(cat "$tmp/err")"
	grep -q "$_pat" "$tmp/err" || fail "$*: said: $(cat "$tmp/err")"
}

long=$(printf 'a%.0s' $(seq 300))
nl='a
b'
A="$APOMON -c $conf"
for bad in . '' .. ../x a/b "$long" "$nl" ../dpkg images; do
	# -e, before any command
	for cmd in "validate" "plan" "up --network-only" "down" "down --purge" "status" \
		"graph" "exec s0 -- true" "logs s0" "ssh s0" "stop s0" "start s0" \
		"restart s0" "commit s0 img" "deploy s0 $tmp/app.war" "hosts" "hosts --apply" \
		"ca" "seal" "verify"; do
		# shellcheck disable=SC2086 # cmd is words
		check "invalid environment name" $A -e "$bad" $cmd
	done
	# the config's `environment`
	mkdir -p "$tmp/c2/conf.d"
	cp "$conf"/conf.d/* "$tmp/c2/conf.d/"
	esc=$(printf '%s' "$bad" | sed ':a;N;$!ba;s/\n/\\n/g')
	sed "s|^environment = .*|environment = \"$esc\";|" "$conf/apomon.conf" >"$tmp/c2/apomon.conf"
	for cmd in "down" "down --purge" "exec s0 -- true" "logs s0"; do
		# shellcheck disable=SC2086
		check "invalid environment name" $APOMON -c "$tmp/c2" $cmd
	done
	# station names (images is a fine station name)
	[ "$bad" = images ] && continue
	for cmd in "exec BAD -- true" "logs BAD" "ssh BAD" "stop BAD" "start BAD" \
		"restart BAD" "stop s0 BAD" "commit BAD img" "deploy BAD $tmp/app.war"; do
		set --
		for w in $cmd; do
			[ "$w" = BAD ] && w=$bad
			set -- "$@" "$w"
		done
		check "invalid station name" $A "$@"
	done
done
# numbers are numbers
for t in abc 1e3 -1 ' 1' 1.x 99999 ''; do
	check "expected a number of seconds" $A stop -t "$t" s0
done
check "expected a whole number" $A verify -j x
snapshot >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff" || fail "something changed: $(cat "$tmp/diff")"
echo "$n refusals, nothing changed"

# a valid environment's purge: its own data only, never through a link
# planted inside it (a station's writable layer is the station's)
mkdir -p /var/lib/apomon/vic/s0/upper/etc /var/log/apomon/vic
ln -s /var/lib/dpkg /var/lib/apomon/vic/s0/upper/etc/dpkg
ln -s /var/lib/apomon/other /var/lib/apomon/vic/s0/upper/other
ln -s /var/lib/apomon/images /var/log/apomon/vic/s0.log
echo x >/var/log/apomon/vic/s1.log
$A -e vic down --purge >"$tmp/out" 2>"$tmp/err" || fail "down --purge of vic: $(cat "$tmp/err")"
[ ! -e /var/lib/apomon/vic ] && [ ! -e /var/log/apomon/vic ] || fail "vic was not purged"
snapshot >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff" || fail "the purge of vic changed: $(cat "$tmp/diff")"

# the environment's directory itself a link out: the link goes, not its target
ln -s /var/lib/dpkg /var/lib/apomon/sym
$A -e sym down --purge >"$tmp/out" 2>"$tmp/err" || fail "down --purge of sym: $(cat "$tmp/err")"
[ -f /var/lib/dpkg/status ] || fail "the purge followed /var/lib/apomon/sym out"
snapshot >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff" || fail "the purge of sym changed: $(cat "$tmp/diff")"

# an environment nobody knows: nothing at all
$A -e dpkg down --purge >"$tmp/out" 2>"$tmp/err" || fail "down --purge of dpkg: $(cat "$tmp/err")"
snapshot >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff" || fail "the purge of dpkg changed: $(cat "$tmp/diff")"
echo "purges stayed inside their environment"
