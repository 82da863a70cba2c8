# shellcheck shell=bash
# A real PostgreSQL 15 server for tests, made with initdb in a directory of
# the test's own and run as the `postgres` user when we are root (initdb
# refuses root).
#
#   pg_start DIR [PORT]   initdb DIR/data (if new), start on 127.0.0.1:PORT
#                         (PORT picked free when omitted) and a Unix socket
#                         in DIR/sock; waits until it accepts connections.
#                         Sets PG_DIR PG_DATA PG_PORT PG_SOCKDIR PG_LOG and
#                         exports PGHOST/PGPORT/PGUSER for libpq tools.
#                         Registers pg_stop with at_exit when lib.sh is used.
#   pg_stop               stop (fast), leave DIR
#   pg_restart_immediate  stop -m immediate (as a crash), start again
#   pg_psql ARGS...       psql -X -q -v ON_ERROR_STOP=1 as superuser
#                         `postgres` over TCP (-d DB in ARGS to pick one)
#   pg_hba_add LINE...    put pg_hba.conf lines ahead of the trust lines
#                         (e.g. "host all alice 127.0.0.1/32 scram-sha-256")
#                         and reload; pg_hba_reset restores the original
#   pg_conf KEY=VALUE...  append settings to postgresql.conf (pg_reload or
#                         a restart applies them)
#   pg_use DIR            switch the functions to another server started
#                         with pg_start DIR
#   pg_use_shared         use the server scripts/test started for the run
#                         (TUSK_TEST_PG* environment); fails the test when
#                         that environment is missing
#
# Initial authentication is `trust` for local and host lines; tests add
# scram-sha-256 or cert lines through pg_hba_add.

PG_BINDIR=${TUSK_TEST_PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_DIR=
PG_DATA=
PG_PORT=
PG_SOCKDIR=
PG_LOG=

# Run a server-side command as the server's owner.
_pg_as_owner() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

_pg_die() {
	echo "pg.sh: $*" >&2
	if declare -F fail >/dev/null; then
		fail "$*"
	fi
	exit 1
}

_pg_save_env() {
	cat >"$PG_DIR/harness.env" <<EOV
PG_DATA='$PG_DATA'
PG_PORT='$PG_PORT'
PG_SOCKDIR='$PG_SOCKDIR'
PG_LOG='$PG_LOG'
EOV
}

pg_use() {
	PG_DIR=$(cd "$1" && pwd)
	# shellcheck source=/dev/null
	. "$PG_DIR/harness.env"
	export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres
}

pg_use_shared() {
	if [[ -z ${TUSK_TEST_PGHOST:-} || -z ${TUSK_TEST_PGPORT:-} ]]; then
		_pg_die "TUSK_TEST_PGHOST/TUSK_TEST_PGPORT are not set: run this through ./scripts/test (which starts PostgreSQL), or start one with tests/harness and export them"
	fi
	PG_DIR=
	PG_DATA=${TUSK_TEST_PGDATA:-}
	PG_PORT=$TUSK_TEST_PGPORT
	PG_SOCKDIR=${TUSK_TEST_PGSOCKDIR:-}
	PG_LOG=${TUSK_TEST_PGLOG:-}
	export PGHOST=$TUSK_TEST_PGHOST PGPORT=$PG_PORT PGUSER=${TUSK_TEST_PGUSER:-postgres}
}

_pg_ctl_start() {
	_pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
		-o "-p $PG_PORT -k $PG_SOCKDIR -c listen_addresses=127.0.0.1" start >/dev/null
}

pg_start() {
	local dir=$1 port=${2:-}
	mkdir -p "$dir"
	PG_DIR=$(cd "$dir" && pwd)
	PG_DATA=$PG_DIR/data
	PG_LOG=$PG_DIR/postgresql.log
	PG_SOCKDIR=$PG_DIR/sock
	# A Unix socket path is limited to 107 bytes.
	if [[ ${#PG_SOCKDIR} -gt 80 ]]; then
		PG_SOCKDIR=$(mktemp -d "${TMPDIR:-/tmp}/tusk-pgsock.XXXXXX")
		if declare -F at_exit >/dev/null; then
			at_exit "rm -rf '$PG_SOCKDIR'"
		fi
	fi
	mkdir -p "$PG_SOCKDIR"
	if [[ $(id -u) -eq 0 ]]; then
		chown postgres: "$PG_DIR" "$PG_SOCKDIR"
		if ! runuser -u postgres -- test -w "$PG_DIR"; then
			_pg_die "user postgres cannot reach $PG_DIR (a parent directory is not searchable)"
		fi
	fi
	if [[ ! -f $PG_DATA/PG_VERSION ]]; then
		if ! _pg_as_owner "$PG_BINDIR/initdb" -D "$PG_DATA" -U postgres -A trust \
			-E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
			cat "$PG_DIR/initdb.log" >&2
			_pg_die "initdb failed in $PG_DATA"
		fi
		# Keep the pristine hba for pg_hba_reset; tests rarely need fsync.
		_pg_as_owner cp "$PG_DATA/pg_hba.conf" "$PG_DATA/pg_hba.conf.orig"
		_pg_as_owner sh -c "printf '%s\n' 'fsync = off' 'synchronous_commit = off' \
			'full_page_writes = off' 'max_connections = 200' >>'$PG_DATA/postgresql.conf'"
	fi
	local tries=0
	while :; do
		PG_PORT=${port:-$(free_port)}
		if _pg_ctl_start; then
			break
		fi
		tries=$((tries + 1))
		if [[ -n $port || $tries -ge 3 ]]; then
			tail -n 20 "$PG_LOG" >&2 || true
			_pg_die "PostgreSQL did not start (port $PG_PORT, log $PG_LOG)"
		fi
	done
	_pg_save_env
	export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres
	if declare -F at_exit >/dev/null; then
		at_exit "pg_use '$PG_DIR' && pg_stop"
	fi
}

pg_running() {
	[[ -n $PG_DATA ]] && _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_stop() {
	[[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]] || return 0
	_pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 ||
		_pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
}

pg_restart_immediate() {
	[[ -n $PG_DATA ]] || _pg_die "pg_restart_immediate: this server's data dir is unknown"
	_pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null
	_pg_ctl_start || _pg_die "PostgreSQL did not start again (log $PG_LOG)"
}

pg_reload() {
	pg_psql -c 'select pg_reload_conf()' >/dev/null
}

pg_psql() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "${PGHOST:-127.0.0.1}" -p "$PG_PORT" \
		-U "${PGUSER:-postgres}" -d postgres "$@"
}

pg_hba_add() {
	[[ -n $PG_DATA ]] || _pg_die "pg_hba_add: this server's data dir is unknown"
	local tmp
	tmp=$(mktemp)
	{
		printf '%s\n' "$@"
		grep -v '^[[:space:]]*#' "$PG_DATA/pg_hba.conf" | grep -v '^[[:space:]]*$'
	} >"$tmp"
	chmod 644 "$tmp"
	_pg_as_owner cp "$tmp" "$PG_DATA/pg_hba.conf"
	rm -f "$tmp"
	pg_reload
}

pg_hba_reset() {
	_pg_as_owner cp "$PG_DATA/pg_hba.conf.orig" "$PG_DATA/pg_hba.conf"
	pg_reload
}

pg_conf() {
	local kv
	for kv in "$@"; do
		_pg_as_owner sh -c "printf '%s\n' \"\$1\" >>'$PG_DATA/postgresql.conf'" sh "${kv/=/ = }"
	done
}
