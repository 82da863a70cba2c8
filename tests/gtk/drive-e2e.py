"""End-to-end steps on the real tusk window, through its accessibility tree.

    drive-e2e.py PHASE

Phases (test-gtk-e2e.sh runs them in order, doing what needs the shell in
between): main, restored, away, back. Environment: DISPLAY, TUSK_SHOTS
(screenshot dir), TUSK_E2E_PGPORT, TUSK_E2E_PASSWORD."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi  # noqa: E402
from atspi import main_frame, ok, shot  # noqa: E402

DISPLAY = os.environ["DISPLAY"]
SHOTS = os.environ["TUSK_SHOTS"]
QUERY = "select i, 'row ' || i as label, null::text as n, '' as e\n  from generate_series(1, 50) i order by i;"


def editor(app):
    return atspi.find(main_frame(app), "text", "SQL Editor")


def status_text(app):
    return atspi.text_of(atspi.find(main_frame(app), "label", description="Status"))


def replace_editor_text(app, text):
    ed = editor(app)
    atspi.click(ed, DISPLAY)
    atspi.set_text(ed, text)
    atspi.key(DISPLAY, "ctrl+End")
    atspi.wait_for(lambda: atspi.text_of(ed) == text, 10, "the text in the editor")
    return ed


def clipboard_becomes(want, what):
    """Waits for the clipboard to hold want; on time-out says what it held."""
    seen = [None]

    def holds():
        seen[0] = atspi.clipboard(DISPLAY)
        return seen[0] == want
    try:
        atspi.wait_for(holds, 10, what)
    except AssertionError as e:
        raise AssertionError(f"{e}; the clipboard held {seen[0]!r}") from None


def run_under_cursor(app):
    atspi.key(DISPLAY, "ctrl+Return")


def grid_rows(app):
    """The grids' realised rows as lists of cell texts (header rows first)."""
    frame = main_frame(app)
    atspi.find(frame, "tree table", "Result Grid", timeout=15)
    rows = []
    # every tab's grid (GTK 4.8 reports the pages of other tabs as visible too)
    for grid in atspi.find_all(frame, "tree table", "Result Grid"):
        for row in atspi.find_all(grid, "table row"):
            rows.append([atspi.text_of(c) for c in atspi.find_all(row, "label")])
    return rows


def wait_status(app, contains, timeout=20.0):
    return atspi.wait_for(lambda: contains in status_text(app) and status_text(app), timeout,
                          f"status containing {contains!r}")


def hidden(window):
    """Waits for a window to hide (asking the window itself: GTK 4.8 crashes
    answering AT-SPI about a window being destroyed, so tusk hides it)."""
    atspi.wait_for(lambda: not window.getState().contains(atspi.pyatspi.STATE_VISIBLE), 10,
                   f"{window.name} to close")


def open_export(app, path):
    """The Export dialog of the shown grid, with path typed in."""
    atspi.press(atspi.find(main_frame(app), "push button", "Export…"))
    dlg = atspi.find(app, "frame", "Export Result", only_showing=False)
    atspi.set_text(atspi.find(dlg, "text", "File"), path)
    return dlg


def phase_main():
    app = atspi.app()
    frame = main_frame(app)
    shot("01-start")
    ok("the window is up")

    # a connection through the dialog, its password to the keyring
    atspi.press(atspi.find(frame, "push button", "Add Connection"))
    dlg = atspi.find(app, "frame", "New Connection", only_showing=False)
    for name, value in (("Name", "shop"), ("Host", "127.0.0.1"),
                        ("Database", os.environ["TUSK_E2E_DB"]),
                        ("User", os.environ["TUSK_E2E_USER"])):
        atspi.set_text(atspi.find(dlg, "text", name), value)
    atspi.set_text(atspi.find(dlg, "text", "Password"), os.environ["TUSK_E2E_PASSWORD"])
    port = atspi.find(dlg, "spin button", "Port")
    port.queryValue().currentValue = float(os.environ["TUSK_E2E_PGPORT"])
    desc = [n.description for n in atspi.find_all(dlg, None) if "keyring" in (n.description or "")]
    assert any(d.startswith("ok:") for d in desc), desc
    ok("the dialog shows the keyring's real state (ok)")
    shot("02-connection-dialog")
    atspi.press(atspi.find(dlg, "push button", "Save"))
    # (not walking the closing dialog: GTK 4.8 crashes answering AT-SPI
    # about a window being destroyed)
    conns = atspi.find(frame, "list", "Connections")
    menu = atspi.find(conns, None, "Actions for shop", timeout=10)
    ok("the connection was saved from the dialog and shows in the sidebar")

    # open it from the sidebar
    atspi.press(menu)
    atspi.press(atspi.find(frame, "menu item", "Open"))
    atspi.wait_for(lambda: atspi.find_all(conns, "label", "connected"), 15, "the status dot")
    atspi.find(frame, "label", contains="Connection: shop", timeout=5)
    ok("the connection opens from the sidebar; its dot says connected")

    # a query, its rows in the grid
    replace_editor_text(app, QUERY)
    run_under_cursor(app)
    wait_status(app, "50 rows")
    rows = atspi.wait_for(lambda: [r for r in grid_rows(app) if r and r[0] == "1"], 10,
                          "row 1 in the grid")
    assert rows[0] == ["1", "row 1", "NULL", ""], rows[0]
    header = grid_rows(app)[0]
    assert header[0].startswith("i") and "integer" in header[0], header
    ok("Ctrl+Enter runs the query; the grid shows its rows, NULL apart from ''")
    shot("03-results")

    # one cell, then a selection of rows, to the clipboard
    grid = atspi.find(frame, "tree table", "Result Grid")
    atspi.click(atspi.find(grid, "label", "row 2"), DISPLAY)
    atspi.key(DISPLAY, "ctrl+shift+c")
    clipboard_becomes("row 2", "the cell in the clipboard")
    atspi.click(atspi.find(grid, "label", "3"), DISPLAY)
    atspi.press(atspi.find(frame, "push button", "Copy Cell"))
    clipboard_becomes("3", "the clicked cell")
    ok("Ctrl+Shift+C and the Copy Cell button copy the clicked cell")
    atspi.click(atspi.find(grid, "label", "row 2"), DISPLAY)
    atspi.shift_click(atspi.find(grid, "label", "row 4"), DISPLAY)
    atspi.key(DISPLAY, "ctrl+c")
    want = "".join(f"{i}\trow {i}\t\t\n" for i in (2, 3, 4))
    clipboard_becomes(want, "rows 2-4 as TSV")
    ok("Ctrl+C copies the selected rows (2-4) as TSV")

    # history
    atspi.press(atspi.find(frame, "push button", "History"))
    hist = atspi.find(frame, "list", "History Entries")
    atspi.find(hist, None, contains="generate_series(1, 50)", timeout=10)
    ok("the query is in the history panel")
    shot("04-history")
    atspi.press(atspi.find(frame, "push button", "History"))

    # a syntax error marks its position
    bad = "select 1;\nselect * fro t;"
    ed = replace_editor_text(app, bad)
    run_under_cursor(app)
    err = atspi.find(frame, "label", description="Error", timeout=10)
    atspi.wait_for(lambda: "42601" in atspi.text_of(err), 10, "SQLSTATE in the error")
    text = atspi.text_of(err)
    assert "syntax error" in text, text
    caret = atspi.wait_for(lambda: ed.queryText().caretOffset, 5, "the caret to move")
    assert caret == bad.index("fro"), (caret, bad.index("fro"))
    ok("a syntax error shows message and SQLSTATE, and the caret is at its position")
    shot("05-syntax-error")

    # Escape cancels pg_sleep(60) on the server within a second
    replace_editor_text(app, "select pg_sleep(60)")
    run_under_cursor(app)
    wait_status(app, "Running")
    time.sleep(0.5)
    label = atspi.find(frame, "label", description="Status")
    t0 = time.monotonic()
    atspi.key(DISPLAY, "Escape")
    atspi.wait_for(lambda: "Cancelled" in atspi.text_of(label), 5, "Cancelled", step=0.01)
    took = time.monotonic() - t0
    assert took < 1.0, took
    ok(f"Escape cancelled pg_sleep(60) in {took * 1000:.0f} ms")
    shot("06-cancelled")

    # a 1M-row result, paged from the daemon's store, scrolled to the end
    replace_editor_text(app, "select i, 'r' || i as s from generate_series(1, 1000000) i")
    run_under_cursor(app)
    wait_status(app, "1000000 rows", timeout=60)
    grid = atspi.find(frame, "tree table", "Result Grid", timeout=10)
    atspi.wait_for(lambda: [r for r in grid_rows(app) if r[:2] == ["1", "r1"]], 10, "row 1")
    cell = atspi.find(grid, "label", "r5")
    atspi.click(cell, DISPLAY)
    atspi.key(DISPLAY, "End")
    last = atspi.wait_for(lambda: [r for r in grid_rows(app) if r[:2] == ["1000000", "r1000000"]],
                          20, "the last row")
    ok("a 1M-row result scrolls to its last row (1000000) in the grid")
    shot("07-million-rows")

    # the whole result written by the daemon (test-gtk-e2e.sh compares it with psql --csv)
    path = os.path.join(os.environ["TUSK_E2E_EXPORT_DIR"], "million.csv")
    dlg = open_export(app, path)
    # the formats are toggle buttons (GTK 4.8 reports them as pressed push buttons)
    json_button, csv_button = (atspi.find(dlg, "push button", n) for n in ("JSON", "CSV"))
    atspi.press(json_button)
    atspi.wait_for(lambda: atspi.text_of(atspi.find(dlg, "text", "File")).endswith(".json"), 5,
                   "the suffix to follow the format")
    atspi.press(csv_button)
    atspi.wait_for(lambda: csv_button.getState().contains(atspi.pyatspi.STATE_PRESSED) and
                   not json_button.getState().contains(atspi.pyatspi.STATE_PRESSED), 5,
                   "CSV chosen")
    assert atspi.text_of(atspi.find(dlg, "text", "File")) == path
    bar = atspi.find(dlg, "progress bar", "Export Progress")
    status = atspi.find(dlg, "label", description="Export Status")
    atspi.press(atspi.find(dlg, "push button", "Export"))
    seen = set()

    def exported():
        seen.add(round(bar.queryValue().currentValue, 2))
        return "Exported 1000000 rows" in atspi.text_of(status)
    atspi.wait_for(exported, 60, "the export to end", step=0.02)
    assert bar.queryValue().currentValue == bar.queryValue().maximumValue, seen
    assert atspi.text_of(status).endswith(path), atspi.text_of(status)
    ok(f"Export writes the 1M-row result to a CSV file (progress seen: {sorted(seen)})")
    shot("07b-exported")
    atspi.press(atspi.find(dlg, "push button", "Close"))
    hidden(dlg)

    # an export waiting for a running query, cancelled: no file
    replace_editor_text(app, "select i from generate_series(1, 200000) i\n"
                             "union all select 0 from pg_sleep(60)")
    run_under_cursor(app)
    grid = atspi.find(frame, "tree table", "Result Grid", timeout=10)
    atspi.find(grid, "label", "1", timeout=20)
    wait_status(app, "Fetching")
    path = os.path.join(os.environ["TUSK_E2E_EXPORT_DIR"], "cancelled.csv")
    dlg = open_export(app, path)
    status = atspi.find(dlg, "label", description="Export Status")
    atspi.press(atspi.find(dlg, "push button", "Export"))
    atspi.wait_for(lambda: "Exporting" in atspi.text_of(status), 10, "the export to start")
    time.sleep(0.5)
    atspi.press(atspi.find(dlg, "push button", "Cancel Export"))
    atspi.wait_for(lambda: "Export cancelled" in atspi.text_of(status), 10, "the cancel")
    assert not os.path.exists(path), path
    ok("Cancel Export stops an export (it waited for the running query); no file is left")
    atspi.press(atspi.find(dlg, "push button", "Close"))
    hidden(dlg)
    atspi.click(editor(app), DISPLAY)
    atspi.key(DISPLAY, "Escape")
    wait_status(app, "Cancelled")

    # the text the next phase must find again after a kill
    replace_editor_text(app, "select 'kept across a kill' as t")

    # the schema browser: public → Tables → items, opened as a query
    browser = atspi.find(frame, "list", "Schema Browser")
    for name in ("public", "Tables", "items"):
        node = atspi.find(browser, None, name, timeout=10)
        atspi.double_click(node, DISPLAY)
    shot("08-schema-browser")
    eds = atspi.wait_for(lambda: len(atspi.find_all(frame, "text", "SQL Editor")) == 2 and
                         atspi.find_all(frame, "text", "SQL Editor"), 10, "a second tab")
    sql = atspi.text_of(eds[1])
    assert sql.startswith("SELECT * FROM public.items LIMIT 100"), sql
    atspi.click(eds[1], DISPLAY)
    run_under_cursor(app)
    atspi.wait_for(lambda: [r for r in grid_rows(app) if r[:2] == ["2", "pear"]], 10,
                   "the table's rows")
    ok("the schema browser lists public.items; activating it runs Select Top 100 in a new tab")
    atspi.key(DISPLAY, "ctrl+w")
    atspi.wait_for(lambda: len(atspi.find_all(frame, "text", "SQL Editor")) == 1, 10,
                   "the tab to close")

    # a second tab (Ctrl+T) with text of its own, then back to the first
    atspi.key(DISPLAY, "ctrl+t")
    eds = atspi.wait_for(lambda: len(atspi.find_all(frame, "text", "SQL Editor")) == 2 and
                         atspi.find_all(frame, "text", "SQL Editor"), 10, "the new tab")
    atspi.set_text(eds[1], "select 'the second tab' as t")
    atspi.key(DISPLAY, "ctrl+Page_Up")
    time.sleep(1.0)


def phase_restored():
    app = atspi.app()
    ed = editor(app)
    atspi.wait_for(lambda: atspi.text_of(ed) == "select 'kept across a kill' as t", 10,
                   "the restored text")
    atspi.find(main_frame(app), "label", contains="Connection: shop", timeout=5)
    # a tab in the background gets its editor when it is first shown
    atspi.key(DISPLAY, "ctrl+Page_Down")
    atspi.wait_for(
        lambda: sorted(atspi.text_of(e) for e in atspi.find_all(main_frame(app), "text",
                                                                 "SQL Editor")) ==
        ["select 'kept across a kill' as t", "select 'the second tab' as t"], 10,
        "both tabs")
    ok("after a kill both tabs come back with their text, the first selected with its connection")
    shot("09-restored")
    # the second tab closed: the first is the one shown from here on
    atspi.key(DISPLAY, "ctrl+w")
    atspi.wait_for(lambda: len(atspi.find_all(main_frame(app), "text", "SQL Editor")) == 1, 10,
                   "the second tab to close")
    # a connection saved by another client shows up (connections.changed)
    subprocess.run([os.environ["TUSKCTL"], "--socket", os.environ["TUSKD_SOCKET"],
                    "--no-autostart", "conn", "add", "from-cli",
                    f"postgresql://postgres@127.0.0.1:{os.environ['TUSK_E2E_PGPORT']}/postgres"],
                   check=True, stdout=subprocess.DEVNULL)
    conns = atspi.find(main_frame(app), "list", "Connections")
    atspi.find(conns, None, "Actions for from-cli", timeout=10)
    ok("a connection added with tuskctl appears in the sidebar (connections.changed)")


def phase_away():
    app = atspi.app()
    frame = main_frame(app)
    atspi.find(frame, "label", contains="tuskd is not answering", timeout=10)
    ok("the banner shows while tuskd is away")
    shot("10-daemon-away")


def phase_back():
    app = atspi.app()
    frame = main_frame(app)
    atspi.wait_for(lambda: not atspi.find_all(frame, "label", contains="tuskd is not answering"),
                   15, "the banner to go")
    ed = editor(app)
    atspi.click(ed, DISPLAY)
    run_under_cursor(app)
    wait_status(app, "1 rows")
    atspi.wait_for(lambda: [r for r in grid_rows(app) if r == ["kept across a kill"]], 10,
                   "the row from the new daemon")
    ok("the window reconnected to the restarted tuskd and runs queries again")
    shot("11-reconnected")


if __name__ == "__main__":
    atspi.run_phase({
        "main": phase_main,
        "restored": phase_restored,
        "away": phase_away,
        "back": phase_back,
    })
