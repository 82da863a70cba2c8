# shellcheck shell=bash
# tuskd on a private socket for tests.
#
#   tuskd_start [ARGS...]   start $TUSKD in $TUSKD_HOME (a new dir under $T
#                           unless TUSKD_HOME is set, so a restart keeps its
#                           data), wait until `tuskctl --no-autostart ping`
#                           answers. Sets TUSKD_PID TUSKD_SOCKET TUSKD_DATA
#                           TUSKD_STATE TUSKD_CACHE TUSKD_STDERR.
#   tuskd_stop              SIGTERM, wait, check the exit status is 0 (under
#                           ASan a leak makes it non-zero: a failed check)
#   tuskd_kill9             SIGKILL (leaves a stale socket file)
#   tctl ARGS...            $TUSKCTL --socket $TUSKD_SOCKET --no-autostart ARGS
#   tuskd_new_home          forget the current instance's dirs
#   tuskd_log_file          the daemon's log file for today (may not exist)
#
# TUSKD_SOCKET_VIA_ENV=1 makes tuskd_start pass the socket as $TUSK_SOCKET
# instead of --socket.
# TUSKD / TUSKCTL name the binaries (ctest sets them; default build/).
# Any tuskd still running at exit is stopped and its exit status checked.

TUSKD=${TUSKD:-$TUSK_ROOT/build/daemon/tuskd}
TUSKCTL=${TUSKCTL:-$TUSK_ROOT/build/client-cli/tuskctl}
export TUSKD TUSKCTL
TUSK_TEST_START_TIMEOUT=${TUSK_TEST_START_TIMEOUT:-20}

TUSKD_HOME=${TUSKD_HOME:-}
TUSKD_PID=
TUSKD_SOCKET=
TUSKD_DATA=
TUSKD_STATE=
TUSKD_CACHE=
TUSKD_STDERR=
TUSKD_RC=
_tuskd_running=()
_tuskd_teardown_set=0
_tuskd_n=0

tctl() {
	"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart "$@"
}

tuskd_new_home() {
	TUSKD_HOME=
}

# Sets the TUSKD_* paths for TUSKD_HOME (made when empty).
tuskd_paths() {
	if [[ -z $TUSKD_HOME ]]; then
		_tuskd_n=$((_tuskd_n + 1))
		TUSKD_HOME=$T/tuskd$_tuskd_n
	fi
	mkdir -p "$TUSKD_HOME"
	TUSKD_SOCKET=$TUSKD_HOME/run/tuskd.sock
	TUSKD_DATA=$TUSKD_HOME/data
	TUSKD_STATE=$TUSKD_HOME/state
	TUSKD_CACHE=$TUSKD_HOME/cache
	TUSKD_STDERR=$TUSKD_HOME/stderr.log
}

# The environment a test's tuskd and tuskctl run with.
tuskd_env() {
	export TUSK_STATE_DIR=$TUSKD_STATE TUSK_CACHE_DIR=$TUSKD_CACHE TUSK_DATA_DIR=$TUSKD_DATA
	export TUSK_LOG=${TUSK_LOG:-debug}
	# As systemd/tuskd.service and tuskctl's autostart start tuskd.
	export GNUTLS_NO_IMPLICIT_INIT=1
}

_tuskd_alive() {
	local st
	[[ -r /proc/$1/stat ]] || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ $st != Z ]]
}

# shellcheck disable=SC2120 # arguments are optional
tuskd_start() {
	[[ -x $TUSKD ]] || fail "tuskd binary not found: $TUSKD"
	[[ -x $TUSKCTL ]] || fail "tuskctl binary not found: $TUSKCTL"
	tuskd_paths
	tuskd_env
	if [[ $_tuskd_teardown_set -eq 0 ]]; then
		at_exit tuskd_teardown
		_tuskd_teardown_set=1
	fi
	local -a sock_arg=(--socket "$TUSKD_SOCKET")
	if [[ ${TUSKD_SOCKET_VIA_ENV:-0} == 1 ]]; then
		sock_arg=()
	fi
	echo "== tuskd $* ($(date +%T.%N))" >>"$TUSKD_STDERR"
	TUSK_SOCKET=$TUSKD_SOCKET "$TUSKD" "${sock_arg[@]}" --data-dir "$TUSKD_DATA" "$@" \
		</dev/null >>"$TUSKD_STDERR" 2>&1 &
	TUSKD_PID=$!
	_tuskd_running+=("$TUSKD_PID:$TUSKD_STDERR")
	local deadline=$((SECONDS + TUSK_TEST_START_TIMEOUT))
	until tctl ping >/dev/null 2>&1; do
		if ! _tuskd_alive "$TUSKD_PID"; then
			local rc=0
			wait "$TUSKD_PID" || rc=$?
			_tuskd_forget "$TUSKD_PID"
			show_file "$TUSKD_STDERR"
			fail "tuskd exited during start-up (status $rc)"
		fi
		if ((SECONDS >= deadline)); then
			show_file "$TUSKD_STDERR"
			fail "tuskd did not answer ping within ${TUSK_TEST_START_TIMEOUT}s"
		fi
		sleep 0.02
	done
}

_tuskd_forget() {
	local -a keep=()
	local e
	for e in "${_tuskd_running[@]}"; do
		[[ ${e%%:*} == "$1" ]] || keep+=("$e")
	done
	_tuskd_running=("${keep[@]}")
}

# _tuskd_wait PID SECONDS: wait for our child PID to exit; sets TUSKD_RC.
# Returns 1 if it is still running after SECONDS.
_tuskd_wait() {
	local pid=$1 deadline=$((SECONDS + $2))
	while _tuskd_alive "$pid"; do
		if ((SECONDS >= deadline)); then
			return 1
		fi
		sleep 0.02
	done
	TUSKD_RC=0
	wait "$pid" 2>/dev/null || TUSKD_RC=$?
	return 0
}

# tuskd_stop [PID [STDERR]]: graceful stop, checked.
tuskd_stop() {
	local pid=${1:-$TUSKD_PID} log=${2:-$TUSKD_STDERR}
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	if ! _tuskd_wait "$pid" 30; then
		kill -KILL "$pid" 2>/dev/null || true
		_tuskd_wait "$pid" 5 || true
		_tuskd_forget "$pid"
		flunk "tuskd $pid stopped within 30 s of SIGTERM"
		show_file "$log"
		return 0
	fi
	_tuskd_forget "$pid"
	if [[ $TUSKD_RC -eq 0 ]]; then
		pass "tuskd $pid exited 0 after SIGTERM"
	else
		flunk "tuskd $pid exited 0 after SIGTERM" "exit status $TUSKD_RC (a sanitizer report would be in $log)"
		show_file "$log" 60
	fi
	[[ $pid != "$TUSKD_PID" ]] || TUSKD_PID=
}

tuskd_log_file() {
	echo "$TUSKD_STATE/logs/tuskd.log.$(date +%F)"
}

tuskd_kill9() {
	local pid=${1:-$TUSKD_PID}
	kill -KILL "$pid"
	_tuskd_wait "$pid" 10 || true
	_tuskd_forget "$pid"
	[[ $pid != "$TUSKD_PID" ]] || TUSKD_PID=
}

tuskd_teardown() {
	local e
	for e in "${_tuskd_running[@]}"; do
		tuskd_stop "${e%%:*}" "${e#*:}"
	done
}
