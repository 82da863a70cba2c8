# shellcheck shell=bash
# Tusk test harness: temp dir, teardown trap, assertions, "ok N - name"
# output. Source it first from a bash test script:
#
#   . "$(dirname "$0")/../harness/lib.sh"
#   tusk_test_init            # makes $T, installs the trap
#   assert_eq "$(echo hi)" hi "echo says hi"
#
# Assertions print "ok N - name" or "not ok N - name" with diagnostics and
# go on; `fail MSG` records a failure and stops the script. On exit the trap
# runs every teardown registered with `at_exit` (last first) and prints
# "N passed, N failed"; the script exits non-zero when any check failed,
# when it stopped early, or when it made no check at all.
#
# Environment: TUSK_TEST_KEEP=1 keeps the temp dir; TMPDIR is honoured.

set -euo pipefail

TUSK_HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TUSK_ROOT=$(cd "$TUSK_HARNESS_DIR/../.." && pwd)
export TUSK_HARNESS_DIR TUSK_ROOT

_t_count=0
_t_failed=0
_t_cleanups=()
_t_done=0
T=

note() { printf '# %s\n' "$*"; }

# Print a file (or a tail of it) as diagnostics.
show_file() {
	local f=$1 n=${2:-40}
	[[ -f $f ]] || return 0
	note "--- last $n lines of $f"
	tail -n "$n" "$f" | sed 's/^/#   /'
}

pass() {
	_t_count=$((_t_count + 1))
	printf 'ok %d - %s\n' "$_t_count" "$1"
}

# Record a failed check and go on.
flunk() {
	_t_count=$((_t_count + 1))
	_t_failed=$((_t_failed + 1))
	printf 'not ok %d - %s\n' "$_t_count" "$1"
	shift
	local line
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

# Record a failure and stop the script (the trap tears everything down).
fail() {
	flunk "${1:-failed}" "${@:2}"
	exit 1
}

# assert_eq ACTUAL EXPECTED NAME
assert_eq() {
	if [[ $1 == "$2" ]]; then
		pass "$3"
	else
		flunk "$3" "expected: $2" "actual:   $1"
	fi
}

# assert_ne ACTUAL UNEXPECTED NAME
assert_ne() {
	if [[ $1 != "$2" ]]; then
		pass "$3"
	else
		flunk "$3" "did not expect: $2"
	fi
}

# assert_contains HAYSTACK NEEDLE NAME
assert_contains() {
	if [[ $1 == *"$2"* ]]; then
		pass "$3"
	else
		flunk "$3" "expected to contain: $2" "actual: $1"
	fi
}

# assert_not_contains HAYSTACK NEEDLE NAME
assert_not_contains() {
	if [[ $1 != *"$2"* ]]; then
		pass "$3"
	else
		flunk "$3" "expected not to contain: $2" "actual: $1"
	fi
}

# assert_file_mode PATH OCTAL NAME   (e.g. 600, 700)
assert_file_mode() {
	local mode
	if ! mode=$(stat -c %a "$1" 2>/dev/null); then
		flunk "$3" "$1 does not exist"
		return 0
	fi
	assert_eq "$mode" "$2" "$3"
}

# assert_exists PATH NAME / assert_not_exists PATH NAME
assert_exists() {
	if [[ -e $1 || -S $1 ]]; then pass "$2"; else flunk "$2" "$1 does not exist"; fi
}
assert_not_exists() {
	if [[ -e $1 || -S $1 ]]; then flunk "$2" "$1 exists"; else pass "$2"; fi
}

# run CMD...: runs a command without stopping the script; sets RC, OUT and
# ERR (stdout and stderr, trailing newlines removed).
RC=0
OUT=
ERR=
run() {
	local o e
	o=$(mktemp "${T:-${TMPDIR:-/tmp}}/run.out.XXXXXX")
	e=$(mktemp "${T:-${TMPDIR:-/tmp}}/run.err.XXXXXX")
	RC=0
	"$@" >"$o" 2>"$e" || RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# assert_rc EXPECTED NAME CMD...: run CMD and check its exit status.
assert_rc() {
	local want=$1 name=$2
	shift 2
	run "$@"
	if [[ $RC -eq $want ]]; then
		pass "$name"
	else
		flunk "$name" "command: $*" "expected exit $want, got $RC" "stdout: $OUT" "stderr: $ERR"
	fi
}

# wait_until SECONDS CMD...: retry CMD every 50 ms until it succeeds;
# returns 1 on timeout.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			return 1
		fi
		sleep 0.05
	done
}

# Register a teardown command (a string for eval); run last-first on exit.
at_exit() {
	_t_cleanups+=("$1")
}

# A free TCP port on 127.0.0.1, from TUSK_PORT_RANGE (default 20000-39999),
# started at a random point so parallel tests rarely collide. "Free" means
# nothing accepts a connection and the kernel lists no socket bound to it.
free_port() {
	local range=${TUSK_PORT_RANGE:-20000-39999}
	local lo=${range%-*} hi=${range#*-}
	local span=$((hi - lo + 1)) i p hex
	local start=$(((RANDOM * 32768 + RANDOM + $$) % span))
	for ((i = 0; i < 200; i++)); do
		p=$((lo + (start + i * 7919) % span))
		printf -v hex ':%04X ' "$p"
		if grep -qi -- "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
			continue
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			continue
		fi
		echo "$p"
		return 0
	done
	echo "free_port: no free port in $range" >&2
	return 1
}

_t_teardown() {
	local rc=$?
	[[ $_t_done -eq 0 ]] || return 0
	_t_done=1
	set +e
	local i
	for ((i = ${#_t_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_t_cleanups[i]}"
	done
	if [[ $rc -ne 0 && $_t_failed -eq 0 ]]; then
		flunk "script stopped early (exit $rc)"
	fi
	if [[ $_t_count -eq 0 ]]; then
		flunk "no check ran"
	fi
	echo "1..$_t_count"
	echo "$((_t_count - _t_failed)) passed, $_t_failed failed"
	if [[ -n $T && -d $T ]]; then
		if [[ ${TUSK_TEST_KEEP:-0} == 1 ]]; then
			note "kept $T"
		else
			rm -rf "$T"
		fi
	fi
	if [[ $_t_failed -gt 0 ]]; then
		exit 1
	fi
	exit 0
}

_t_signal() {
	flunk "interrupted by signal $1"
	exit 1
}

# tusk_test_init: make $T and install the trap. $T is 0711 so that the
# postgres user (servers run by root) can reach directories made inside it.
tusk_test_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/tusk-test.XXXXXX")
	chmod 711 "$T"
	export T
	trap _t_teardown EXIT
	trap '_t_signal INT' INT
	trap '_t_signal TERM' TERM
}

# Source the other parts so a test needs one line.
# shellcheck source=tests/harness/pg.sh
. "$TUSK_HARNESS_DIR/pg.sh"
# shellcheck source=tests/harness/tuskd.sh
. "$TUSK_HARNESS_DIR/tuskd.sh"
# shellcheck source=tests/harness/keyring.sh
. "$TUSK_HARNESS_DIR/keyring.sh"
# shellcheck source=tests/harness/rpc.sh
. "$TUSK_HARNESS_DIR/rpc.sh"
