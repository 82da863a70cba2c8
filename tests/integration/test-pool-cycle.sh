#!/usr/bin/env bash
# Regression: a transient pool used again after another pool was opened
# must not be registered twice. pool_open_transient treated the tail of the
# pool list (next == NULL, not the head) as unregistered and pushed it on
# the list again: the list became a cycle and the next walk over it that
# does not find what it looks for (pool_find for a saved connection, the
# janitor every 5 s) spun for ever with the event loop blocked.
# Fails (the daemon stops answering) until daemon/db/pool.c is fixed; then
# register it in shell-tests.cmake: tusk_shell_test(shell-pool-cycle
# test-pool-cycle.sh).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

# Every call has a deadline: with the bug the daemon never answers.
t5() { timeout 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart "$@"; }
a="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
b="host=$PGHOST port=$PGPORT user=$PGUSER dbname=template1"
assert_rc 0 "transient pool A" t5 -d "$a" -c "select 1"
assert_rc 0 "transient pool B" t5 -d "$b" -c "select 1"
assert_rc 0 "A again (the list's tail)" t5 -d "$a" -c "select 1"
assert_rc 0 "a saved connection after them" t5 conn add "cyc$$" \
	"postgresql://$PGUSER@$PGHOST:$PGPORT/postgres"
assert_rc 0 "the saved connection runs" t5 -d "cyc$$" -c "select 1"
assert_rc 0 "B again" t5 -d "$b" -c "select 1"
# The janitor walks every pool every 5 s.
sleep 6
assert_rc 0 "the daemon still answers after a janitor pass" t5 ping
assert_rc 0 "and still runs queries" t5 -d "$a" -c "select 1"
if ! t5 ping >/dev/null 2>&1; then
	# A spinning daemon ignores SIGTERM: do not wait 30 s for it.
	tuskd_kill9 "$TUSKD_PID"
fi
tuskd_stop
