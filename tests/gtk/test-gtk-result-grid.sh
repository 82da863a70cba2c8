#!/usr/bin/env bash
# The result grid in a real window: test-gtk-result-grid.c under an Xvfb
# of its own (no AT-SPI: it reads the grid's counters, not its tree).
set -euo pipefail
bin=${1:?the gtk-result-grid test binary}
dir=$(mktemp -d "${TMPDIR:-/tmp}/tusk-grid.XXXXXX")
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$dir/display" >"$dir/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
	[[ -s $dir/display ]] && break
	sleep 0.1
done
[[ -s $dir/display ]] || {
	echo "Bail out! Xvfb did not start: $(cat "$dir/xvfb.log")"
	exit 1
}
DISPLAY=:$(tr -dc 0-9 <"$dir/display") GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1 \
	GTK_A11Y=none "$bin"
