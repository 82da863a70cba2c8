# shellcheck shell=bash
# Raw JSON-RPC through the daemon's socket, for tests that need what
# tuskctl does not print (an error's kind, exact bytes).
#
#   rpc_exchange METHOD PARAMS_JSON
#                                 one request on a fresh connection to
#                                 $TUSKD_SOCKET; prints a line per message
#                                 received: a notification's method, and
#                                 last "reply " and the reply line as the
#                                 daemon sent it
#   rpc_call METHOD PARAMS_JSON   the same, printing only the reply line
#   rpc_field JSONPATH            read the reply on stdin, print a member
#                                 (e.g. error.data.kind), empty if absent
#   rpc_raw JSON_LINE [SECONDS]   send the line as it is on a fresh
#                                 connection (kept open until the answer);
#                                 print the first line back (empty when none
#                                 came within SECONDS, default 10)

rpc_exchange() {
	/usr/bin/python3 - "$TUSKD_SOCKET" "$1" "$2" <<'PY'
import json, socket, sys
path, method, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(60)
s.connect(path)
s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode() + b"\n")
buf = b""
while True:
    while b"\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("the daemon closed the connection")
        buf += chunk
    line, buf = buf.split(b"\n", 1)
    msg = json.loads(line)
    if "id" in msg:
        sys.stdout.write("reply " + line.decode() + "\n")
        break
    print(msg["method"], flush=True)
PY
}

rpc_call() {
	local out
	out=$(rpc_exchange "$1" "$2") || return
	sed -n 's/^reply //p' <<<"$out"
}

rpc_field() {
	/usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v if isinstance(v, str) else json.dumps(v))
' "$1"
}

rpc_raw() {
	local line=
	coproc RAW { exec socat - "UNIX-CONNECT:$TUSKD_SOCKET"; }
	printf '%s\n' "$1" >&"${RAW[1]}"
	read -r -t "${2:-10}" line <&"${RAW[0]}" || true
	kill "$RAW_PID" 2>/dev/null || true
	wait "$RAW_PID" 2>/dev/null || true
	printf '%s\n' "$line"
}
