#!/bin/sh
# A manifest (and its signature) from a real FTP server (vsftpd from
# Debian) with a login, in a test namespace.  The login exists only in the
# server's private mount namespace: passwd/shadow copies are bound over
# /etc there, the host's files are never touched.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "${top_srcdir:?}/tests/integration/integrity-lib.sh"
command -v vsftpd >/dev/null || { echo "SKIP: vsftpd not installed" >&2; exit 77; }
set -u

int_setup ftp 10.177.6

FTPUSER=apomonftp
FTPPASS=s3cret-$$
FTPHOME=$T/www
mkdir -p "$T/empty" "$T/etc"
cp /etc/passwd "$T/etc/passwd"
cp /etc/shadow "$T/etc/shadow"
echo "$FTPUSER:x:64123:64123:apomon test:$FTPHOME:/bin/sh" >>"$T/etc/passwd"
echo "$FTPUSER:$(openssl passwd -6 "$FTPPASS"):20000:0:99999:7:::" >>"$T/etc/shadow"
chmod 640 "$T/etc/shadow"
cat >"$T/vsftpd.conf" <<EOC
listen=YES
listen_ipv6=NO
listen_address=$SRV
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
pam_service_name=vsftpd
secure_chroot_dir=$T/empty
xferlog_enable=NO
vsftpd_log_file=$T/vsftpd.log
seccomp_sandbox=NO
pasv_enable=YES
pasv_address=$SRV
EOC
# shellcheck disable=SC2016
int_bg ip netns exec "$NS" unshare --mount --propagation private sh -c '
	mount --bind "$1/etc/passwd" /etc/passwd &&
	mount --bind "$1/etc/shadow" /etc/shadow &&
	exec vsftpd "$1/vsftpd.conf"' vsftpd "$T"
int_wait curl -sf -o /dev/null --user "$FTPUSER:$FTPPASS" "ftp://$SRV/m/www1.manifest"

# the login in the URL; the password never shows in messages
int_passes int_verify -m "ftp://$FTPUSER:$FTPPASS@$SRV/m/www1.manifest" --public-key "$PUB"
int_refuses "ftp://$FTPUSER:***@$SRV/m/www1.manifest: Access denied: 530" \
	int_verify -m "ftp://$FTPUSER:wrong@$SRV/m/www1.manifest"
! grep -q wrong "$T/err" || fail "the password leaked into the message"
int_refuses "ftp://$FTPUSER:***@$SRV/m/nope.manifest: " \
	int_verify -m "ftp://$FTPUSER:$FTPPASS@$SRV/m/nope.manifest"
# a missing signature on the server refuses
mv "$M.sig" "$T/sig.saved"
int_refuses "signature required" \
	int_verify -m "ftp://$FTPUSER:$FTPPASS@$SRV/m/www1.manifest" --public-key "$PUB"
mv "$T/sig.saved" "$M.sig"

# tampering is caught with the manifest from FTP too
echo "workers 64" >"$ROOT/etc/app/conf.d/w.conf"
int_refuses "/etc/app/conf.d/w.conf: digest mismatch" \
	int_verify -m "ftp://$FTPUSER:$FTPPASS@$SRV/m/www1.manifest" --public-key "$PUB"
exit 0
