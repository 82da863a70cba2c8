#!/usr/bin/env bash
# The SSH host-key trust prompt end to end, driven through the window's
# accessibility tree (drive-ssh.py) under Xvfb, against a real tuskd, the
# run's PostgreSQL and a real sshd on loopback (tests/harness/sshd.sh): a
# connection with an SSH tunnel saved through the dialog's SSH page; opening
# it asks about the unknown host key and shows sshd's fingerprint (as
# ssh-keygen -lf prints it); Cancel leaves it closed with an error and
# known_hosts empty; opening again asks again (the same prompt, reused),
# Trust records the key, the connection opens and a query runs through
# the tunnel; then, known_hosts emptied, the dialog's Test of the saved
# connection asks too (Cancel: not tested; Trust and Test: connected).
# An unsaved connection's Test asks too, and its answer acts only for the
# Test that asked (ssh.trust_host_key by SSH host and port); a typed SSH
# password and a typed key passphrase test an unsaved connection and are
# kept nowhere.
# Needs root (sshd). Screenshots go to
# $TUSK_BUILD_DIR/gtk-shots/ssh.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
keyring_reexec "$@"
tusk_test_init
# shellcheck source=tests/harness/sshd.sh
. "$TUSK_HARNESS_DIR/sshd.sh"

# shellcheck source=tests/gtk/gtk-lib.sh
. "$TUSK_HARNESS_DIR/../gtk/gtk-lib.sh"
gtk_suite_begin ssh drive-ssh.py

[[ $(id -u) == 0 ]] || fail "needs root (sshd)"
pg_use_shared

ssh_port=$(free_port)
# sshd, the daemon's home (its known_hosts) and its agent, which holds the
# key sshd lets root in with (the dialog's default authentication: agent).
sshd_for_tunnels "$ssh_port"
known=$HOME/.ssh/known_hosts

fp=$(ssh-keygen -l -E sha256 -f "$T/sshd/hostkey.pub" | cut -d' ' -f2)
export TUSK_SSH_PORT=$ssh_port TUSK_SSH_FP=$fp TUSK_SSH_PGPORT=$PG_PORT

gtk_display_start

tuskd_start
window_start

drive cancel
assert_eq "$(wc -c <"$known")" 0 "Cancel appended nothing to known_hosts"
tunnel=$(tctl --json conn list | "$PY" -c 'import json,sys; t=json.load(sys.stdin)["connections"][0]["ssh_tunnel"]; print(t["enabled"], t["host"], t["port"], t["username"], t["auth"])')
assert_eq "$tunnel" "True 127.0.0.1 $ssh_port root agent" "the SSH page saved the tunnel (enabled, host, port, user, agent)"

drive trust
assert_rc 0 "Trust recorded sshd's host key in known_hosts" \
	ssh-keygen -F "[127.0.0.1]:$ssh_port" -f "$known"
assert_eq "$(ssh-keygen -l -E sha256 -f "$known" | cut -d' ' -f2)" "$fp" \
	"the recorded key is sshd's (same fingerprint)"

# sshd goes away under the open tunnel and comes back: the next query
# rebuilds the tunnel and the window says so
sshd_stop "$T/sshd"
tunnel_down() { [[ $(tctl --json conn status | jq -r '.connections[0].tunnel.state') == down ]]; }
wait_until 20 tunnel_down || fail "the tunnel was not seen down"
sshd_start "$T/sshd" || fail "sshd did not start again"
drive rebuilt

# the connection dialog's Test asks about an unknown key too (for a saved
# connection: ssh.trust_host_key takes its id)
: >"$known"
drive test
assert_eq "$(ssh-keygen -l -E sha256 -f "$known" | cut -d' ' -f2)" "$fp" \
	"Trust and Test recorded sshd's host key"

# Test with a typed SSH password (a user of its own for password auth)
pw_user=tuskgtk$$
pw_pass="ssh-typed-$RANDOM-$RANDOM"
sshd_add_user "$pw_user" "$pw_pass"
at_exit "sshd_del_user $pw_user"
export TUSK_SSH_PWUSER=$pw_user TUSK_SSH_PWPASS=$pw_pass
drive typed
assert_eq "$(tctl --json conn list | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["connections"]))')" 1 \
	"Test with a typed SSH password saved nothing"
where=$(cat "$TUSKD_DATA"/* "$TUSKD_STDERR" "$T/tusk.log" 2>/dev/null | tr -d '\0')
assert_not_contains "$where" "$pw_pass" "the typed SSH password is not in tusk.db or any log"
assert_not_contains "$(ps -eo args)" "$pw_pass" "nor in any process's argv"

# an unsaved connection's Test trusts the key by the SSH server's host and
# port; an answer to an earlier Test's question does nothing
: >"$known"
TUSK_SSH_CLOSED_PORT=$(free_port)
export TUSK_SSH_KNOWN=$known TUSK_SSH_CLOSED_PORT
drive unsaved
assert_eq "$(ssh-keygen -l -E sha256 -f "$known" 2>/dev/null | cut -d' ' -f2)" "" \
	"the question left open when the dialog was reopened trusted nothing"
assert_eq "$(tctl --json conn list | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["connections"]))')" 1 \
	"Test of an unsaved connection saved nothing"

# an encrypted private key, its passphrase typed in the dialog
key_pass="key-pass-$RANDOM-$RANDOM"
ssh-keygen -q -t ed25519 -N "$key_pass" -f "$T/enckey" </dev/null >/dev/null
cat "$T/enckey.pub" >>"$T/sshd/authorized_keys"
printf '[127.0.0.1]:%s ' "$ssh_port" >"$known" && cut -d' ' -f1,2 "$T/sshd/hostkey.pub" >>"$known"
export TUSK_SSH_ENCKEY=$T/enckey TUSK_SSH_KEYPASS=$key_pass
drive passphrase
assert_eq "$(tctl --json conn list | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["connections"]))')" 1 \
	"Test with a typed key passphrase saved nothing"
where=$(cat "$TUSKD_DATA"/* "$TUSKD_STDERR" "$T/tusk.log" 2>/dev/null | tr -d '\0')
assert_not_contains "$where" "$key_pass" "the typed key passphrase is not in tusk.db or any log"
assert_not_contains "$(ps -eo args)" "$key_pass" "nor in any process's argv"
kill -0 "$WINDOW_PID" || fail "the window died"
