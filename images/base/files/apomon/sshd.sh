# Sourced by the startup.sh of images built on base (`. /apomon/sshd.sh`).
# No sshd starts here: apomon-init listens on port 22 and runs `sshd -i`
# for each connection (/apomon/inetd.conf), with the host key apomon
# wrote into /etc/ssh at this start.  Its privilege separation directory,
# /run/sshd, apomon makes with the host key; this only covers a root
# prepared by an older apomon (a test, no process).
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd
