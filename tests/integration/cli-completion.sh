#!/bin/sh
# bash completion (core/cli/bash-completion/apomon): commands, options,
# image subcommands and station names, as bash asks for them (COMP_WORDS
# and COMP_CWORD set, the function called, COMPREPLY read), against this
# tree's apomon and the default environment's config.  Needs no kernel
# object; lib.sh for the tree's plugin and image paths.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v bash >/dev/null || { echo "SKIP: needs bash" >&2; exit 77; }

tmp=$(mktemp -d /tmp/apomon-cli-completion.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/app.war"

# complete LINE...: the words bash would offer for the last word of LINE
# (the first word is this tree's apomon), one a line, sorted
complete_words() {
	bash -c '
		. "$1" || exit 99
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_apomon
		printf "%s\n" "${COMPREPLY[@]}" | sed "/^$/d" | sort' \
		sh "$APOMON_SRCDIR/core/cli/bash-completion/apomon" "$APOMON" "$@"
}
# expect WANT LINE...: the words offered are exactly WANT (space-separated)
expect() {
	want=$1
	shift
	got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || fail "apomon $*: offered '$got', expected '$want'"
}

C="-c $APOMON_SRCDIR"
# every command of --help, and only those
cmds=$("$APOMON" --help | awk '/^Commands:/ {c = 1; next} c && /^$/ {exit} c && /^  [^ ]/ {print $1}' | sort | tr '\n' ' ' | sed 's/ $//')
[ "$(echo "$cmds" | wc -w)" -ge 20 ] || fail "few commands in --help: $cmds"
expect "$cmds" ""
expect "logs" lo
expect "restart" help rest
expect "restart" rest
# global options, and a command's own (read from its usage)
expect "--config --env --help --plugin-path --verbose --version" --
expect "--dry-run" up --dr
expect "--purge" down --pu
expect "-T" exec -T
# station names of the plan of the config on the line (-c), short names
expect "www1 www2" $C logs w
expect "backbone" $C -e example restart ba
expect "service_endpoint" $C exec serv
# exec: only the first operand is a station; after -- nothing of ours
expect "" $C exec www1 w
expect "" $C exec www1 -- w
# deploy: a station, then a file
expect "$tmp/app.war" $C deploy www1 "$tmp/app"
# image's subcommands and each one's options
expect "build" image bu
expect "export" image exp
expect "--uncompressed" image export --unc
expect "--force" image rm --f
# an option's argument: a directory for -c
mkdir "$tmp/confdir"
expect "$tmp/confdir" -c "$tmp/conf"
# -c ~/DIR as typed (bash has not expanded the ~ in COMP_WORDS)
mkdir "$tmp/home" && ln -s "$APOMON_SRCDIR" "$tmp/home/conf"
got=$(HOME="$tmp/home" complete_words -c "~/conf" logs w | tr '\n' ' ')
[ "$got" = "www1 www2 " ] || fail "apomon -c ~/conf logs w: offered '$got'"
# a config that does not load: no station offered, no error shown
expect "" -c "$tmp/none" logs w
echo "PASS: commands, options, image subcommands and station names complete"
