#!/usr/bin/env bash
# The harness itself, as later suites rely on it: the run's shared
# PostgreSQL (fails when scripts/test did not start one), a private server
# with scram-sha-256 lines and a crash restart, and the Secret Service.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

# ctest runs every suite against a self-checking tuskd (tests/CMakeLists.txt).
assert_eq "${TUSK_VALIDATE_REPLIES:-}" 1 "suites run with TUSK_VALIDATE_REPLIES=1 (replies, errors and notifications checked against the schema)"

# The shared server: missing environment is a failure, not a skip.
pg_use_shared
run pg_psql -Atc "select current_setting('server_version_num')::int / 10000"
assert_eq "$OUT" 15 "the shared PostgreSQL answers and is version 15"
if [[ -n ${TUSK_TEST_PGSOCKDIR:-} ]]; then
	run "$PG_BINDIR/psql" -X -h "$TUSK_TEST_PGSOCKDIR" -p "$TUSK_TEST_PGPORT" -U postgres -d postgres -Atc 'select 1'
	assert_eq "$OUT" 1 "the shared PostgreSQL answers on its Unix socket"
else
	flunk "TUSK_TEST_PGSOCKDIR is set"
fi

# A private server for tests that change server configuration.
pg_start "$T/pg"
assert_ne "$PG_PORT" "$TUSK_TEST_PGPORT" "a private server gets a port of its own"
pg_psql -c "create role tusk_scram login password 'pw-for-test'"
pg_hba_add "host all tusk_scram 127.0.0.1/32 scram-sha-256"
run env PGPASSWORD=wrong "$PG_BINDIR/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U tusk_scram -d postgres -Atc 'select 1'
assert_ne "$RC" 0 "scram-sha-256: a wrong password is refused"
run env PGPASSWORD=pw-for-test "$PG_BINDIR/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U tusk_scram -d postgres -Atc 'select current_user'
assert_eq "$OUT" tusk_scram "scram-sha-256: the right password works"
pid_before=$(pg_psql -Atc 'select pg_backend_pid()')
pg_restart_immediate
run pg_psql -Atc 'select 1'
assert_eq "$OUT" 1 "the server answers again after an immediate stop and start"
assert_ne "$pid_before" "" "backend pid read"
pg_hba_reset
run env PGPASSWORD=wrong "$PG_BINDIR/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U tusk_scram -d postgres -Atc 'select 1'
assert_eq "$RC" 0 "pg_hba_reset brings back trust"

# The Secret Service scripts/test runs the suites with.
if [[ -n ${DBUS_SESSION_BUS_ADDRESS:-} ]]; then
	key=tusk:connection:harness-$$
	run sh -c "printf %s s3cret | secret-tool store --label=harness service com.tusk.app key $key"
	assert_eq "$RC" 0 "secret-tool stores a secret"
	assert_eq "$(keyring_lookup "$key")" s3cret "secret-tool finds it again"
	secret-tool clear service com.tusk.app key "$key" || true
	run keyring_unavailable secret-tool lookup service com.tusk.app key "$key"
	assert_ne "$RC" 0 "keyring_unavailable hides the Secret Service"
else
	flunk "a Secret Service runs (DBUS_SESSION_BUS_ADDRESS set by scripts/test)"
fi
