#!/usr/bin/env bash
# tuskctl and SSH tunnels end to end: conn add --ssh with a key, the agent
# and a password from stdin; the unknown host key refused, shown, trusted
# with tuskctl ssh trust (by NAME, and by --host/--port); queries through
# the tunnel; the tunnel in conn status. Real sshd on loopback (tests/harness/sshd.sh), the run's
# shared PostgreSQL. Needs root (sshd, useradd).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
# shellcheck source=tests/harness/tuskd.sh
. "$TUSK_HARNESS_DIR/tuskd.sh"
# shellcheck source=tests/harness/pg.sh
. "$TUSK_HARNESS_DIR/pg.sh"
# shellcheck source=tests/harness/sshd.sh
. "$TUSK_HARNESS_DIR/sshd.sh"
tusk_test_init

[[ $(id -u) == 0 ]] || fail "needs root (sshd, useradd)"
pg_use_shared
uri="postgresql://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"

port=$(free_port)
# sshd, the daemon's home (its own known_hosts) and its agent.
sshd_for_tunnels "$port"
user=tusktunnelcli
sshd_del_user "$user"
pw="cli-pass-$RANDOM"
sshd_add_user "$user" "$pw"
at_exit "sshd_del_user $user"
export DBUS_SESSION_BUS_ADDRESS= # secrets in the daemon's memory
tuskd_start

fp=$(ssh-keygen -l -E sha256 -f "$T/sshd/hostkey.pub" | cut -d' ' -f2)

run tctl conn add viakey "$uri" --ssh "root@127.0.0.1:$port" --ssh-key "$T/sshd/userkey"
assert_eq "$RC" 0 "conn add --ssh --ssh-key"
run tctl --json conn show viakey
assert_contains "$OUT" '"auth": "key"' "the tunnel is saved with key auth"
assert_contains "$OUT" "\"key_path\": \"$T/sshd/userkey\"" "with the key's path"

run tctl query -d viakey -c "SELECT 40 + 2 AS answer"
assert_eq "$RC" 1 "an unknown host key stops the query"
assert_contains "$ERR" "is not known" "the error says the key is unknown"
assert_contains "$ERR" "$fp" "the error shows the fingerprint"

run tctl ssh trust viakey --fingerprint SHA256:notthisone
assert_eq "$RC" 1 "ssh trust refuses another fingerprint"
run tctl ssh trust viakey </dev/null
assert_eq "$RC" 1 "ssh trust without a terminal or --yes does nothing"
assert_contains "$ERR" "not trusted" "and says so"
assert_eq "$(wc -c <"$HOME/.ssh/known_hosts")" 0 "known_hosts is still empty"

run tctl ssh trust viakey --yes
assert_eq "$RC" 0 "ssh trust --yes"
assert_contains "$OUT" "recorded $fp" "ssh trust says what it recorded"
assert_rc 0 "ssh-keygen finds the recorded key" ssh-keygen -F "[127.0.0.1]:$port" -f "$HOME/.ssh/known_hosts"
run tctl ssh trust viakey --yes
assert_contains "$OUT" "already trusted" "a second trust has nothing to do"

run tctl query -d viakey -c "SELECT 40 + 2 AS answer"
assert_eq "$RC" 0 "a query through the tunnel"
assert_contains "$OUT" "42" "returns the server's answer"
run tctl conn status viakey
assert_contains "$OUT" "tunnel" "conn status shows the tunnel"
assert_contains "$OUT" "local_port" "with its local port"
assert_contains "$OUT" '"state":"up"' "and up"

run tctl conn add viaagent "$uri" --ssh "root@127.0.0.1:$port" --ssh-agent
assert_eq "$RC" 0 "conn add --ssh-agent"
run tctl query -d viaagent -c "SELECT 'agent' || 'ok'"
assert_contains "$OUT" "agentok" "a query through an agent-authenticated tunnel"

run tctl conn add viapw "$uri" --ssh "$user@127.0.0.1:$port" --ssh-password-stdin <<<"$pw"
assert_eq "$RC" 0 "conn add --ssh-password-stdin"
assert_not_contains "$OUT$ERR" "$pw" "the password is not printed"
run tctl query -d viapw -c "SELECT 'pw' || 'ok'"
assert_contains "$OUT" "pwok" "a query through a password-authenticated tunnel"

run tctl conn add bad "$uri" --ssh-agent
assert_eq "$RC" 2 "--ssh-agent without --ssh is a usage error"
run tctl conn add bad "$uri" --ssh "root@127.0.0.1:$port" --ssh-agent --ssh-key /x
assert_eq "$RC" 2 "two SSH auth options are a usage error"

# ssh trust --host: the key the daemon last refused at that SSH server, by
# the fingerprint given (nothing opened), as for a connection not saved yet
: >"$HOME/.ssh/known_hosts"
run tctl conn add viahost "$uri" --ssh "root@127.0.0.1:$port" --ssh-agent
run tctl query -d viahost -c "SELECT 1"
assert_contains "$ERR" "is not known" "known_hosts emptied: a new tunnel finds the key unknown"
run tctl ssh trust --host 127.0.0.1 --port "$port"
assert_eq "$RC" 2 "ssh trust --host without --fingerprint is a usage error"
run tctl ssh trust viahost --host 127.0.0.1 --fingerprint "$fp"
assert_eq "$RC" 2 "NAME and --host together are a usage error"
run tctl ssh trust --host 127.0.0.1 --port 0 --fingerprint "$fp"
assert_eq "$RC" 2 "--port 0 is a usage error"
run tctl ssh trust --host 127.0.0.1 --port "$port" --fingerprint SHA256:notthisone
assert_eq "$RC" 1 "ssh trust --host refuses another fingerprint"
assert_contains "$ERR" "does not match" "and says so"
run tctl ssh trust --host 127.0.0.2 --port "$port" --fingerprint "$fp"
assert_eq "$RC" 1 "ssh trust --host at a server where no key was refused"
assert_contains "$ERR" "no unknown host key was seen at 127.0.0.2:$port" "says none was seen there"
assert_eq "$(wc -c <"$HOME/.ssh/known_hosts")" 0 "known_hosts is still empty"
run tctl ssh trust --host 127.0.0.1 --port "$port" --fingerprint "$fp"
assert_eq "$RC" 0 "ssh trust --host --port --fingerprint"
assert_contains "$OUT" "recorded $fp for [127.0.0.1]:$port" "says what it recorded, and where"
assert_rc 0 "ssh-keygen finds the key recorded by host and port" \
	ssh-keygen -F "[127.0.0.1]:$port" -f "$HOME/.ssh/known_hosts"
run tctl query -d viahost -c "SELECT 'host' || 'ok'"
assert_contains "$OUT" "hostok" "the connection opens once its key is trusted"

tuskd_stop
