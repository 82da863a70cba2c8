# shellcheck shell=bash
# What every GTK end-to-end suite (test-gtk-*.sh) does around its phases;
# sourced after tests/harness/lib.sh's keyring_reexec and tusk_test_init.

# gtk_suite_begin NAME DRIVER: the tusk binary (GTK_BIN), the Python that
# runs DRIVER (tests/gtk/DRIVER as DRIVE) and an empty screenshot dir
# $TUSK_BUILD_DIR/gtk-shots/NAME (SHOTS, exported as TUSK_SHOTS).
gtk_suite_begin() {
	# shellcheck disable=SC2034 # used by the suites
	GTK_BIN=${TUSK_GTK:?TUSK_GTK names the tusk binary}
	PY=/usr/bin/python3
	DRIVE=$TUSK_HARNESS_DIR/../gtk/$2
	SHOTS=${TUSK_BUILD_DIR:-$T}/gtk-shots/$1
	rm -rf "$SHOTS"
	mkdir -p "$SHOTS"
	export TUSK_SHOTS=$SHOTS
}

# gtk_display_start: an Xvfb of the suite's own and an AT-SPI bus on it,
# both stopped at exit. Xvfb picks a free display itself and writes its
# number once it listens (-displayfd): choosing one here and starting it
# later raced other runs on the same machine for the same number.
gtk_display_start() {
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$T/display" >"$T/xvfb.log" 2>&1 &
	at_exit "kill $!"
	wait_until 10 test -s "$T/display" || fail "Xvfb did not start" "$(cat "$T/xvfb.log")"
	local display
	display=$(tr -dc 0-9 <"$T/display")
	export DISPLAY=:$display GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=0
	/usr/libexec/at-spi-bus-launcher --launch-immediately >"$T/atspi.log" 2>&1 &
	at_exit "kill $!"
}

# drive PHASE [ARG...]: one phase of DRIVE against the window; on failure
# the window's log, then the suite stops.
drive() {
	if "$PY" "$DRIVE" "$@"; then
		pass "phase $1"
	else
		show_file "$T/tusk.log"
		fail "phase $1 failed"
	fi
}

# window_start / window_kill / window_stop: the window on $TUSKD_SOCKET (its
# output to $T/tusk.log; WINDOW_PID), killed with SIGKILL (a crash: nothing
# saved on the way out) or stopped with SIGTERM; stopped at exit.
WINDOW_PID=
window_start() {
	"$GTK_BIN" --socket "$TUSKD_SOCKET" --no-autostart >>"$T/tusk.log" 2>&1 &
	WINDOW_PID=$!
	at_exit window_stop
}
window_kill() {
	[[ -z $WINDOW_PID ]] || kill -9 "$WINDOW_PID" 2>/dev/null || true
	wait "$WINDOW_PID" 2>/dev/null || true
	WINDOW_PID=
}
window_stop() {
	[[ -z $WINDOW_PID ]] || kill "$WINDOW_PID" 2>/dev/null || true
	WINDOW_PID=
}
