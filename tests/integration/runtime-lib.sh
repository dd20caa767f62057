# Sourced by the runtime's integration tests after lib.sh: a unique
# environment, a busybox root layer, and cleanup of what the test made.
APO_STATION="$APOMON_BUILDDIR/tests/runtime/apo-station"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
[ -x "$APO_STATION" ] || fail "build tests/runtime/apo-station first (make check builds it)"
command -v busybox >/dev/null || { echo "SKIP: needs busybox (Debian: busybox-static)" >&2; exit 77; }
case "$(file -L "$(command -v busybox)" 2>/dev/null)" in
*dynamically*) echo "SKIP: needs a static busybox (Debian: busybox-static)" >&2; exit 77 ;;
esac

RT_ENV="rt-$(basename "$0" .sh)-$$"
RT_TMP=$(mktemp -d /tmp/apomon-runtime.XXXXXX)
RT_STATIONS=""

# make_layer DIR STARTUP_SH_BODY: a real root: busybox and its applets
make_layer() {
	mkdir -p "$1/bin" "$1/etc" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/root"
	cp "$(command -v busybox)" "$1/bin/busybox"
	for a in $(busybox --list); do
		[ -e "$1/bin/$a" ] || ln -s busybox "$1/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$1/etc/passwd"
	mkdir -p "$1/apomon"
	printf '#!/bin/sh\n%s\n' "$2" >"$1/apomon/startup.sh"
	chmod 755 "$1/apomon/startup.sh"
}

rt_cleanup() {
	for s in $RT_STATIONS; do
		"$APO_STATION" cleanup "$RT_ENV" "$s" --purge || echo "cleanup of $s failed" >&2
	done
	for d in /run/apomon/"$RT_ENV" /var/lib/apomon/"$RT_ENV" /var/log/apomon/"$RT_ENV"; do
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$RT_TMP"
}
trap rt_cleanup EXIT

# poll CMD...: retry a real check for up to 10 s
poll() {
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ $i -gt 500 ] && return 1
		sleep 0.02
	done
}

# alive PID: running, not a zombie waiting for the host's init to reap it
alive() {
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}
