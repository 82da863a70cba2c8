#!/usr/bin/env bash
# `cmake --install` puts tuskd.socket and tuskd.service where the user
# manager finds packaged units, with ExecStart pointing at the installed
# tuskd, and systemd-analyze accepts them (no running systemd needed).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

: "${TUSK_BUILD_DIR:?set by ctest}" "${TUSK_INSTALL_BINDIR:?}" "${TUSK_UNIT_DIR:?}"
dest=$T/dest
run env DESTDIR="$dest" cmake --install "$TUSK_BUILD_DIR"
assert_eq "$RC" 0 "cmake --install into a DESTDIR"
[[ $RC -eq 0 ]] || note "$ERR"

units=$dest$TUSK_UNIT_DIR
assert_exists "$units/tuskd.socket" "tuskd.socket installed in $TUSK_UNIT_DIR"
assert_exists "$units/tuskd.service" "tuskd.service installed in $TUSK_UNIT_DIR"
assert_exists "$dest$TUSK_INSTALL_BINDIR/tuskd" "tuskd installed in $TUSK_INSTALL_BINDIR"
assert_exists "$dest$TUSK_INSTALL_BINDIR/tuskctl" "tuskctl installed in $TUSK_INSTALL_BINDIR"

svc=$(cat "$units/tuskd.service" 2>/dev/null || true)
sock=$(cat "$units/tuskd.socket" 2>/dev/null || true)
assert_contains "$svc" "ExecStart=$TUSK_INSTALL_BINDIR/tuskd" "ExecStart is the installed tuskd"
assert_contains "$svc" "Type=notify" "the service is Type=notify"
assert_contains "$svc" "Restart=on-failure" "Restart=on-failure"
assert_contains "$sock" "ListenStream=%t/tusk/tuskd.sock" "the socket is %t/tusk/tuskd.sock"
assert_contains "$sock" "SocketMode=0600" "SocketMode=0600"
assert_contains "$sock" "DirectoryMode=0700" "DirectoryMode=0700"
if grep -qE '@[A-Za-z_]+@' <<<"$svc$sock"; then
	flunk "no unconfigured @placeholders@" "$(grep -E '@[A-Za-z_]+@' <<<"$svc$sock")"
else
	pass "no unconfigured @placeholders@"
fi

if command -v systemd-analyze >/dev/null; then
	# verify checks that ExecStart exists: point it into the DESTDIR.
	mkdir -p "$T/verify" "$T/runtime"
	chmod 700 "$T/runtime"
	cp "$units/tuskd.socket" "$T/verify/"
	sed "s|^ExecStart=.*|ExecStart=$dest$TUSK_INSTALL_BINDIR/tuskd|" "$units/tuskd.service" \
		>"$T/verify/tuskd.service"
	run env XDG_RUNTIME_DIR="$T/runtime" systemd-analyze --user verify \
		"$T/verify/tuskd.socket" "$T/verify/tuskd.service"
	assert_eq "$RC" 0 "systemd-analyze --user verify accepts both units"
	assert_eq "$ERR$OUT" "" "systemd-analyze has no complaint"
else
	flunk "systemd-analyze is installed (scripts/deps install test)"
fi
