#!/bin/bash
# make check-mutants: each tests/mutants/*.mut is one small deliberate
# defect (one exact line of one file replaced) and the tests that must
# catch it.  A copy of the source tree is built once; for each mutant the
# line is replaced, the tree rebuilt (incrementally), the mapped tests
# run, and the line put back.  A mutant is killed when its tests fail; a
# survivor, or a mutant whose line is no longer in the file, fails the run.
# Needs root (the mapped tests are integration tests).
# Usage: run.sh [--prepare] SRCDIR BUILDDIR [MUTANT...]
# --prepare only builds the copy (no root needed, no kernel objects), so
# that CI can build it while the test suite runs.
set -u
prepare=
[ "${1:-}" = --prepare ] && { prepare=1; shift; }
src=$(cd "${1:?SRCDIR}" && pwd)
build=$(cd "${2:?BUILDDIR}" && pwd)
shift 2
[ -n "$prepare" ] || [ "$(id -u)" = 0 ] || { echo "check-mutants: needs root (the mapped tests are integration tests)" >&2; exit 77; }
work="$build/mutants-tree"

# the tree as it is in the working copy (tracked files), built once
if [ ! -x "$work/apomon" ]; then
	rm -rf "$work"
	mkdir -p "$work"
	(cd "$src" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$work" ||
		{ echo "check-mutants: cannot copy the tree" >&2; exit 1; }
	(cd "$work" && ./autogen.sh >/dev/null 2>&1 && ./configure --quiet >/dev/null &&
		make -j2 >/dev/null && make -j2 check TESTS= >/dev/null) ||
		{ echo "check-mutants: the copy does not build" >&2; exit 1; }
fi
[ -z "$prepare" ] || exit 0

# field NAME FILE: the value of "NAME: value" in a mutant file
field() { sed -n "s/^$1: //p" "$2" | head -n 1; }

# replace FILE FROM TO: FROM must be one whole line, exactly once
replace() {
	awk -v from="$2" -v to="$3" '
		{ line = $0; sub(/^[ \t]+/, "", line) }
		line == from { n++; sub(/[^ \t].*$/, ""); print $0 to; next }
		{ print }
		END { exit n == 1 ? 0 : 3 }' "$1" >"$1.mutant" || return 1
	mv "$1.mutant" "$1"
}

# What a killed mutant's tests leave behind is the mutant's doing (that is
# often how it is caught: a table or a namespace that down should have
# removed): after each mutant, with the tree put back, whatever of
# apomon's appeared during it is removed.
snapshot() {
	{
		ls /run/apomon 2>/dev/null | sed 's/^/env /'
		nft list tables 2>/dev/null | awk '$3 ~ /^apomon-/ {print "nft " $2 ":" $3}'
		ls /run/netns 2>/dev/null | sed 's/^/netns /'
		ip -o link show 2>/dev/null | awk -F': ' '{print "link " $2}' | cut -d@ -f1
	} | sort
}
clean_after() {
	comm -13 "$1" <(snapshot) | while read -r kind name; do
		case $kind in
		env) "$work/apomon" -e "$name" down --purge -q >/dev/null 2>&1 ;;
		nft) nft delete table "${name%%:*}" "${name#*:}" 2>/dev/null ;; # FAMILY:NAME
		netns) ip netns delete "$name" 2>/dev/null ;;
		link) ip link delete "$name" 2>/dev/null ;;
		esac
	done
}

check_programs=$(cd "$work" && make -s mutants-check-programs | tail -n 1) ||
	{ echo "check-mutants: cannot list the check programs" >&2; exit 1; }
mutants=("$@")
[ ${#mutants[@]} -gt 0 ] || mutants=("$src"/tests/mutants/*.mut)
killed=0 survived=0 broken=0
for m in "${mutants[@]}"; do
	name=$(basename "$m" .mut)
	file=$(field file "$m")
	from=$(field from "$m")
	to=$(field to "$m")
	tests=$(field tests "$m")
	snapshot >"$build/mutants-before"
	cp "$work/$file" "$work/$file.orig"
	if ! replace "$work/$file" "$from" "$to"; then
		echo "BROKEN:   $name: '$from' is not one whole line of $file (update the mutant)"
		broken=$((broken + 1))
		mv "$work/$file.orig" "$work/$file"
		continue
	fi
	# the check programs the tests need: the unit tests among them and
	# every helper program (not the other unit tests: relinking all of
	# them against the mutated core would be most of a mutant's time)
	progs=
	for p in $check_programs; do
		case " $tests " in
		*" $p "*) progs="$progs $p" ;;
		*) case $p in tests/unit/test-*) ;; *) progs="$progs $p" ;; esac ;;
		esac
	done
	if ! (cd "$work" && make -j2 >/dev/null 2>&1 && make -j2 $progs >/dev/null 2>&1); then
		echo "BROKEN:   $name: the mutant does not build"
		broken=$((broken + 1))
	elif (cd "$work" && make check TESTS="$tests" check_PROGRAMS="$progs" >"$build/mutants-$name.log" 2>&1); then
		echo "SURVIVED: $name: $tests passed with $(field what "$m")"
		survived=$((survived + 1))
	else
		echo "KILLED:   $name ($(cd "$work" && grep -l '^FAIL' $(for t in $tests; do echo "${t%.sh}.log"; done) 2>/dev/null | tr '\n' ' '))"
		killed=$((killed + 1))
	fi
	# put the line back; the next mutant's build (or the next run's)
	# recompiles it, so no rebuild here
	mv "$work/$file.orig" "$work/$file"
	touch "$work/$file"
	clean_after "$build/mutants-before"
done
rm -f "$build/mutants-before"
total=$((killed + survived + broken))
echo "mutants: $killed of $total killed ($survived survived, $broken broken)"
[ "$survived" = 0 ] && [ "$broken" = 0 ]
