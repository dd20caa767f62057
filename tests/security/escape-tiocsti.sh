#!/bin/sh
# TIOCSTI into the caller's terminal: `apomon exec` runs under a real
# pseudo-terminal made by this test (its controlling terminal), once with
# -T (the command's stdio must be pipes) and once interactive (the
# command's terminal is a pty of the station's own devpts); a probe in the
# station pushes "echo apomon-tiocsti-escape" with TIOCSTI into every
# descriptor it holds and /dev/tty.  Nothing may reach the test's
# terminal input.  Then exec weakened to hand over the caller's own
# descriptors (no new session, no filter): the check sees the keystrokes.
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99
command -v python3 >/dev/null || { echo "SKIP: needs python3" >&2; exit 77; }

# typed FLAGS...: 0 when the marker reached the input of our terminal
typed() {
	python3 - "$APOMON" -c "$CONF" -e "$ENV" exec "$@" s1 -- escape-probe tiocsti <<'PY'
import fcntl, os, pty, select, subprocess, sys, termios, tty
master, slave = pty.openpty()
tty.setraw(slave)
def ctty():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave,
                     preexec_fn=ctty, close_fds=True)
out = b""
while p.poll() is None or select.select([master], [], [], 0)[0]:
    if select.select([master], [], [], 0.2)[0]:
        try:
            out += os.read(master, 65536)
        except OSError:
            break
p.wait()
sys.stderr.write(out.decode(errors="replace"))
# what was pushed into the terminal's input queue, readable on the slave
os.set_blocking(slave, False)
try:
    typed = os.read(slave, 65536)
except BlockingIOError:
    typed = b""
sys.stderr.write("input of the caller's terminal: %r\n" % typed)
sys.exit(0 if b"apomon-tiocsti-escape" in typed else 1)
PY
}

esc_up
typed -T && fail "exec -T: a station typed into the caller's terminal"
typed && fail "exec with a pty: a station typed into the caller's terminal"

# each check can fail: the caller's descriptors handed over, no filter
esc_up seccomp,caps,userns
APOMON_TEST_WEAKEN=stdio typed -T || fail "the check missed TIOCSTI with the caller's own terminal"
echo "escape-tiocsti: ok"
