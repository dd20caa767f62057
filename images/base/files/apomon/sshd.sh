# Sourced by startup.sh (and by child images' startup.sh: `. /apomon/sshd.sh`).
# No sshd starts here: apomon-init listens on port 22 and runs `sshd -i`
# for each connection (/apomon/inetd.conf), with the host key apomon
# wrote into /etc/ssh at this start.  sshd needs its privilege separation
# directory, made once in the station's writable layer (the image build
# has a tmpfs on /run, so the image cannot carry it).
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd
