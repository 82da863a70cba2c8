#!/usr/bin/env bash
# Issue 9, found 8: every example of the README's "Using it" block runs, in
# order, as a person types it after ./scripts/demo: a bare `tuskctl` on
# PATH, the demo's sample database (scripts/demo.sql, scripts/demo-role.sql)
# on a private PostgreSQL reached as localhost (PGPORT in the environment,
# as the demo prints it), the demo's pg_service.conf and report.sql, the
# real gnome-keyring. Only what needs the outside world is adapted: the
# bastion is a test sshd (deploy@bastion.example.com -> root@127.0.0.1:PORT,
# 10.0.0.5 -> 127.0.0.1), QUERY_ID is the id of a query running meanwhile,
# and the fingerprint question is answered on a pseudo-terminal.
# Runs inside test-keyring-session.sh (ctest does that). Needs root (sshd).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
# shellcheck source=tests/harness/sshd.sh
. "$TUSK_HARNESS_DIR/sshd.sh"
tusk_test_init
[[ $(id -u) == 0 ]] || fail "needs root (sshd)"
root=$(cd "$(dirname "$0")/../.." && pwd)

pg_start "$T/pg"
pg_psql -c "create database tusk_demo" >/dev/null
pg_psql -d tusk_demo -f "$root/scripts/demo.sql" >/dev/null
pg_psql -d tusk_demo -f "$root/scripts/demo-role.sql" >/dev/null

sshport=$(free_port)
sshd_for_tunnels "$sshport"

tuskd_start
# What the demo leaves behind: tuskctl on PATH talking to its tuskd, a
# service file and a report in .demo/ of the checkout (here: the cwd).
mkdir -p "$T/bin" "$T/work/.demo"
ln -s "$TUSKCTL" "$T/bin/tuskctl"
export PATH=$T/bin:$PATH TUSK_SOCKET=$TUSKD_SOCKET
unset PGHOST PGUSER PGDATABASE
export PGPORT=$PG_PORT
printf '[shop]\nhost=localhost\nport=%s\ndbname=tusk_demo\nuser=postgres\n' "$PG_PORT" \
	>"$T/work/.demo/pg_service.conf"
echo "select country, count(*) as customers from customers group by country order by country;" \
	>"$T/work/.demo/report.sql"
cd "$T/work" || fail "no work dir"

# The block, continuation lines joined.
mapfile -t lines < <(awk '/^## Using it/ { s = 1 } s && /^```sh/ { b = 1; next }
	b && /^```/ { exit } b { if (sub(/\\$/, "")) { acc = acc $0; next } print acc $0; acc = "" }' \
	"$root/README.md")
[[ ${#lines[@]} -ge 18 ]] || fail "found ${#lines[@]} lines in the README's block"

n=0
for line in "${lines[@]}"; do
	[[ -n ${line// /} ]] || continue
	n=$((n + 1))
	cmd=${line//deploy@bastion.example.com/root@127.0.0.1:$sshport}
	cmd=${cmd//10.0.0.5/127.0.0.1}
	shown=${line%%  #*}
	if [[ $cmd == *QUERY_ID* ]]; then
		tuskctl -d prod -c "select pg_sleep(60) /* orders */" >"$T/bg.out" 2>"$T/bg.err" &
		bg=$!
		qid=
		for _ in $(seq 100); do
			qid=$(rpc_call query.list '{}' | grep -o '"query_id":"[^"]*"' | head -n 1 | cut -d'"' -f4) || true
			[[ -z $qid ]] || break
			sleep 0.1
		done
		assert_ne "$qid" "" "a query is running to cancel"
		cmd=${cmd//QUERY_ID/$qid}
	fi
	if [[ $cmd == export\ * ]]; then
		# For every later line, as in the reader's shell.
		eval "${cmd%%  #*}"
		RC=0
	elif [[ $cmd == *"ssh trust"* ]]; then
		# It asks on the terminal; the fingerprint is checked here.
		fp=$(ssh-keygen -l -E sha256 -f "$T/sshd/hostkey.pub" | cut -d' ' -f2)
		run script -qec "${cmd%%  #*}" /dev/null <<<"y"
		assert_contains "$OUT" "$fp" "README $n: $shown shows the host key's fingerprint"
	else
		run bash -c "$cmd"
	fi
	if [[ $RC -eq 0 ]]; then
		pass "README $n: $shown"
	else
		flunk "README $n: $shown" "exit $RC: $OUT $ERR"
	fi
	case "$line" in
	*"conn add prod"*) assert_contains "$ERR" "created group 'work'" "the group is created on demand" ;;
	*"conn list"*) assert_contains "$OUT" "prod" "conn list shows prod" ;;
	*"conn import"*) assert_contains "$OUT" "shop" "the service was imported as shop" ;;
	*"report.csv"*)
		assert_eq "$(cat report.csv)" "$(pg_psql -d tusk_demo --csv -f .demo/report.sql)" \
			"report.csv is what psql --csv prints" ;;
	*"cancel "*)
		rc=0
		wait "$bg" || rc=$?
		assert_eq "$rc" 1 "the cancelled query's tuskctl exits 1" ;;
	*"history --search orders"*) assert_contains "$OUT" "orders" "history finds the runs" ;;
	*"schema -d prod"*) assert_contains "$OUT" "public.orders" "schema lists public.orders" ;;
	*"describe -d prod orders"*) assert_contains "$OUT" '"orders_pkey" PRIMARY KEY, btree (id)' "describe shows the table" ;;
	*"complete -d prod"*) assert_contains "$OUT" "orders" "completion offers orders" ;;
	*"ssh trust"*) assert_contains "$(cat "$HOME/.ssh/known_hosts")" "ssh-ed25519" "the host key is trusted" ;;
	esac
done
assert_eq "$(pg_psql -d tusk_demo -Atc "select count(*) from products where price > 1000")" 0 \
	"the session's update was rolled back"
