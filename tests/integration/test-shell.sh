#!/usr/bin/env bash
# The interactive shell (tuskctl -d NAME on a terminal) driven through a
# real pty (a private tmux server; the pager is off, test-cli-output.sh
# covers it): a multi-line statement with a $$ body,
# Tab completing a table and a column of it, \d TABLE byte-identical to
# psql's \d, a transaction across statements shown in the prompt (* and !),
# \x, \timing, Ctrl-C cancelling pg_sleep on the server, \c to another
# saved connection, up-arrow recalling what another client ran, \i, \o,
# \g, \dt compared with psql, \copy to and from a file and from pstdin
# (typed up to \.), Ctrl-D leaving.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

tag="shell_$$_$RANDOM"
db=$tag
pg_psql -c "create database $db" >/dev/null
at_exit "pg_psql -c 'drop database if exists $db (force)' >/dev/null 2>&1"
pg_psql -d "$db" -q <<'SQL'
create table customers (id int primary key, email text unique, name text not null);
create table invoices (id bigserial primary key,
  customer_id int references customers(id), amount numeric(10,2) check (amount >= 0));
create index invoices_customer on invoices (customer_id);
insert into customers values (1, 'a@example.com', 'Ann'), (2, 'b@example.com', 'Bob');
SQL
DBURI="postgresql://$PGUSER@$PGHOST:$PGPORT/$db"
tctl conn add sh1 "$DBURI" >/dev/null || fail "conn add sh1"
tctl conn add sh2 "postgresql://$PGUSER@$PGHOST:$PGPORT/postgres" >/dev/null || fail "conn add sh2"

# ---- a pty ---------------------------------------------------------------
S="tusk-test-$$"
tm() { tmux -L "$S" "$@"; }
at_exit "tmux -L $S kill-server >/dev/null 2>&1"
tm new-session -d -s s -x 220 -y 50 \
	"TUSK_PAGER= $TUSKCTL --socket $TUSKD_SOCKET --no-autostart -d sh1; echo SHELL-EXIT=\$?; sleep 60"
screen() { tm capture-pane -p -t s -S -400; }
on_screen() { screen | grep -qF -- "$1"; }
# ty TEXT: type TEXT and Enter (a trailing ';' escaped from tmux).
ty() {
	local s=$1
	if [[ $s == *';' ]]; then
		tm send-keys -t s -l "${s%;}"
		tm send-keys -t s -l '\;'
	else
		tm send-keys -t s -l "$s"
	fi
	tm send-keys -t s Enter
}
# The last prompt line on screen (tmux drops trailing spaces).
last_prompt() { screen | grep -E '^sh[12]/' | tail -n 1; }
prompt_is() { [[ $(last_prompt) == "${1% }" ]]; }
# Wait until the shell waits at an empty prompt: keys typed while a
# statement runs may be dropped when the line editor takes the terminal.
idle_prompt() { screen | grep -v '^$' | tail -n 1 | grep -qE '^sh[12]/[^ ]*[=-][*!]?>$'; }
ready() { wait_until 10 idle_prompt || flunk "the shell is at a prompt" "$(screen | tail -n 5)"; }
expect_screen() {
	if wait_until 10 on_screen "$1"; then pass "$2"; else flunk "$2" "$(screen | tail -n 30)"; fi
}
expect_prompt() {
	if wait_until 10 prompt_is "$1"; then pass "$2"; else flunk "$2" "prompt: $(last_prompt)"; fi
}

expect_prompt "sh1/$db=> " "the shell starts with connection/database in the prompt"

# ---- a multi-line statement with a $$ body --------------------------------
ready
ty "do \$\$"
ty "begin raise notice 'semi; inside';"
ty "end \$\$;"
expect_screen "NOTICE:  semi; inside" "a \$\$ body with a ';' inside runs once the statement ends"
expect_screen "sh1/$db-> begin raise notice" "the lines inside it got the continuation prompt"

# ---- completion --------------------------------------------------------------
ready
tm send-keys -t s -l "select * from custo"
tm send-keys -t s Tab
expect_screen "select * from customers" "Tab completes a table after FROM"
tm send-keys -t s -l "where ema"
tm send-keys -t s Tab
expect_screen "select * from customers where email" "Tab completes a column of that table"
tm send-keys -t s -l " = 'b@example.com'"
ty ";"
expect_screen " 2 | b@example.com | Bob" "the completed statement runs"
ready
tm send-keys -t s -l "select ema from customers"
tm send-keys -t s C-a
for _ in 1 2 3 4 5 6 7 8 9 10; do tm send-keys -t s C-f; done
tm send-keys -t s Tab
on_screen_re() { screen | grep -qE -- "$1"; }
if wait_until 10 on_screen_re 'select email +from customers'; then
	pass "a column completes before the FROM that names its table"
else
	flunk "a column completes before the FROM that names its table" "$(screen | tail -n 3)"
fi
tm send-keys -t s C-u
ready
ty ""

# ---- \d TABLE and \dt against psql -------------------------------------------
ready
ty "\\o $T/d.out"
ready
ty "\\d invoices"
ready
ty "\\dt"
ready
ty "\\o"
ready
ty "select 'after-o' as marker;"
expect_screen "after-o" "\\o back to the terminal"
run pg_psql -d "$db" -c '\d invoices' -c '\dt'
want=$OUT
assert_eq "$(cat "$T/d.out")" "$want" "\\d invoices and \\dt are byte-identical to psql's"

# ---- a transaction across statements -------------------------------------------
ready
ty "begin;"
expect_prompt "sh1/$db=*> " "in a transaction the prompt shows *"
ty "insert into customers values (3, 'c@example.com', 'Cy');"
expect_screen "INSERT 0 1" "an insert inside the transaction"
assert_eq "$(pg_psql -d "$db" -At -c 'select count(*) from customers')" 2 \
	"psql does not see the uncommitted row"
ready
ty "select 1/0;"
expect_prompt "sh1/$db=!> " "after an error inside it the prompt shows !"
ready
ty "rollback;"
expect_prompt "sh1/$db=> " "after rollback the prompt is plain again"
ready
ty "begin;"
ready
ty "insert into customers values (4, 'd@example.com', 'Di');"
ready
ty "commit;"
expect_screen "COMMIT" "commit"
assert_eq "$(pg_psql -d "$db" -At -c 'select name from customers where id = 4')" "Di" \
	"a transaction over three statements committed on one backend"

# ---- SET holds for the next statements, as in one psql session ---------------
ready
ty "set application_name = 'tusk-shell-set';"
expect_screen "SET" "set application_name"
ready
ty "select 'app=' || current_setting('application_name') as setting;"
expect_screen "app=tusk-shell-set" "a SET holds for the shell's next statement"
# Backends that carry the shell's SET.
set_holders() {
	pg_psql -At -c "select count(*) from pg_stat_activity where application_name = 'tusk-shell-set'"
}
assert_eq "$(set_holders)" 1 "one backend, the shell's, holds the setting"

# ---- \x and \timing -----------------------------------------------------------------
ready
ty "\\x"
expect_screen "Expanded display is on." "\\x turns expanded display on"
ready
ty "select id, name from customers where id = 1;"
expect_screen "-[ RECORD 1 ]" "expanded display shows records"
expect_screen "name | Ann" "as psql lays them out"
ready
ty "\\x auto"
expect_screen "Expanded display is used automatically." "\\x auto"
ready
ty "select 'narrow' as n1;"
line_on_screen() { screen | grep -qx -- "$1"; }
if wait_until 10 line_on_screen " narrow"; then
	pass "\\x auto: a narrow table stays aligned"
else
	flunk "\\x auto: a narrow table stays aligned" "$(screen | tail -n 6)"
fi
ready
ty "select repeat('w', 300) as wide1;"
expect_screen "wide1 | www" "\\x auto: a table wider than the terminal is expanded"
ready
ty "\\x off"
ready
ty "\\timing"
expect_screen "Timing is on." "\\timing on"
ready
ty "select 42 as answer;"
expect_screen "Time: " "each statement's time is shown"
ready
ty "\\timing off"

# ---- Ctrl-C cancels on the server ----------------------------------------------------
mark="${tag}_sleep"
ready
ty "select pg_sleep(60) /* $mark */;"
active() {
	[[ $(pg_psql -At -c "select count(*) from pg_stat_activity where state = 'active' \
		and query like '%$mark%' and pid <> pg_backend_pid()") == 1 ]]
}
gone() { ! active; }
wait_until 10 active || flunk "pg_sleep did not start"
tm send-keys -t s C-c
if wait_until 3 gone; then pass "Ctrl-C cancels pg_sleep on the server"; else flunk "Ctrl-C cancels pg_sleep on the server"; fi
expect_prompt "sh1/$db=> " "and the prompt comes back"

# ---- history shared with the daemon ------------------------------------------------
ready
tctl -d sh1 -c "select 'ran-elsewhere-$tag'" >/dev/null
ready
ty "select 'typed-here';"
expect_screen "typed-here" "a statement before recalling"
# Up only once libedit has the terminal again (at its prompt): sent while
# the statement's output is still being printed, the tty would echo it raw.
ready
typed_twice() { [[ $(screen | grep -c "^sh1/$db=> select 'typed-here';") -ge 2 ]]; }
tm send-keys -t s Up
if wait_until 10 typed_twice; then
	pass "up-arrow recalls the last statement"
else
	flunk "up-arrow recalls the last statement" "$(screen | tail -n 3)"
fi
tm send-keys -t s Up
expect_screen "sh1/$db=> select 'ran-elsewhere-$tag'" "and then what another client ran"
tm send-keys -t s C-u

# ---- \i and \g --------------------------------------------------------------------------
printf 'select 7 * 6 as from_file;\n' >"$T/f.sql"
ready
ty "\\i $T/f.sql"
expect_screen "        42" "\\i runs a file"
# A LATIN1 file: refused before it is sent (JSON text is UTF-8), the byte
# and its offset named, and the shell goes on.
printf "select 'caf\xe9' as latin1;\n" >"$T/latin1.sql"
ready
ty "\\i $T/latin1.sql"
expect_screen "line 1: the SQL is not valid UTF-8 (byte 0xe9 at offset 11)" "\\i of a LATIN1 file says which line and byte are not UTF-8"
expect_screen "iconv -f LATIN1 -t UTF-8" "and how to convert it"
ready
ty "select 'again-' || 1 as g"
ty "\\g"
expect_screen "again-1" "\\g runs the buffer without a ';'"

# ---- \copy ------------------------------------------------------------------------------
pg_psql -d "$db" -c "\\copy customers to '$T/psql-customers.csv' csv"
ready
ty "\\copy customers to '$T/tusk customers.csv' csv"
n=$(pg_psql -d "$db" -At -c "select count(*) from customers")
names=$(pg_psql -d "$db" -At -c "select string_agg(name, ',' order by id) from customers")
expect_screen "COPY $n" "\\copy to a file says how many rows"
if wait_until 10 cmp -s "$T/tusk customers.csv" "$T/psql-customers.csv"; then
	pass "\\copy to a file writes what psql's \\copy writes"
else
	flunk "\\copy to a file writes what psql's \\copy writes" "$(cmp "$T/tusk customers.csv" "$T/psql-customers.csv" 2>&1)"
fi
ready
ty "create table loaded (like customers);"
ready
ty "\\copy loaded from '$T/tusk customers.csv' with (format csv)"
loaded() { [[ $(pg_psql -d "$db" -At -c "select string_agg(name, ',' order by id) from loaded") == "$1" ]]; }
wait_until 10 loaded "$names" && pass "\\copy from a file loads it" || flunk "\\copy from a file loads it" "$(screen | tail -n 5)"
ready
ty "\\copy loaded (id, email, name) from pstdin csv"
expect_screen "End with a backslash and a period on a line by itself" "\\copy from pstdin asks for the data as psql does"
ty "99,c@example.com,Cy"
ty "\\."
wait_until 10 loaded "$names,Cy" && pass "what was typed up to \\. is loaded" || flunk "what was typed up to \\. is loaded" "$(screen | tail -n 5)"
ready
ty "\\copy (select upper(name) from loaded where id = 99) to pstdout"
expect_screen "CY" "\\copy of a query to pstdout"
ready
ty "\\copy loaded from '$T/no-such-file' csv"
expect_screen "no-such-file: No such file or directory" "\\copy of a missing file says so"

# ---- \c to another connection ------------------------------------------------------
ready
ty "\\c sh2"
expect_prompt "sh2/postgres=> " "\\c switches connection and database in the prompt"
assert_eq "$(set_holders)" 0 "\\c let the backend holding the SET go, reset"
ready
ty "select current_database();"
expect_screen " postgres" "statements run on the new connection"

# ---- Ctrl-D ------------------------------------------------------------------------------
ready
tm send-keys -t s C-d
expect_screen "SHELL-EXIT=0" "Ctrl-D leaves with exit 0"

tuskd_stop
