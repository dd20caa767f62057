#!/bin/sh
# The CLI's exit codes (0 ok, 1 runtime failure, 2 usage or config error)
# and its one line on stderr, for no command, an unknown command, a bad
# global option and the usage errors of every command; a usage error
# touches nothing (no state directory, no log directory of the env).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="cli-exit-$$"
CONF=$(mktemp -d /tmp/apomon-cli-exit.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
trap 'rm -rf "$CONF"' EXIT
n=0
# t CODE STDERR-PART ARGS...: apomon -c CONF -e ENV ARGS exits CODE and
# says STDERR-PART
t() {
	_code=$1 _say=$2
	shift 2
	_err=$("$APOMON" -c "$CONF" -e "$ENV" "$@" </dev/null 2>&1 >/dev/null)
	_rc=$?
	[ "$_rc" = "$_code" ] || fail "apomon $*: exit $_rc, expected $_code ($_err)"
	case $_err in *"$_say"*) ;; *) fail "apomon $*: stderr '$_err', expected '$_say'" ;; esac
	n=$((n + 1))
}

# the program itself
t 2 "Usage: apomon" # no command
t 2 "unknown command 'nosuch'; try 'apomon help'" nosuch
t 2 "unrecognized option '--bogus'" --bogus plan
t 2 "option requires an argument -- 'c'" -c
t 2 "invalid environment name '../x'" -e ../x plan
out=$("$APOMON" -c "$CONF" -e ../x plan 2>&1)
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "more than one line for a bad -e: $out"
t 0 "" help
t 0 "" --version
# a config that does not exist: a config error
rc=0
"$APOMON" -c "$CONF/nonexistent" -e "$ENV" plan 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "plan with a missing config: exit $rc, expected 2"

# every command: an unknown option, a stray argument, a missing one
for c in plugins validate plan up down status graph seal verify keygen ca hosts; do
	t 2 "unrecognized option '--bogus'" $c --bogus
done
for c in plan status graph hosts; do
	t 2 "unexpected argument 'extra'" $c extra
done
# up and down take station names: an unknown one is a usage error
for c in up down; do
	t 2 "$c: extra: no such station in environment '$ENV'" $c extra
done
t 2 "requires an argument" graph --svg
t 2 "unknown subcommand 'bogus'" image bogus
t 2 "Usage: apomon image" image
t 2 "image rm [--force] NAME" image rm
t 2 "unrecognized option '--bogus'" image list --bogus
t 2 "usage: apomon exec [-T] STATION -- COMMAND" exec
t 2 "usage: apomon exec [-T] STATION -- COMMAND" exec s1
t 2 "usage: apomon exec [-T] STATION -- COMMAND" exec -T
t 2 "usage: apomon logs [-f] STATION" logs
t 2 "usage: apomon logs [-f] STATION" logs s1 s2
t 2 "unrecognized option '--bogus'" logs --bogus s1
t 2 "usage: apomon stop [-t SECONDS] STATION" stop
t 2 "-t 'x': expected a number of seconds from 0 to 3600" stop -t x s1
t 2 "-t '-1': expected a number of seconds from 0 to 3600" stop -t -1 s1
t 2 "-t '3601': expected a number of seconds from 0 to 3600" restart -t 3601 s1
t 2 "usage: apomon start" start
t 2 "usage: apomon restart" restart
t 2 "usage: apomon commit STATION IMAGE" commit
t 2 "usage: apomon commit STATION IMAGE" commit s1
t 2 "usage: apomon ssh STATION" ssh
t 2 "usage: apomon deploy STATION FILE" deploy
t 2 "usage: apomon deploy STATION FILE" deploy s1
t 2 "--apply and --remove exclude each other" hosts --apply --remove

# runtime failures of an environment that is not up: 1, one line
t 1 "s1: exec: not running in environment '$ENV'" exec s1 -- true
t 1 "nosuch: logs: not running in environment '$ENV'" logs nosuch
t 1 "environment '$ENV' is not up" hosts --apply
for c in start stop restart; do
	t 1 "$c: environment '$ENV' is not up" $c s1
done
t 2 "station type 'base' has no deploy hook" deploy s1 "$CONF/apomon.conf"
# an unknown station is a usage error, named
t 2 "nosuch" stop nosuch

# nothing of the environment was made by any of these
[ ! -e "/run/apomon/$ENV" ] || fail "state /run/apomon/$ENV was made"
[ ! -e "/var/log/apomon/$ENV" ] || fail "/var/log/apomon/$ENV was made"
[ ! -e "/var/lib/apomon/$ENV" ] || fail "/var/lib/apomon/$ENV was made"
assert_env_gone "$ENV"
echo "cli-exit: $n exit codes as documented"
