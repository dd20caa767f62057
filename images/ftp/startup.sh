#!/bin/sh
# An FTP station: sshd, 3pg's password (the hash the ftp type rendered),
# then vsftpd in the foreground.
set -eu
. /apomon/sshd.sh
chpasswd -e </etc/apomon/ftp-users
mkdir -p -m 0755 /run/vsftpd/empty
exec vsftpd /etc/vsftpd.conf
