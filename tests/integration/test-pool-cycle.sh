#!/usr/bin/env bash
# Regression: a transient pool used again after another pool was opened
# must not be registered twice. pool_open_transient treated the tail of the
# pool list (next == NULL, not the head) as unregistered and pushed it on
# the list again: the list became a cycle and the next walk over it (the
# janitor every 5 s, pool_find) spun for ever with the loop blocked.
# Fails (the daemon stops answering) until daemon/db/pool.c is fixed; then
# register it in shell-tests.cmake: tusk_shell_test(shell-pool-cycle
# test-pool-cycle.sh).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

a="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
b="host=$PGHOST port=$PGPORT user=$PGUSER dbname=template1"
assert_rc 0 "transient pool A" tctl -d "$a" -c "select 1"
assert_rc 0 "transient pool B" tctl -d "$b" -c "select 1"
assert_rc 0 "A again (the list's tail)" tctl -d "$a" -c "select 1"
assert_rc 0 "a saved connection after them" tctl conn add "cyc$$" \
	"postgresql://$PGUSER@$PGHOST:$PGPORT/postgres"
assert_rc 0 "the saved connection runs" tctl -d "cyc$$" -c "select 1"
assert_rc 0 "B again" tctl -d "$b" -c "select 1"
assert_rc 0 "conn status walks the pool list" timeout 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" \
	--no-autostart conn status
# The janitor walks every pool every 5 s.
sleep 6
assert_rc 0 "the daemon still answers after a janitor pass" timeout 5 "$TUSKCTL" \
	--socket "$TUSKD_SOCKET" --no-autostart ping
assert_rc 0 "and still runs queries" timeout 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" \
	--no-autostart -d "$a" -c "select 1"
if ! timeout 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart ping >/dev/null 2>&1; then
	# A spinning daemon ignores SIGTERM: do not wait 30 s for it.
	tuskd_kill9
fi
tuskd_stop
