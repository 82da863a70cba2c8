# shellcheck shell=bash
# SSH tunnel benchmark: select 1 round trips through a tunnel (tuskd's
# libssh2 forwarder to a real sshd on loopback) vs direct, beside pgbench
# direct and pgbench through OpenSSH's own `ssh -L` forward; and the cost
# of opening a tunnelled connection. Needs root (sshd). Sourced by
# tests/bench/run.

BENCH_RUNS=${BENCH_RUNS:-20}

bench_ssh() {
	local RTT=${RTT:-$(dirname "$TUSKD")/../tests/tusk-rtt}
	[[ -x $RTT ]] || fail "tusk-rtt not built ($RTT)"
	# shellcheck source=tests/harness/sshd.sh
	. "$TUSK_HARNESS_DIR/sshd.sh"
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres sslmode=disable"
	local uri="postgresql://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
	local sport fport old_home=$HOME
	sport=$(free_port)
	sshd_setup "$T/bench-sshd" "$sport"
	sshd_start "$T/bench-sshd" || fail "sshd did not start"
	at_exit "sshd_stop $T/bench-sshd"
	export HOME=$T/bench-home
	mkdir -p "$HOME/.ssh"
	tuskd_new_home
	tuskd_start
	tctl conn add viassh "$uri" --ssh "root@127.0.0.1:$sport" --ssh-key "$T/bench-sshd/userkey" >/dev/null
	tctl ssh trust viassh --yes >/dev/null

	# Opening: connections.test of the saved connection (SSH handshake,
	# host key, auth, then libpq through the tunnel) vs direct.
	local -a t_ssh=() t_dir=()
	local i
	for ((i = 0; i < BENCH_RUNS; i++)); do
		t_ssh+=("$(tctl --json conn test viassh | awk -F': ' '/"connect_ms"/ { gsub(/,/, "", $2); print $2 }')")
		t_dir+=("$(tctl --json conn test "$ci application_name=b$i" | awk -F': ' '/"connect_ms"/ { gsub(/,/, "", $2); print $2 }')")
	done

	local d1 d8 s1 s8
	d1=$("$RTT" "$TUSKD_SOCKET" "$ci" select 2000 1)
	d8=$("$RTT" "$TUSKD_SOCKET" "$ci" select 1000 8)
	s1=$("$RTT" "$TUSKD_SOCKET" --id=viassh select 2000 1)
	s8=$("$RTT" "$TUSKD_SOCKET" --id=viassh select 1000 8)
	tuskd_stop

	# The same through OpenSSH's client forward, with pgbench.
	echo 'select 1;' >"$T/select1.sql"
	fport=$(free_port)
	ssh -N -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o ExitOnForwardFailure=yes -i "$T/bench-sshd/userkey" -p "$sport" \
		-L "127.0.0.1:$fport:127.0.0.1:$PG_PORT" root@127.0.0.1 2>/dev/null &
	local sshpid=$!
	wait_until 10 "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$fport" || fail "ssh -L did not come up"
	local pgb_dir1 pgb_ssh1 pgb_ssh8
	pgb_dir1=$("$PG_BINDIR/pgbench" -n -f "$T/select1.sql" -c 1 -j 1 -t 2000 -h 127.0.0.1 \
		-p "$PG_PORT" -U postgres postgres 2>/dev/null | awk '/latency average/ { print $4 }')
	pgb_ssh1=$("$PG_BINDIR/pgbench" -n -f "$T/select1.sql" -c 1 -j 1 -t 2000 -h 127.0.0.1 \
		-p "$fport" -U postgres postgres 2>/dev/null | awk '/latency average/ { print $4 }')
	pgb_ssh8=$("$PG_BINDIR/pgbench" -n -f "$T/select1.sql" -c 8 -j 2 -t 1000 -h 127.0.0.1 \
		-p "$fport" -U postgres postgres 2>/dev/null | awk '/latency average/ { l = $4 } /^tps/ { t = $3 } END { print l, t }')
	kill "$sshpid"
	wait "$sshpid" 2>/dev/null || true
	sshd_stop "$T/bench-sshd"
	export HOME=$old_home

	bench_section "SSH tunnel (libssh2 on a tunnel thread, sshd on loopback)"
	bench_row "open: connections.test of a saved connection through the tunnel vs direct ($BENCH_RUNS runs)" ms \
		"$(stats "${t_ssh[@]}")" "direct" "$(stats "${t_dir[@]}")"
	bench_row "select 1 latency through the tunnel, 1 client (tusk-rtt) vs tuskd direct" ms "${s1% *}" \
		"tuskd direct" "${d1% *}"
	bench_row "select 1 tps through the tunnel, 8 clients vs tuskd direct" tps "${s8#* }" "tuskd direct" "${d8#* }"
	bench_row "pgbench -c 1 through OpenSSH \`ssh -L\` vs pgbench direct" ms "$pgb_ssh1" "pgbench direct" "$pgb_dir1"
	bench_row "tuskd tunnel, 1 client vs pgbench -c 1 through \`ssh -L\`" ms "${s1% *}" "pgbench via ssh -L" \
		"$pgb_ssh1"
	bench_row "tuskd tunnel, 8 clients vs pgbench -c 8 through \`ssh -L\` (latency)" ms "${s8% *}" \
		"pgbench -c 8 via ssh -L" "${pgb_ssh8% *}"
}

bench_ssh
