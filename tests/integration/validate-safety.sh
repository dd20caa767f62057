#!/bin/sh
# apomon validate with the real types, on what used to crash or hang it:
# a haproxy station next to a station without a string type (SIGSEGV in
# haproxy's validate hook, exit 139), a FIFO as apomon.conf, as an
# @include target or in conf.d (read forever, or silently skipped), a
# device as an @include target, and numbers on the command line that
# were read as 0 ("stop -t abc").  Each must end within a bounded time,
# exit 2 and say one line naming the file.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

tmp=$(mktemp -d /tmp/apomon-validate-safety.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

# run NAME ARGS...: apomon with a 10 s bound; $rc, $tmp/err
run() {
	rc=0
	timeout 10 "$APOMON" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" != 124 ] || fail "apomon $* did not end within 10 s"
}
# expect RC LINE: the exit status and one line of stderr
expect() {
	[ "$rc" = "$1" ] || fail "exited $rc, expected $1: $(cat "$tmp/err")"
	grep -qxF -- "$2" "$tmp/err" || fail "no line '$2' in: $(cat "$tmp/err")"
}

c=$tmp/c
mkdir -p "$c/conf.d"
cat >"$c/apomon.conf" <<'CONF'
environment = "vsafety";
backbone = { name = "backbone"; domain = "example.com"; type = "dns"; };
CONF
cat >"$c/conf.d/10-a.conf" <<'CONF'
cluster = {
  name = "example"; domain = "example.com"; network = "10.1.0.0/24"; gateway = "lb";
  stations = (
    { name = "lb"; type = "haproxy"; addresses = ["10.1.0.2"]; },
    { name = "www1"; type = 5; addresses = ["10.1.0.11"]; },
    { name = "db"; type = "postgres"; addresses = ["10.1.0.20"]; }
  );
};
CONF
run -c "$c" validate
expect 2 "$c/conf.d/10-a.conf:5: clusters.example.stations.www1.type: is an integer, expected a string"
# only that line: the haproxy hook did not run on a model the core refused
[ "$(wc -l <"$tmp/err")" -le 2 ] || fail "more than the type's line: $(cat "$tmp/err")"
# the same cluster typed: the hook runs and passes it (www1 is no tomcat)
sed -i 's/type = 5;/type = "tomcat";/' "$c/conf.d/10-a.conf"
run -c "$c" validate
[ "$rc" = 0 ] || fail "the typed cluster exited $rc: $(cat "$tmp/err")"
# the haproxy hook did run: with no tomcat it says so
sed -i 's/type = "tomcat";/type = "base";/' "$c/conf.d/10-a.conf"
run -c "$c" validate
expect 2 "$c/conf.d/10-a.conf:4: clusters.example.stations.lb.settings.backend_type: no 'tomcat' station in cluster 'example', expected at least one to balance over"

# a FIFO in conf.d: refused, not skipped and not waited on
mkfifo "$c/conf.d/20-fifo.conf"
run -c "$c" validate
expect 2 "$c/conf.d/20-fifo.conf: is a FIFO, expected a regular file"
rm "$c/conf.d/20-fifo.conf"

# an @include of a FIFO, then of a device that never ends
sed -i 's/type = "base";/type = "tomcat";/' "$c/conf.d/10-a.conf"
printf '@include "inc.conf"\n' >>"$c/apomon.conf"
mkfifo "$c/inc.conf"
run -c "$c" validate
expect 2 "$c/apomon.conf:3: @include $c/inc.conf: is a FIFO, expected a regular file"
rm "$c/inc.conf"
ln -s /dev/zero "$c/inc.conf"
run -c "$c" validate
expect 2 "$c/apomon.conf:3: @include $c/inc.conf: is a character device, expected a regular file"
rm "$c/inc.conf"
printf '# nothing\n' >"$c/inc.conf"
run -c "$c" validate
[ "$rc" = 0 ] || fail "a regular include exited $rc: $(cat "$tmp/err")"

# a FIFO as apomon.conf
f=$tmp/f
mkdir "$f"
mkfifo "$f/apomon.conf"
run -c "$f" validate
expect 2 "$f/apomon.conf: is a FIFO, expected a regular file"

# numbers on the command line, strictly
run -c "$c" stop -t abc lb
expect 2 "apomon: stop: -t 'abc': expected a number of seconds from 0 to 3600 (e.g. 10 or 0.5)"
run -c "$c" stop -t 1e9 lb
expect 2 "apomon: stop: -t '1e9': expected a number of seconds from 0 to 3600 (e.g. 10 or 0.5)"
run -c "$c" verify -j x
expect 2 "apomon: verify: -j 'x': expected a whole number from 0 to 256"
run -c "$c" seal -j -1
expect 2 "apomon: seal: -j '-1': expected a whole number from 0 to 256"
echo "PASS: validate-safety"
