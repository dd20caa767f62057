# Starts the SSH server; sourced by startup.sh (and by child images'
# startup.sh: `. /apomon/sshd.sh`).  Returns only when sshd listens, and
# fails the startup when it cannot.
mkdir -p -m 0755 /run/sshd
# per-station host keys, kept in the station's writable layer
ssh-keygen -A >/dev/null
/usr/sbin/sshd -t
# without -D sshd forks and exits 0 only once its sockets are bound
/usr/sbin/sshd -E /var/log/sshd.log
