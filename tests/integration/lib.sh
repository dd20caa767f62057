# Sourced by integration tests.  Exits 77 (skip) unless root and enabled.
# A pipe's status is that of its last failing command (pipefail): no test
# loses apomon's exit status in `apomon ... | grep`.  make check runs the
# tests with bash; a shell without pipefail (dash) runs the test again
# with bash.
if ! (set -o pipefail) 2>/dev/null; then
	exec bash "$0" "$@"
fi
set -o pipefail
. "${top_builddir:?}/tests/integration/env.sh" || exit 99
if [ "$APOMON_INTEGRATION" != yes ]; then
	echo "SKIP: integration tests disabled at configure time" >&2
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root" >&2
	exit 77
fi
# station types built in this tree
APOMON_PLUGIN_PATH=$(printf '%s:' "$APOMON_BUILDDIR"/plugins/*/.libs)
export APOMON_PLUGIN_PATH
# image definitions of this tree, never an installed apomon's; a test
# may put its own fixtures' in front
APOMON_IMAGES_PATH="$APOMON_SRCDIR/images"
export APOMON_IMAGES_PATH
# this tree's init (a station's PID 1), never an installed one
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
# grep_q ARGS...: `grep -q` that reads all of its input.  With pipefail,
# `producer | grep -q` fails when grep exits at the first match while the
# producer still writes (its SIGPIPE becomes the pipeline's status).
grep_q() {
	grep -c "$@" >/dev/null
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# assert_env_gone ENV [NAMESFILE]: nothing of environment ENV is left on
# the machine: its state directory, mounts, nft table, cgroups (v1 and v2
# paths), processes running in its stations' roots, and, given NAMESFILE
# (one kernel object name a line: namespaces, bridges, host-side links, as
# net_names writes it), its namespaces and links.  The one oracle after
# every down and every refused or rolled-back up.
assert_env_gone() {
	_env=$1
	[ ! -e "/run/apomon/$_env" ] || fail "$_env: state /run/apomon/$_env is left"
	if grep -E "/run/apomon/$_env/|/var/lib/apomon/$_env/" /proc/self/mounts >&2; then
		fail "$_env: a mount is left (above)"
	fi
	command -v nft >/dev/null || fail "nft is not installed (tools/install-deps installs nftables)"
	# published ports (ip) and the host guard (inet)
	for _fam in ip inet; do
		if _out=$(nft list table "$_fam" "apomon-$_env" 2>&1); then
			fail "$_env: nft table $_fam apomon-$_env is left"
		fi
		case $_out in
		*"No such file"*) ;;
		*) fail "$_env: nft list table $_fam apomon-$_env: $_out" ;;
		esac
	done
	for _cg in /sys/fs/cgroup/*/apomon/"$_env" /sys/fs/cgroup/apomon/"$_env"; do
		[ ! -e "$_cg" ] || fail "$_env: cgroup $_cg is left"
	done
	# a station's processes see its overlay, whose layers are under
	# /var/lib/apomon/ENV/ (the host's mount table no longer shows it)
	# (one grep over every process: a loop of greps costs seconds on a
	# busy machine, and some tests call this after every run)
	_mi=$(grep -ls -F "/var/lib/apomon/$_env/" /proc/[0-9]*/mountinfo | head -n 1) || true
	if [ -n "$_mi" ]; then
		_pid=${_mi#/proc/}
		_pid=${_pid%/mountinfo}
		fail "$_env: process $_pid ($(tr '\0' ' ' <"/proc/$_pid/cmdline" 2>/dev/null)) is left"
	fi
	[ -z "${2:-}" ] && return 0
	# the host's links, listed once; a name matches a whole link name
	_links=$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }') ||
		fail "ip link show failed"
	while read -r _name; do
		[ ! -e "/run/netns/$_name" ] || fail "$_env: namespace $_name is left"
	done <"$2"
	_name=$(printf '%s\n' "$_links" | grep -xF -f "$2" | head -n 1) || true
	[ -z "$_name" ] || fail "$_env: link $_name is left"
	return 0
}

# ours_only: leftovers' lines less the processes that cannot be an
# environment's: a process left by apomon runs in a station (a pid
# namespace of its own) or is apomon itself (its logger); a compiler on
# the host whose arguments name a path with "apomon" in it (CI's
# background builds: javac .../org/apomon/...) is neither.
ours_only() {
	_hostns=$(readlink /proc/self/ns/pid)
	while IFS= read -r _l; do
		case $_l in
		"process "*)
			_p=${_l#process }
			_p=${_p%%:*}
			_exe=$(readlink "/proc/$_p/exe" 2>/dev/null) || continue
			case ${_exe##*/} in
			apomon* | lt-apomon*) ;;
			*) [ "$(readlink "/proc/$_p/ns/pid" 2>/dev/null)" != "$_hostns" ] || continue ;;
			esac
			;;
		esac
		printf '%s\n' "$_l"
	done
}

# assert_no_leftovers WORD...: the machine's leftovers tool (the shared
# one beside this tree, or APOMON_LEFTOVERS) reports nothing naming any
# WORD.  It exits 1 when it found something anywhere: its output, not its
# status, is the verdict for this test (another test's leftovers are not
# this one's), and so it is never piped straight into grep.
assert_no_leftovers() {
	_left=${APOMON_LEFTOVERS:-$APOMON_SRCDIR/../shared/tools/leftovers}
	[ -x "$_left" ] || _left=/work/shared/tools/leftovers
	[ -x "$_left" ] || return 0
	_lout=$("$_left" 2>&1) || [ $? = 1 ] || fail "$_left failed: $_lout"
	_lout=$(printf '%s\n' "$_lout" | ours_only)
	for _w; do
		if printf '%s\n' "$_lout" | grep -F -e "$_w" >&2; then
			fail "leftovers naming $_w (above)"
		fi
	done
	return 0
}

# fixture_env WORD: an environment of the test's own, ENV=WORD-PID, from
# the runtime fixture (tests/fixtures/runtime) copied into a temp dir,
# CONF; `A ARGS...` runs apomon on it; LIB and LOG are apomon's lib and
# log dirs.  On exit it is taken down and purged, and CONF removed.
fixture_env() {
	ENV="$1-$$"
	CONF=$(mktemp -d "/tmp/apomon-$1.XXXXXX") || fail "mktemp"
	cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF" || fail "copy the fixture"
	LIB=${APOMON_LIB_DIR:-/var/lib/apomon}
	LOG=${APOMON_LOG_DIR:-/var/log/apomon}
	A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
	trap fixture_env_cleanup EXIT
}

fixture_env_cleanup() {
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF" "${LIB:?}/$ENV" "${LOG:?}/$ENV"
}

# own_net_number LO COUNT: sets N to a number in [LO, LO+COUNT) that no
# other test running at the same time holds (make check -j2 runs two at
# once; N picked from $$ alone let two tests pick the same host-link
# address).  The claim is a lock on fd 8, held until this test and what
# it started exit; the lock files stay, empty, in /tmp/apomon-test-nets.
own_net_number() {
	mkdir -p /tmp/apomon-test-nets || fail "own_net_number: mkdir"
	_i=0
	while [ "$_i" -lt "$2" ]; do
		N=$(($1 + ($$ + _i) % $2))
		exec 8>"/tmp/apomon-test-nets/$N.lock" || fail "own_net_number: open"
		if flock -n 8; then
			return 0
		fi
		exec 8>&-
		_i=$((_i + 1))
	done
	fail "own_net_number: all of $1..$(($1 + $2 - 1)) are held by other tests"
}

# fixture_own_net N DOMAIN: the runtime fixture copied into $CONF made
# the test's own, so that another tree can run the same fixture at once
# (netns names are FQDNs, host routes are per network): rt.test becomes
# DOMAIN, 10.77.* 10.N.*, the backbone's 10.253.77.* 10.253.N.*.
fixture_own_net() {
	sed -i "s/rt\.test/$2/; s/10\.77\./10.$1./g; s/10\.253\.77\./10.253.$1./" \
		"$CONF/apomon.conf" "$CONF/conf.d/10-lan.conf" || fail "fixture_own_net"
}

# nginx_conf DIR HTTP: DIR/nginx.conf for a test's own nginx (Debian's):
# in the foreground, as root, every file it writes below DIR/nginx, and
# HTTP (servers, logs) inside its http {}.  Run it as
#   nginx -c DIR/nginx.conf -e DIR/nginx/error.log
nginx_conf() {
	for _d in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$1/nginx/$_d"; done
	cat >"$1/nginx.conf" <<EOC
daemon off;
user root;
worker_processes 1;
pid $1/nginx/nginx.pid;
error_log $1/nginx/error.log;
events { worker_connections 64; }
http {
	client_body_temp_path $1/nginx/client_body;
	proxy_temp_path $1/nginx/proxy;
	fastcgi_temp_path $1/nginx/fastcgi;
	uwsgi_temp_path $1/nginx/uwsgi;
	scgi_temp_path $1/nginx/scgi;
$2
}
EOC
}
