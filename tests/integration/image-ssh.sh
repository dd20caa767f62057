#!/bin/sh
# The base image's SSH server lets 3pg in with a key, and nobody else or
# otherwise.  The root is the base layer under a scratch overlay, in private
# mount, network and PID namespaces (what a station does, without the
# runtime): everything vanishes with the namespaces.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/image-lib.sh"
set -u

"$APOMON" image build base >/dev/null || fail "image build base"
lower="$(layer_of base)/root"
tmp=$(mktemp -d /tmp/apomon-images-ssh.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ssh-keygen -q -t ed25519 -N '' -C images-test -f "$tmp/key" || fail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C images-test -f "$tmp/other" || fail "ssh-keygen"
mkdir "$tmp/upper" "$tmp/work" "$tmp/merged"

export lower tmp
unshare --mount --net --pid --fork --kill-child sh -eu -c '
	mount --make-rprivate /
	ip link set lo up
	m=$tmp/merged
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$tmp/upper,workdir=$tmp/work" "$m"
	mount -t proc proc "$m/proc"
	mount --rbind /dev "$m/dev"
	mount -t tmpfs tmpfs "$m/run"
	# what the runtime does at station start (docs/images.md)
	install -m 0600 -o 1000 -g 1000 "$tmp/key.pub" "$m/home/3pg/.ssh/authorized_keys"
	chroot "$m" /apomon/startup.sh >"$tmp/startup.log" 2>&1 &
	# readiness: sshd writes its pid file once its sockets are bound
	i=0
	while [ ! -s "$m/run/sshd.pid" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then cat "$tmp/startup.log" >&2; echo "sshd did not start" >&2; exit 3; fi
		sleep 0.05
	done
	o="-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5"
	who=$(ssh $o -i "$tmp/key" 3pg@127.0.0.1 id -un)
	[ "$who" = 3pg ] || { echo "ssh as 3pg with the key gave: $who" >&2; exit 4; }
	if ssh $o -i "$tmp/key" root@127.0.0.1 true 2>/dev/null; then echo "root got in" >&2; exit 5; fi
	if ssh $o -i "$tmp/other" 3pg@127.0.0.1 true 2>/dev/null; then echo "another key got in" >&2; exit 6; fi
	msg=$(ssh $o -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive 3pg@127.0.0.1 true 2>&1) &&
		{ echo "got in without a key" >&2; exit 7; }
	case $msg in *"Permission denied (publickey)"*) ;; *) echo "unexpected: $msg" >&2; exit 8 ;; esac
	# its host keys were made at start, in the writable layer
	[ -s "$tmp/upper/etc/ssh/ssh_host_ed25519_key" ] || { echo "no per-station host key" >&2; exit 9; }
' || fail "ssh into base (exit $?)"
assert_no_store_mounts
echo "PASS"
