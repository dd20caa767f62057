#!/bin/sh
# Every command answers -h and --help with its usage and exit 0 (before
# touching the config or the kernel); `apomon ca > ca.pem` is the
# certificate itself, its hints go to stderr.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

tmp=$(mktemp -d /tmp/apomon-cli-help.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

# the commands, from the top-level usage
"$APOMON" --help >"$tmp/usage" || fail "apomon --help exited $?"
# (a command's line starts with two spaces; a summary moved under a long
# synopsis starts with more)
cmds=$(sed -n '/^Commands:/,/^$/p' "$tmp/usage" | awk '/^  [^ ]/ {print $1}')
[ "$(echo "$cmds" | wc -l)" -ge 20 ] || fail "few commands in the usage: $cmds"
for c in $cmds; do
	for h in -h --help; do
		rc=0
		# a config directory that does not exist: help must not read it
		"$APOMON" -c "$tmp/none" "$c" $h >"$tmp/out" 2>"$tmp/err" || rc=$?
		[ "$rc" = 0 ] || fail "apomon $c $h exited $rc: $(cat "$tmp/err")"
		grep -qi "usage: apomon $c" "$tmp/out" || [ "$c" = help ] ||
			fail "apomon $c $h printed: $(cat "$tmp/out")"
	done
	# the synopsis --help gives is the command's own, whole (a fixed-width
	# buffer once cut up's after '--images DI')
	[ "$c" = help ] || [ "$c" = image ] && continue
	own=$(sed -n '1{s/^Usage: apomon //;s/  .*//;p}' "$tmp/out")
	grep -qxF "  $own" "$tmp/usage" || grep -qF "  $own " "$tmp/usage" ||
		fail "apomon --help's synopsis of $c is not its own: '$own' against '$(grep "^  $c " "$tmp/usage")'"
done
# `apomon help COMMAND` is `apomon COMMAND --help`; an unknown one is a
# usage error
for c in up image logs; do
	"$APOMON" help "$c" >"$tmp/a" 2>&1 || fail "apomon help $c exited $?"
	"$APOMON" "$c" --help >"$tmp/b" 2>&1
	cmp -s "$tmp/a" "$tmp/b" || fail "apomon help $c is not apomon $c --help: $(cat "$tmp/a")"
done
rc=0
"$APOMON" help nosuch >"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc = 2 ] && grep -q "unknown command 'nosuch'" "$tmp/err" || fail "apomon help nosuch: $rc $(cat "$tmp/err")"
# and image's subcommands, from its usage (a new one without -h fails here)
subs=$("$APOMON" image --help | awk '/apomon image / {for (i = 1; i < NF; i++) if ($i == "image") print $(i + 1)}')
[ "$(echo "$subs" | wc -l)" -ge 6 ] || fail "few image subcommands in its usage: $subs"
for c in $subs; do
	for h in -h --help; do
		rc=0
		"$APOMON" -c "$tmp/none" image "$c" $h >"$tmp/out" 2>"$tmp/err" || rc=$?
		[ "$rc" = 0 ] || fail "apomon image $c $h exited $rc: $(cat "$tmp/err")"
		grep_q -i "usage: apomon image" "$tmp/out" || fail "apomon image $c $h printed: $(cat "$tmp/out")"
	done
done
# after an operand -h is the operand's: exec passes it to the command
rc=0
"$APOMON" -c "$APOMON_SRCDIR" -e clihelp exec nosuch -- ls -h >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" != 0 ] && ! grep -qi usage "$tmp/out" || fail "exec ... -- ls -h answered with usage"

# apomon ca > ca.pem: a PEM certificate, nothing else on stdout
export APOMON_LIB_DIR="$tmp/lib"
"$APOMON" -c "$APOMON_SRCDIR" -e clihelp ca >"$tmp/ca.pem" 2>"$tmp/err" || fail "ca exited $?"
openssl x509 -noout -subject -in "$tmp/ca.pem" >"$tmp/subject" ||
	fail "apomon ca > ca.pem is not a certificate: $(head -3 "$tmp/ca.pem")"
[ "$(head -1 "$tmp/ca.pem")" = "-----BEGIN CERTIFICATE-----" ] || fail "stdout starts: $(head -1 "$tmp/ca.pem")"
[ "$(tail -1 "$tmp/ca.pem")" = "-----END CERTIFICATE-----" ] || fail "stdout ends: $(tail -1 "$tmp/ca.pem")"
grep -q "curl --cacert" "$tmp/err" || fail "no hints on stderr: $(cat "$tmp/err")"
path=$("$APOMON" -c "$APOMON_SRCDIR" -e clihelp ca --path) || fail "ca --path exited $?"
cmp -s "$path" "$tmp/ca.pem" || fail "ca printed another certificate than $path"
# --path needs the environment's name only: a config whose stations do
# not validate (a type that is not there) still gives it
mkdir "$tmp/badconf" && cp -r "$APOMON_SRCDIR/apomon.conf" "$APOMON_SRCDIR/conf.d" "$tmp/badconf/" &&
	sed -i 's/type = "tomcat"/type = "no-such-type"/' "$tmp/badconf/conf.d/10-example.conf" || fail "badconf"
"$APOMON" -c "$tmp/badconf" validate >/dev/null 2>&1 && fail "the broken config validates"
p2=$("$APOMON" -c "$tmp/badconf" -e clihelp ca --path 2>"$tmp/err") || fail "ca --path on a broken config: $(cat "$tmp/err")"
[ "$p2" = "$path" ] || fail "ca --path on a broken config: $p2, expected $path"
echo "PASS: -h/--help on $(echo "$cmds" | wc -l) commands; apomon ca > ca.pem is a certificate"
