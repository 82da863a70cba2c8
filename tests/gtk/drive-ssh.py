"""The SSH host-key trust prompt through the window's accessibility tree.

    drive-ssh.py PHASE

Phase cancel: a connection with an SSH tunnel saved through the dialog's
SSH page, opened from the sidebar: the prompt shows sshd's fingerprint;
Cancel leaves it closed with an error shown. Phase trust: opened again, the
prompt again; Trust and Connect opens it and a query runs through the
tunnel. Phase test (known_hosts emptied): Edit, Test: the dialog's own
prompt; Cancel says not tested; Test, Trust and Test connects. Phase typed: an
unsaved connection with SSH password authentication, Test with the SSH
password typed (wrong, then right). Phase unsaved (known_hosts emptied): an
unsaved connection's Test meets the unknown key and asks; answered after a
second Test (another SSH port) it trusts nothing; asked again, Trust and
Test records the key and connects; a question left open when the dialog is
reopened goes with it. Phase passphrase: an unsaved connection with an
encrypted private key, its passphrase typed (wrong, then right). Environment: DISPLAY, TUSK_SHOTS, TUSK_SSH_* (test-gtk-ssh.sh)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi  # noqa: E402
from atspi import fill, main_frame, message, ok, set_spin, shot  # noqa: E402

DISPLAY = os.environ["DISPLAY"]
ENV = os.environ
NAME = "via ssh"


def ssh_on(dlg):
    """The SSH page, its switch on (a check box to AT-SPI, named by the row's title)."""
    atspi.page(dlg, "SSH")
    row = atspi.find(dlg, "list item", "Connect through SSH", only_showing=False)
    switch = atspi.find(row, "check box", contains="Connect through SSH", only_showing=False)
    atspi.press(switch)
    atspi.wait_for(lambda: switch.getState().contains(atspi.pyatspi.STATE_CHECKED), 5,
                   "the SSH switch on")


def choose(dlg, title, item, downs):
    """Pick a combo row's item the keyboard way: a click opens its list (the
    focus where the list was last left, not always on the selected item), Up
    to the first item, Down moves, Return picks. The row then shows item."""
    row = atspi.find(dlg, None, title, only_showing=False)
    atspi.click(row, DISPLAY)
    time.sleep(0.5)
    atspi.key(DISPLAY, *(["Up"] * 3), *(["Down"] * downs), "Return")
    atspi.wait_for(lambda: atspi.find_all(row, "label", item), 5,
                   f"{title} showing {item}")


def status_dot(app):
    """The connection row's status dot (its accessible name is the status)."""
    conns = atspi.find(main_frame(app), "list", "Connections")
    row = atspi.find(conns, None, NAME, timeout=10)
    for n in atspi.find_all(row, "label"):
        if n.name in ("connected", "connecting", "error", "closed"):
            return n.name
    return None


def prompt(app):
    """The host-key prompt, once it shows a fingerprint."""
    dlg = atspi.find(app, None, "Unknown SSH Host Key", timeout=20)
    body = atspi.find(dlg, "label", contains="Fingerprint:", timeout=10)
    return dlg, atspi.text_of(body)


def open_connection(app):
    frame = main_frame(app)
    atspi.press(atspi.find(frame, None, f"Actions for {NAME}", timeout=10))
    atspi.press(atspi.find(frame, "menu item", "Open"))


def phase_cancel():
    app = atspi.app()
    frame = main_frame(app)
    atspi.press(atspi.find(frame, "push button", "Add Connection"))
    dlg = atspi.find(app, "frame", "New Connection", only_showing=False)
    fill(dlg, (("Name", NAME), ("Host", "127.0.0.1"), ("Database", "postgres"),
               ("User", "postgres")))
    set_spin(dlg, "Port", ENV["TUSK_SSH_PGPORT"])
    ssh_on(dlg)
    fill(dlg, (("SSH host", "127.0.0.1"), ("SSH user", "root")))
    set_spin(dlg, "SSH port", ENV["TUSK_SSH_PORT"])
    shot("01-ssh-page")
    ok("the SSH page takes the tunnel: switch on, host, port, user (agent authentication)")
    atspi.press(atspi.find(dlg, "push button", "Save"))
    atspi.wait_for(lambda: not dlg.getState().contains(atspi.pyatspi.STATE_VISIBLE), 10,
                   "the dialog to hide")
    atspi.find(frame, None, f"Actions for {NAME}", timeout=10)
    ok("saved: the connection shows in the sidebar")

    open_connection(app)
    pr, body = prompt(app)
    assert ENV["TUSK_SSH_FP"] in body, f"want {ENV['TUSK_SSH_FP']} in {body!r}"
    ok(f"opening it asks about the unknown host key, showing sshd's fingerprint "
       f"{ENV['TUSK_SSH_FP']}")
    shot("02-host-key-prompt")
    atspi.respond(pr, "Cancel")
    atspi.find(frame, "label", contains="SSH host key was not trusted", timeout=5)
    atspi.wait_for(lambda: status_dot(app) == "error", 10, "the status dot to say error")
    ok("Cancel: not connected, the toast says the host key was not trusted, the dot says "
       "error")
    shot("03-cancelled")
    return 0


def phase_trust():
    app = atspi.app()
    frame = main_frame(app)
    open_connection(app)
    pr, body = prompt(app)
    assert ENV["TUSK_SSH_FP"] in body, f"want {ENV['TUSK_SSH_FP']} in {body!r}"
    ok("opening it again asks again (the same prompt, reused), with the fingerprint")
    shot("04-host-key-prompt-again")
    atspi.respond(pr, "Trust and Connect")
    atspi.wait_for(lambda: status_dot(app) == "connected", 20, "the status dot to say connected")
    atspi.find(frame, "label", contains=f"Connection: {NAME}", timeout=5)
    ok("Trust and Connect: the connection opens through the tunnel")
    shot("05-trusted-connected")

    # the first phase's open has a tab, this one a second (the shown one,
    # last); the retry after Trust opened no third
    eds = atspi.find_all(frame, "text", "SQL Editor")
    assert len(eds) == 2, f"{len(eds)} editor tabs"
    ok("trusting retried the same open: no extra tab")
    ed = eds[-1]
    atspi.click(ed, DISPLAY)
    query = "select 'through ' || 'the tunnel' as answer"
    atspi.set_text(ed, query)
    atspi.wait_for(lambda: atspi.text_of(ed) == query, 10, "the text in the editor")
    atspi.key(DISPLAY, "ctrl+Return")

    def cells():
        grid = atspi.find(frame, "tree table", "Result Grid", timeout=15)
        return [atspi.text_of(c) for row in atspi.find_all(grid, "table row")
                for c in atspi.find_all(row, "label")]
    atspi.wait_for(lambda: "through the tunnel" in cells(), 20, "the query's row in the grid")
    ok("a query runs through the tunnel and its row shows in the grid")
    shot("06-query")
    return 0


def phase_rebuilt():
    app = atspi.app()
    frame = main_frame(app)
    ed = atspi.find_all(frame, "text", "SQL Editor")[-1]
    atspi.click(ed, DISPLAY)
    atspi.key(DISPLAY, "ctrl+Return")
    toast = atspi.find(frame, "label", contains="SSH tunnel rebuilt; connected again",
                       timeout=30)
    ok(f"sshd restarted under the tunnel: the next query rebuilds it and a toast says "
       f"{atspi.text_of(toast)!r}")
    shot("06b-tunnel-rebuilt")
    return 0


def wait_message(dlg, want, timeout=30):
    return atspi.wait_for(lambda: want in (m := message(dlg)) and m, timeout,
                          f"the dialog's message containing {want!r} (now {message(dlg)!r})")


def phase_test():
    app = atspi.app()
    frame = main_frame(app)
    atspi.press(atspi.find(frame, None, f"Actions for {NAME}", timeout=10))
    atspi.press(atspi.find(frame, "menu item", "Edit…"))
    # the window's one connection dialog, shown again with its new title
    dlg = atspi.find(app, "frame", "Edit Connection", timeout=10)
    atspi.wait_for(lambda: atspi.text_of(atspi.find(dlg, "text", "Name", only_showing=False))
                   == NAME, 10, "the saved connection loaded")

    atspi.press(atspi.find(dlg, "push button", "Test"))
    pr, body = prompt(app)
    assert ENV["TUSK_SSH_FP"] in body, f"want {ENV['TUSK_SSH_FP']} in {body!r}"
    ok("Test of the saved connection, its host key unknown again: the prompt shows sshd's "
       "fingerprint")
    shot("07-test-host-key-prompt")
    atspi.respond(pr, "Cancel")
    wait_message(dlg, "the SSH host key was not trusted", 10)
    ok("Cancel: the dialog says it was not tested, the host key not trusted")
    shot("08-test-cancelled")

    atspi.press(atspi.find(dlg, "push button", "Test"))
    pr, body = prompt(app)
    assert ENV["TUSK_SSH_FP"] in body, body
    atspi.respond(pr, "Trust and Test")
    m = wait_message(dlg, "Connected to")
    ok(f"Trust and Test: the key is trusted and the test connects through the tunnel: {m}")
    shot("09-test-trusted")
    atspi.press(atspi.find(dlg, "push button", "Cancel"))
    atspi.wait_for(lambda: not dlg.getState().contains(atspi.pyatspi.STATE_VISIBLE), 10,
                   "the dialog to hide")
    return 0


def phase_typed():
    """Test of an unsaved connection through SSH with a typed SSH password."""
    app = atspi.app()
    frame = main_frame(app)
    atspi.press(atspi.find(frame, "push button", "Add Connection"))
    dlg = atspi.find(app, "frame", "New Connection", only_showing=False)
    fill(dlg, (("Name", "typed ssh"), ("Host", "127.0.0.1"), ("Database", "postgres"),
               ("User", "postgres")))
    set_spin(dlg, "Port", ENV["TUSK_SSH_PGPORT"])
    ssh_on(dlg)
    fill(dlg, (("SSH host", "127.0.0.1"), ("SSH user", ENV["TUSK_SSH_PWUSER"])))
    set_spin(dlg, "SSH port", ENV["TUSK_SSH_PORT"])
    choose(dlg, "Authentication", "password", 2)
    fill(dlg, (("SSH password or key passphrase", "not-" + ENV["TUSK_SSH_PWPASS"]),))
    atspi.press(atspi.find(dlg, "push button", "Test"))
    m = wait_message(dlg, "wrong user name or password")
    assert ENV["TUSK_SSH_PWPASS"] not in m, m
    ok(f"Test with a wrong typed SSH password: the SSH server's refusal: {m}")
    shot("10-typed-ssh-wrong")
    fill(dlg, (("SSH password or key passphrase", ENV["TUSK_SSH_PWPASS"]),))
    atspi.press(atspi.find(dlg, "push button", "Test"))
    m = wait_message(dlg, "Connected to")
    ok(f"Test with the right typed SSH password connects an unsaved connection through the "
       f"tunnel: {m}")
    shot("11-typed-ssh-right")
    atspi.press(atspi.find(dlg, "push button", "Cancel"))
    return 0


def new_unsaved(app, name, ssh_user):
    """The dialog for a new connection through the test sshd (not saved)."""
    frame = main_frame(app)
    atspi.press(atspi.find(frame, "push button", "Add Connection"))
    dlg = atspi.find(app, "frame", "New Connection", only_showing=False)
    fill(dlg, (("Name", name), ("Host", "127.0.0.1"), ("Database", "postgres"),
               ("User", "postgres")))
    set_spin(dlg, "Port", ENV["TUSK_SSH_PGPORT"])
    ssh_on(dlg)
    fill(dlg, (("SSH host", "127.0.0.1"), ("SSH user", ssh_user)))
    set_spin(dlg, "SSH port", ENV["TUSK_SSH_PORT"])
    return dlg


def known_hosts():
    try:
        with open(ENV["TUSK_SSH_KNOWN"]) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def close_dialog(dlg):
    atspi.press(atspi.find(dlg, "push button", "Cancel"))
    atspi.wait_for(lambda: not dlg.getState().contains(atspi.pyatspi.STATE_VISIBLE), 10,
                   "the dialog to hide")


def phase_unsaved():
    """Test of an unsaved connection whose SSH host key is unknown: the
    prompt, bound to the Test that asked."""
    app = atspi.app()
    dlg = new_unsaved(app, "unsaved ssh", "root")
    atspi.press(atspi.find(dlg, "push button", "Test"))
    pr, body = prompt(app)
    assert ENV["TUSK_SSH_FP"] in body, f"want {ENV['TUSK_SSH_FP']} in {body!r}"
    ok("Test of an unsaved connection, its SSH host key unknown: the prompt shows sshd's "
       "fingerprint")
    shot("12-unsaved-host-key-prompt")

    # Not answered yet: another SSH port (nothing listens there), Test again.
    set_spin(dlg, "SSH port", ENV["TUSK_SSH_CLOSED_PORT"])
    atspi.press(atspi.find(dlg, "push button", "Test"))
    m = atspi.wait_for(lambda: (m := message(dlg)) not in ("", "Testing…")
                       and "host key" not in m and m, 30,
                       f"the second Test's answer (now {message(dlg)!r})")
    ok(f"a second Test, to another SSH port, fails on its own: {m}")
    atspi.respond(pr, "Trust and Test")
    m = wait_message(dlg, "earlier Test", 10)
    time.sleep(1)  # a trust or Test it should not have started would show by now
    assert "earlier Test" in message(dlg), message(dlg)
    assert known_hosts() == "", known_hosts()
    ok(f"answering the first Test's question after the second trusts nothing and tests "
       f"nothing: {m}")
    shot("13-unsaved-stale-answer")

    set_spin(dlg, "SSH port", ENV["TUSK_SSH_PORT"])
    atspi.press(atspi.find(dlg, "push button", "Test"))
    pr, body = prompt(app)
    assert ENV["TUSK_SSH_FP"] in body, body
    atspi.respond(pr, "Trust and Test")
    m = wait_message(dlg, "Connected to")
    assert known_hosts() != "", "known_hosts still empty"
    ok(f"Trust and Test on the unsaved connection: the key is recorded by the SSH server's "
       f"host and port, and Test connects: {m}")
    shot("14-unsaved-trusted")
    close_dialog(dlg)

    # A question left open goes with the opening that asked it.
    with open(ENV["TUSK_SSH_KNOWN"], "w"):
        pass
    dlg = new_unsaved(app, "unsaved ssh", "root")
    atspi.press(atspi.find(dlg, "push button", "Test"))
    pr, body = prompt(app)
    close_dialog(dlg)
    frame = main_frame(app)
    atspi.press(atspi.find(frame, "push button", "Add Connection"))
    dlg = atspi.find(app, "frame", "New Connection", only_showing=False)
    atspi.wait_for(lambda: not pr.getState().contains(atspi.pyatspi.STATE_VISIBLE), 10,
                   "the last opening's host-key question to go")
    assert known_hosts() == "", known_hosts()
    ok("reopening the dialog drops the last opening's unanswered host-key question")
    close_dialog(dlg)
    return 0


def phase_passphrase():
    """Test of an unsaved connection with an encrypted key, the passphrase
    typed in the dialog."""
    app = atspi.app()
    dlg = new_unsaved(app, "passphrase ssh", "root")
    choose(dlg, "Authentication", "key", 1)
    fill(dlg, (("Private key file", ENV["TUSK_SSH_ENCKEY"]),))
    wrong = "not-" + ENV["TUSK_SSH_KEYPASS"]
    fill(dlg, (("SSH password or key passphrase", wrong),))
    atspi.press(atspi.find(dlg, "push button", "Test"))
    m = wait_message(dlg, "the key could not be loaded: its passphrase is missing or wrong")
    assert ENV["TUSK_SSH_KEYPASS"] not in m, m
    ok(f"Test with a wrong typed key passphrase: a clear error, the passphrase not in it: {m}")
    shot("15-passphrase-wrong")
    fill(dlg, (("SSH password or key passphrase", ENV["TUSK_SSH_KEYPASS"]),))
    atspi.press(atspi.find(dlg, "push button", "Test"))
    m = wait_message(dlg, "Connected to")
    ok(f"Test with the right typed key passphrase connects through the tunnel: {m}")
    shot("16-passphrase-right")
    close_dialog(dlg)
    return 0


if __name__ == "__main__":
    atspi.run_phase({
        "cancel": phase_cancel,
        "trust": phase_trust,
        "rebuilt": phase_rebuilt,
        "test": phase_test,
        "typed": phase_typed,
        "unsaved": phase_unsaved,
        "passphrase": phase_passphrase,
    })
