"""Closing editor tabs on the real tusk window, through its accessibility tree.

    drive-tabs.py PHASE

Phases (test-gtk-tabs.sh runs them in order): main, restored. What the
server holds is read with psql (pg_stat_activity). Environment: DISPLAY,
TUSK_SHOTS, TUSK_TABS_DB, TUSK_TABS_PSQL, PGHOST, PGPORT, PGUSER."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi  # noqa: E402
from atspi import main_frame, ok, shot  # noqa: E402

DISPLAY = os.environ["DISPLAY"]
SHOTS = os.environ["TUSK_SHOTS"]
DIALOG = "Close Tab With an Open Transaction?"


def psql(sql):
    return subprocess.run([os.environ["TUSK_TABS_PSQL"], "-X", "-At", "-d",
                           os.environ["TUSK_TABS_DB"], "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def backends(state, marker):
    """Backends in state named marker, or whose last query has it (an error
    in a transaction undoes its SET LOCAL at once)."""
    return int(psql("select count(*) from pg_stat_activity where state = "
                    f"'{state}' and (application_name = '{marker}' or query like '%{marker}%')"))


def rows_of_t():
    return psql("select coalesce(string_agg(x::text, ',' order by x), '') from t")


def editors(app):
    # every tab's (GTK 4.8 reports hidden tabs' widgets as showing; a tab
    # opened here is shown once, so its editor is built)
    return atspi.find_all(main_frame(app), "text", "SQL Editor", only_showing=False)


def connect_first_tab(app):
    """The window's first tab takes the connection "tabs" (the sidebar's Open)."""
    frame = main_frame(app)
    atspi.press(atspi.find(frame, None, "Actions for tabs", timeout=15))
    atspi.press(atspi.find(frame, "menu item", "Open"))
    atspi.find(frame, "label", contains="Connection: tabs", timeout=10)


def open_tab(app):
    """A new tab (Ctrl+T) on the shown tab's connection, shown."""
    before = len(editors(app))
    atspi.key(DISPLAY, "ctrl+t")
    atspi.wait_for(lambda: len(editors(app)) == before + 1, 10, "a new tab")
    return editors(app)[-1]


def run_all(app, ed, sql, state, marker):
    """Run the whole tab; wait for its backend to be in state on the server."""
    atspi.click(ed, DISPLAY)
    atspi.set_text(ed, sql)
    atspi.wait_for(lambda: atspi.text_of(ed) == sql, 10, "the text in the editor")
    atspi.key(DISPLAY, "ctrl+shift+Return")
    atspi.wait_for(lambda: backends(state, marker) == 1, 20,
                   f"a backend {state} named {marker}")


def close_tab(app):
    atspi.key(DISPLAY, "ctrl+w")


def tab_count_becomes(app, n, what):
    atspi.wait_for(lambda: len(editors(app)) == n, 10, what)


def prompt(app):
    dlg = atspi.find(app, None, DIALOG, timeout=15)
    atspi.wait_for(lambda: dlg.getState().contains(atspi.pyatspi.STATE_VISIBLE), 10,
                   "the question to show")
    return dlg


def phase_main():
    app = atspi.app()
    frame = main_frame(app)
    connect_first_tab(app)
    # each case opens a tab beside this first one and closes it
    base = len(editors(app))

    # a SET: the tab's context holds a backend until the tab closes
    ed = open_tab(app)
    run_all(app, ed, "set application_name = 'tabs-set'", "idle", "tabs-set")
    ok("a SET in a tab holds a backend for the tab's next statements")
    close_tab(app)
    tab_count_becomes(app, base, "the tab to close")
    atspi.wait_for(lambda: backends("idle", "tabs-set") == 0, 10,
                   "the backend holding the SET to be reset")
    ok("closing the tab lets the backend go at once, reset (no question: no transaction)")

    # an open transaction: Keep Tab, then Roll Back and Close
    ed = open_tab(app)
    run_all(app, ed, "begin; set local application_name = 'tabs-rb'; insert into t values (1)",
            "idle in transaction", "tabs-rb")
    close_tab(app)
    dlg = prompt(app)
    atspi.find(dlg, "label", contains="has a transaction open that is not committed",
               only_showing=False)
    shot("01-close-asks")
    ok("closing a tab inside a transaction asks first")
    atspi.respond(dlg, "Keep Tab")
    # a round trip in the tab after the answer: a close still on its way
    # would have ended the transaction by then
    run_all(app, ed, "select 'kept' as tabs_kept_probe", "idle in transaction",
            "tabs_kept_probe")
    assert len(editors(app)) == base + 1, "Keep Tab closed the tab"
    assert backends("idle in transaction", "tabs-rb") == 1
    ok("Keep Tab: the tab and its transaction stay")
    close_tab(app)
    dlg = prompt(app)
    atspi.respond(dlg, "Roll Back and Close")
    tab_count_becomes(app, base, "the tab to close after Roll Back")
    atspi.wait_for(lambda: backends("idle in transaction", "tabs-rb") == 0, 10,
                   "the transaction to end")
    assert rows_of_t() == "", rows_of_t()
    ok("Roll Back and Close: the tab closes, the server rolled the insert back")

    # Commit and Close
    ed = open_tab(app)
    run_all(app, ed, "begin; set local application_name = 'tabs-c'; insert into t values (2)",
            "idle in transaction", "tabs-c")
    close_tab(app)
    dlg = prompt(app)
    commit = atspi.response_button(dlg, "Commit and Close")
    assert commit.getState().contains(atspi.pyatspi.STATE_SENSITIVE)
    atspi.respond(dlg, "Commit and Close")
    tab_count_becomes(app, base, "the tab to close after Commit")
    atspi.wait_for(lambda: rows_of_t() == "2", 10, "the committed row")
    assert backends("idle in transaction", "tabs-c") == 0
    ok("Commit and Close: the tab closes, the insert is committed")

    # a failed transaction: nothing to commit
    ed = open_tab(app)
    run_all(app, ed, "begin; select 1/0 as tabs_err",
            "idle in transaction (aborted)", "tabs_err")
    close_tab(app)
    dlg = prompt(app)
    atspi.find(dlg, "label", contains="failed inside its transaction", only_showing=False)
    commit = atspi.response_button(dlg, "Commit and Close")
    assert not commit.getState().contains(atspi.pyatspi.STATE_SENSITIVE), \
        "Commit is offered for a failed transaction"
    shot("02-failed-transaction")
    atspi.respond(dlg, "Roll Back and Close")
    tab_count_becomes(app, base, "the failed tab to close")
    atspi.wait_for(lambda: backends("idle in transaction (aborted)", "tabs_err") == 0, 10,
                   "the failed transaction to end")
    ok("a failed transaction: Commit is not offered; Roll Back and Close ends it")

    # left open for the next phase: the window is killed with it
    ed = open_tab(app)
    run_all(app, ed, "begin; set local application_name = 'tabs-kept'; insert into t values (3)",
            "idle in transaction", "tabs-kept")
    ok("a transaction left open in a tab for the kill")


def phase_restored():
    app = atspi.app()
    atspi.wait_for(lambda: any("tabs-kept" in atspi.text_of(e) for e in editors(app)), 15,
                   "the restored tab")
    # close tabs until the one in the transaction asks (a tab without a
    # transaction closes without a question)
    dlg = None
    for _ in range(len(editors(app))):
        n = len(editors(app))
        close_tab(app)
        atspi.wait_for(lambda: len(editors(app)) < n or atspi.find_all(app, None, DIALOG),
                       15, "the tab to close or ask")
        if atspi.find_all(app, None, DIALOG):
            dlg = prompt(app)
            break
    assert dlg, "no tab asked"
    assert any("tabs-kept" in atspi.text_of(e) for e in editors(app)), \
        "the tab that asked is not the one in the transaction"
    shot("03-restored-asks")
    ok("a tab restored after a kill asks too: the daemon says its transaction is open")
    atspi.respond(dlg, "Roll Back and Close")
    atspi.wait_for(lambda: backends("idle in transaction", "tabs-kept") == 0, 10,
                   "the kept transaction to end")
    assert rows_of_t() == "2", rows_of_t()
    ok("Roll Back and Close on the restored tab ends the transaction on the server")


def in_transaction_labels(app):
    return atspi.find_all(main_frame(app), "label", "In transaction")


def phase_before_stop():
    app = atspi.app()
    ed = open_tab(app)
    run_all(app, ed, "begin; set local application_name = 'tabs-lost'; insert into t values (4)",
            "idle in transaction", "tabs-lost")
    atspi.wait_for(lambda: in_transaction_labels(app), 10, "the tab's In transaction label")
    ok("a tab inside a transaction when tuskd stops")


def phase_lost():
    app = atspi.app()
    frame = main_frame(app)
    toast = atspi.find(frame, "label", contains="its transaction was rolled back when tuskd "
                       "stopped", timeout=20)
    shot("04-transaction-lost")
    ok(f"the window says the tab's transaction was lost: {atspi.text_of(toast)!r}")
    atspi.wait_for(lambda: not in_transaction_labels(app), 10,
                   "the In transaction label to go")
    ok("the tab no longer says it is in a transaction")
    assert rows_of_t() == "2", rows_of_t()
    # and the tab closes without asking: the daemon holds nothing for it
    n = len(editors(app))
    close_tab(app)
    tab_count_becomes(app, n - 1, "the tab to close without a question")
    assert not atspi.find_all(app, None, DIALOG)
    ok("it closes without a question")


if __name__ == "__main__":
    atspi.run_phase({
        "main": phase_main,
        "restored": phase_restored,
        "before-stop": phase_before_stop,
        "lost": phase_lost,
    })
