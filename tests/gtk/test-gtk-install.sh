#!/usr/bin/env bash
# cmake --install puts tusk, its .desktop file, AppStream metainfo and icon
# in place, and they pass the freedesktop validators.
set -euo pipefail
build=${TUSK_BUILD_DIR:?}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
cmake --install "$build" --prefix "$dest/usr" >/dev/null
app=app.tusk.Tusk
rc=0
check() {
	if "$@"; then echo "ok - $*"; else
		echo "not ok - $*"
		rc=1
	fi
}
check test -x "$dest/usr/bin/tusk"
check test -f "$dest/usr/share/applications/$app.desktop"
check test -f "$dest/usr/share/metainfo/$app.metainfo.xml"
check test -f "$dest/usr/share/icons/hicolor/scalable/apps/$app.svg"
check desktop-file-validate "$dest/usr/share/applications/$app.desktop"
check appstreamcli validate --no-net --pedantic "$dest/usr/share/metainfo/$app.metainfo.xml"
check grep -q "^Exec=tusk" "$dest/usr/share/applications/$app.desktop"
exit $rc
