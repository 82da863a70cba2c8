#!/usr/bin/env bash
# Issue 9, found 1: "a password is stored" has one truth. tuskctl conn add
# --password-stdin and tuskctl secret set on an existing connection make
# conn show say so and make queries use it; secret rm makes it say
# otherwise; a wrong stored password is authentication_failed with
# PostgreSQL's own text. A private PostgreSQL with scram-sha-256, the real
# gnome-keyring (run through test-keyring-session.sh).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

if [[ -z ${DBUS_SESSION_BUS_ADDRESS:-} ]]; then
	fail "DBUS_SESSION_BUS_ADDRESS is not set: run me through tests/integration/test-keyring-session.sh"
fi

pg_start "$T/pg"
pg_psql -c "create role tuskpw login password 'right horse'" >/dev/null
pg_hba_add "host all tuskpw 127.0.0.1/32 scram-sha-256"
uri="postgresql://tuskpw@127.0.0.1:$PG_PORT/postgres"
tuskd_start

run tctl conn add pwc "$uri" --password-stdin <<<"right horse"
assert_eq "$RC" 0 "conn add --password-stdin"
assert_contains "$OUT" "stored in the keyring" "conn add says the password is in the keyring"
run tctl conn show pwc
assert_contains "$OUT" "password:           in the keyring" "conn show agrees"
run tctl -d pwc -c "select current_user"
assert_eq "$RC" 0 "a query on it connects with the stored password"
assert_contains "$OUT" "tuskpw" "as tuskpw"

# secret set on a connection saved without one.
run tctl conn add later "$uri"
assert_eq "$RC" 0 "conn add without a password"
run tctl conn show later
assert_contains "$OUT" "password:           not stored" "conn show: not stored"
run tctl -d later -c "select 1"
assert_eq "$RC" 1 "without a password the query fails"
run tctl secret set later --password-stdin <<<"right horse"
assert_eq "$RC" 0 "secret set NAME --password-stdin"
run tctl conn show later
assert_contains "$OUT" "password:           in the keyring" "conn show now says in the keyring"
run tctl -d later -c "select current_user"
assert_eq "$RC" 0 "and the next query uses it"
assert_contains "$OUT" "tuskpw" "as tuskpw"
run tctl secret rm later
assert_eq "$RC" 0 "secret rm"
run tctl conn show later
assert_contains "$OUT" "password:           not stored" "after secret rm: not stored"

# A wrong stored password: PostgreSQL's words, kind authentication_failed.
run tctl conn add wrong "$uri" --password-stdin <<<"wrong horse"
assert_eq "$RC" 0 "conn add with a wrong password"
run tctl -d wrong -c "select 1"
assert_eq "$RC" 1 "the query fails (exit 1)"
assert_contains "$ERR" 'password authentication failed for user "tuskpw"' \
	"tuskctl shows PostgreSQL's text"
reply=$(rpc_call connection.open '{"id": "wrong"}')
assert_eq "$(rpc_field error.data.kind <<<"$reply")" "authentication_failed" \
	"the error's kind is authentication_failed"
assert_contains "$(rpc_field error.message <<<"$reply")" "password authentication failed" \
	"its message is PostgreSQL's"
assert_not_contains "$reply" "wrong horse" "the password is not in the error"
