#!/usr/bin/env bash
# Closing editor tabs lets their contexts go (context.release), driven
# through the window's accessibility tree (drive-tabs.py) under Xvfb
# against a real tuskd and PostgreSQL, checked on the server
# (pg_stat_activity; the context idle timeout is 600 s, so only the close
# can end them): a tab that ran a SET gives its backend back at once; a tab
# inside a transaction asks first — Keep Tab keeps it and the transaction,
# Roll Back and Close rolls back, Commit and Close commits; a failed
# transaction offers no commit; a tab restored after the window was killed
# asks too (the daemon, not the tab, knows the transaction is open); a
# tab whose transaction tuskd's restart rolled back says so (context.lost)
# and closes without a question.
# Screenshots go to $TUSK_BUILD_DIR/gtk-shots/tabs.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
keyring_reexec "$@"
tusk_test_init

# shellcheck source=tests/gtk/gtk-lib.sh
. "$TUSK_HARNESS_DIR/../gtk/gtk-lib.sh"
gtk_suite_begin tabs drive-tabs.py

pg_use_shared
db="tabs_$$_$RANDOM"
pg_psql -c "create database $db" >/dev/null
at_exit "pg_psql -c 'drop database if exists $db (force)' >/dev/null 2>&1"
pg_psql -d "$db" -c "create table t (x int)" >/dev/null
export TUSK_TABS_DB=$db TUSK_TABS_PSQL="$PG_BINDIR/psql"

gtk_display_start
tuskd_start
assert_rc 0 "conn add tabs" tctl conn add tabs "postgresql://$PGUSER@$PGHOST:$PGPORT/$db"

window_start
drive main
kept_in_daemon() { tctl workspace --sql 2>/dev/null | grep -q "tabs-kept"; }
wait_until 10 kept_in_daemon || fail "the tab in the transaction did not reach the daemon's workspace"
window_kill
assert_eq "$(pg_psql -d "$db" -At -c "select count(*) from pg_stat_activity where state = 'idle in transaction' and application_name = 'tabs-kept'")" \
	1 "the killed window's transaction is still open in the daemon"
window_start
drive restored
drive before-stop
tuskd_stop
tuskd_start
drive lost
window_stop
tuskd_stop
