#!/usr/bin/env bash
# systemd socket activation without systemd: systemd-socket-activate binds
# the socket and execs tuskd with LISTEN_FDS on the first connection.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is not installed (scripts/deps install test)"
tuskd_paths
tuskd_env
mkdir -p "$(dirname "$TUSKD_SOCKET")"
chmod 700 "$(dirname "$TUSKD_SOCKET")"
systemd-socket-activate -l "$TUSKD_SOCKET" "$TUSKD" --data-dir "$TUSKD_DATA" \
	</dev/null >>"$TUSKD_STDERR" 2>&1 &
TUSKD_PID=$!
_tuskd_running+=("$TUSKD_PID:$TUSKD_STDERR")
at_exit tuskd_teardown
wait_until 10 test -S "$TUSKD_SOCKET" || fail "systemd-socket-activate did not bind $TUSKD_SOCKET"

run tctl ping
assert_eq "$RC" 0 "ping through the passed socket (first connection starts tuskd)"
assert_contains "$OUT" "pong from tuskd" "pong"
if tr '\0' '\n' <"/proc/$TUSKD_PID/environ" | grep -qx 'LISTEN_FDS=1'; then
	pass "tuskd runs with LISTEN_FDS=1"
else
	flunk "tuskd runs with LISTEN_FDS=1"
fi
assert_contains "$(readlink "/proc/$TUSKD_PID/exe")" tuskd "the activated process is tuskd"
assert_rc 0 "a second client is served too" tctl status
tuskd_stop

# Readiness: tuskd tells $NOTIFY_SOCKET (a path, and an abstract '@' name)
# READY=1 once it listens and STOPPING=1 on SIGTERM, as sd_notify(3) says.
for kind in path abstract; do
	notes=$(/usr/bin/python3 - "$TUSKD" "$TUSKD_HOME/notify-$kind" "$kind" "$TUSKD_DATA" \
		2>>"$TUSKD_STDERR" <<'EOPY'
import os, socket, subprocess, sys
tuskd, base, kind, data = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
addr = base + ".sock" if kind == "path" else "\0tusk-notify-%d" % os.getpid()
s.bind(addr)
s.settimeout(20)
env = dict(os.environ, NOTIFY_SOCKET=addr if kind == "path" else "@" + addr[1:])
p = subprocess.Popen([tuskd, "--socket", base + ".tuskd", "--data-dir", data],
                     env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
try:
    first = s.recv(4096).decode()
    ok = os.path.exists(base + ".tuskd")
    p.terminate()
    second = s.recv(4096).decode()
finally:
    p.terminate()
    p.wait()
print(first.split("\n")[0], "listening" if ok else "not-listening", second)
EOPY
	)
	assert_eq "$notes" "READY=1 listening STOPPING=1" "NOTIFY_SOCKET ($kind): READY=1 once listening, STOPPING=1 on SIGTERM"
done
