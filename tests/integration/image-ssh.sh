#!/bin/sh
# The base image's SSH lets 3pg in with a key, and nobody else or
# otherwise, on demand: apomon-init listens on port 22 (/apomon/inetd.conf)
# and no sshd runs until a client connects.  The root is the base layer
# under a scratch overlay, in private mount, network and PID namespaces
# (what a station does, without the runtime): everything vanishes with the
# namespaces.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/image-lib.sh"
set -u

"$APOMON" image build base >/dev/null || fail "image build base"
lower="$(layer_of base)/root"
init="$APOMON_BUILDDIR/core/runtime/apomon-init"
tmp=$(mktemp -d /tmp/apomon-images-ssh.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ssh-keygen -q -t ed25519 -N '' -C images-test -f "$tmp/key" || fail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C images-test -f "$tmp/other" || fail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C host -f "$tmp/hostkey" || fail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C rogue -f "$tmp/rogue" || fail "ssh-keygen"
echo "127.0.0.1 $(cut -d' ' -f1-2 "$tmp/hostkey.pub")" >"$tmp/known_hosts"
mkdir "$tmp/upper" "$tmp/work" "$tmp/merged"

export lower tmp init
unshare --mount --net --pid --fork --kill-child sh -eu -c '
	mount --make-rprivate /
	ip link set lo up
	m=$tmp/merged
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$tmp/upper,workdir=$tmp/work" "$m"
	mount -t proc proc "$m/proc"
	mount --rbind /dev "$m/dev"
	# what the runtime does at station start (docs/images.md)
	install -m 0600 -o 1000 -g 1000 "$tmp/key.pub" "$m/home/3pg/.ssh/authorized_keys"
	install -m 0600 "$tmp/hostkey" "$m/etc/ssh/ssh_host_ed25519_key"
	install -d -m 0755 "$m/run/sshd"
	install -m 0755 "$init" "$m/apomon-init"
	# base has no entrypoint: init is the station'"'"'s only process
	chroot "$m" /apomon-init /apomon/startup.sh >"$tmp/startup.log" 2>&1 &
	# readiness: port 22 listens (bounded; no connection made yet)
	i=0
	until ss -Hltn "sport = :22" | grep -q .; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then cat "$tmp/startup.log" >&2; echo "nothing listens on 22" >&2; exit 3; fi
		sleep 0.05
	done
	# init alone: no shell, no sleep, nothing runs for an idle station
	kids=$(cat "$m/proc/$!/task/$!/children")
	[ -z "$kids" ] || { echo "init has children before any login: $kids" >&2; exit 13; }
	# on demand: no sshd runs before a login
	if pgrep -x sshd >/dev/null; then echo "an sshd runs before any connection" >&2; exit 10; fi
	o="-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$tmp/known_hosts -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5"
	who=$(ssh $o -i "$tmp/key" 3pg@127.0.0.1 id -un)
	[ "$who" = 3pg ] || { echo "ssh as 3pg with the key gave: $who" >&2; exit 4; }
	if ssh $o -i "$tmp/key" root@127.0.0.1 true 2>/dev/null; then echo "root got in" >&2; exit 5; fi
	if ssh $o -i "$tmp/other" 3pg@127.0.0.1 true 2>/dev/null; then echo "another key got in" >&2; exit 6; fi
	msg=$(ssh $o -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive 3pg@127.0.0.1 true 2>&1) &&
		{ echo "got in without a key" >&2; exit 7; }
	case $msg in *"Permission denied (publickey)"*) ;; *) echo "unexpected: $msg" >&2; exit 8 ;; esac
	# the host key served is the one installed: another one is refused
	install -m 0600 "$tmp/rogue" "$m/etc/ssh/ssh_host_ed25519_key"
	msg=$(ssh $o -i "$tmp/key" 3pg@127.0.0.1 true 2>&1) && { echo "a changed host key was accepted" >&2; exit 9; }
	case $msg in *"REMOTE HOST IDENTIFICATION HAS CHANGED"* | *"Host key verification failed"*) ;;
	*) echo "changed host key: unexpected: $msg" >&2; exit 11 ;; esac
	# each connection had its own sshd, gone with it (reaped by init)
	i=0
	while pgrep -x sshd >/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then echo "an sshd stays after the logins" >&2; exit 12; fi
		sleep 0.02
	done
' || fail "ssh into base (exit $?)"
assert_no_store_mounts
echo "PASS"
