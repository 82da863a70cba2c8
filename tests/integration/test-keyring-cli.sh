#!/usr/bin/env bash
# tuskctl secret set|has|rm end to end against the real gnome-keyring:
# --password-stdin, the no-echo prompt on a real pty (script(1)), every
# kind, refusals (empty secret, a secret on the command line, no terminal),
# and the memory fallback reported when tuskd has no session bus.
# Runs inside test-keyring-session.sh (ctest does that).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

if [[ -z ${DBUS_SESSION_BUS_ADDRESS:-} ]]; then
	fail "DBUS_SESSION_BUS_ADDRESS is not set: run me through tests/integration/test-keyring-session.sh"
fi

keyring_state() {
	tctl --json status | sed -n 's/.*"keyring": "\([a-z]*\)".*/\1/p'
}
# keyring_is STATE: re-reads the state on every call, so wait_until polls it.
keyring_is() { [[ $(keyring_state) == "$1" ]]; }

tuskd_start
wait_until 10 keyring_is ok || fail "keyring state is $(keyring_state), not ok"
pass "tuskd reports the keyring ok"

id=$(cat /proc/sys/kernel/random/uuid)
secret="pw $RANDOM-$RANDOM-$RANDOM \$x'"

run tctl secret set "$id" --password-stdin <<<"$secret"
assert_eq "$RC" 0 "secret set --password-stdin exits 0"
assert_contains "$OUT" "Stored the password of $id in the keyring" "secret set says where it went"
assert_not_contains "$OUT$ERR" "$secret" "secret set does not print the secret"
assert_eq "$(keyring_lookup "tusk:connection:$id")" "$secret" "secret-tool finds what tuskctl stored"

assert_rc 0 "secret has: present" tctl secret has "$id"
assert_contains "$OUT" "in the keyring" "secret has says where"
assert_rc 1 "secret has --ssh: absent exits 1" tctl secret has "$id" --ssh
assert_contains "$OUT" "no SSH password" "secret has --ssh says none"
run tctl --json secret has "$id"
assert_contains "$OUT" '"present": true' "secret has --json"

declare -A keys=([--ssh]=ssh [--passphrase]=ssh-passphrase [--ssl-passphrase]=ssl-passphrase)
for opt in --ssh --passphrase --ssl-passphrase; do
	run tctl secret set "$id" "$opt" --password-stdin <<<"$opt-$secret"
	assert_eq "$RC" 0 "secret set $opt exits 0"
	assert_eq "$(keyring_lookup "tusk:${keys[$opt]}:$id")" "$opt-$secret" "secret set $opt lands under tusk:${keys[$opt]}"
done

assert_rc 0 "secret rm (the password)" tctl secret rm "$id"
assert_rc 1 "the password is gone" tctl secret has "$id"
assert_rc 0 "the SSH password stays" tctl secret has "$id" --ssh
assert_ne "$(keyring_lookup "tusk:ssh:$id" || true)" "" "secret-tool still finds the SSH password"
assert_rc 0 "secret rm --all" tctl secret rm "$id" --all
for opt in --ssh --passphrase --ssl-passphrase; do
	assert_rc 1 "secret rm --all removed $opt" tctl secret has "$id" "$opt"
	assert_eq "$(keyring_lookup "tusk:${keys[$opt]}:$id" || true)" "" "secret-tool no longer finds tusk:${keys[$opt]}"
done

# Refusals.
run tctl secret set "$id" --password-stdin <<<""
assert_eq "$RC" 2 "an empty secret is refused"
assert_contains "$ERR" "empty" "the refusal says why"
assert_rc 2 "a secret in argv is refused" tctl secret set "$id" --password hunter2
assert_contains "$ERR" "never taken from the command line" "the refusal says why"
assert_rc 2 "secret set without a terminal or --password-stdin" setsid -w "$TUSKCTL" \
	--socket "$TUSKD_SOCKET" --no-autostart secret set "$id"
assert_contains "$ERR" "no terminal" "the refusal names the way out"
assert_rc 2 "two kinds at once are refused" tctl secret rm "$id" --ssh --all
assert_rc 1 "nothing was stored by refused calls" tctl secret has "$id"
run tctl secret set no-such-connection-name --password-stdin </dev/null
assert_ne "$RC" 0 "an unknown name is an error"

# The prompt, on a real pseudo-terminal: the typed secret is not echoed.
typed="typed $RANDOM$RANDOM"
# (The input comes a second late: tuskctl flushes what was typed before the
# prompt, as getpass does.)
run script -qec "'$TUSKCTL' --socket '$TUSKD_SOCKET' --no-autostart secret set $id --ssh" \
	/dev/null < <(sleep 1; printf '%s\n' "$typed")
assert_eq "$RC" 0 "secret set on a terminal exits 0"
assert_contains "$OUT" "SSH password for $id: " "the prompt names the secret and the connection"
assert_not_contains "$OUT" "$typed" "what was typed is not echoed"
assert_eq "$(keyring_lookup "tusk:ssh:$id")" "$typed" "the typed secret is stored"
assert_rc 0 "clean up" tctl secret rm "$id" --all

# A tuskd without a session bus keeps secrets in memory and says so.
tuskd_stop
saved_bus=$DBUS_SESSION_BUS_ADDRESS saved_runtime=${XDG_RUNTIME_DIR:-}
unset DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR
tuskd_new_home
tuskd_start
export DBUS_SESSION_BUS_ADDRESS=$saved_bus
[[ -z $saved_runtime ]] || export XDG_RUNTIME_DIR=$saved_runtime
wait_until 10 keyring_is unavailable || fail "keyring state is $(keyring_state), not unavailable"
pass "a tuskd without a session bus reports the keyring unavailable"
run tctl secret set "$id" --password-stdin <<<"$secret"
assert_eq "$RC" 0 "secret set without a keyring exits 0"
assert_contains "$OUT" "in tuskd's memory only (the keyring is unavailable)" "and says the secret is in memory only"
assert_rc 0 "secret has finds it" tctl secret has "$id"
assert_contains "$OUT" "in tuskd's memory only" "secret has says memory"
assert_eq "$(keyring_lookup "tusk:connection:$id" || true)" "" "nothing reached the keyring"
if grep -rqF -- "$secret" "$TUSKD_HOME"; then
	flunk "the secret is in a file under $TUSKD_HOME" "$(grep -rlF -- "$secret" "$TUSKD_HOME")"
else
	pass "the secret is in no file of tuskd's"
fi
tuskd_stop
