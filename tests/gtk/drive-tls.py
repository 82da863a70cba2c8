"""The connection dialog's TLS page through the window's accessibility tree.

    drive-tls.py PHASE

Phase verify: a new connection with sslmode verify-full; Test with a
missing CA file, a directory, a CA that did not sign the server's
certificate, a host name the certificate does not name (each a clear
error), then the right ones: connected, with the TLS version, cipher and
the server certificate's subject shown; Save, open it from the sidebar, a
query in its editor tab reads ssl = t from pg_stat_ssl. Phase cert: a role
that logs in only by client certificate: Test without one (the server's
refusal), with a key that is not the certificate's (the daemon's check), with a
key others can read (the daemon's hint "Run: chmod 600 …" shown),
with the client certificate and key files (connected); Save,
open, the query runs as that role over TLS. Phase encrypted: the client
key encrypted, a wrong passphrase typed on the TLS page: Test says so,
saved, opening it says so; the right one: Test connects, saved, opened,
the query runs. Environment: DISPLAY, TUSK_SHOTS, TUSK_TLS_* (test-gtk-tls.sh)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi  # noqa: E402
from atspi import fill, main_frame, message, ok, set_spin, shot  # noqa: E402

DISPLAY = os.environ["DISPLAY"]
ENV = os.environ


def new_dialog(app, name, user):
    atspi.press(atspi.find(main_frame(app), "push button", "Add Connection"))
    dlg = atspi.find(app, "frame", "New Connection", only_showing=False)
    fill(dlg, (("Name", name), ("Host", "localhost"), ("Database", "postgres"),
               ("User", user)))
    set_spin(dlg, "Port", ENV["TUSK_TLS_PGPORT"])
    atspi.page(dlg, "TLS")
    return dlg


def choose(dlg, title, item, downs):
    """Pick a combo row's item the keyboard way: a click opens its list (the
    focus on its first item), Down moves, Return picks. The row then shows item."""
    row = atspi.find(dlg, None, title, only_showing=False)
    atspi.click(row, DISPLAY)
    time.sleep(0.5)
    atspi.key(DISPLAY, *(["Down"] * downs), "Return")
    atspi.wait_for(lambda: atspi.find_all(row, "label", item), 5, f"{title} showing {item}")


def verify_full(dlg):
    # the list shows libpq's names: disable, prefer, require, verify-ca, verify-full
    choose(dlg, "SSL mode", "verify-full", 4)


def test_and_wait(dlg, want):
    """Press Test and wait for its final answer (not the transient "Testing…")."""
    atspi.press(atspi.find(dlg, "push button", "Test"))
    return atspi.wait_for(
        lambda: "Testing" not in (m := message(dlg)) and want in m and m, 30,
        f"a Test answer containing {want!r} (now {message(dlg)!r})")


def save(app, dlg, name):
    atspi.press(atspi.find(dlg, "push button", "Save"))
    atspi.wait_for(lambda: not dlg.getState().contains(atspi.pyatspi.STATE_VISIBLE), 10,
                   "the dialog to hide")
    atspi.find(main_frame(app), None, f"Actions for {name}", timeout=10)


def tab_of(frame, name):
    """The editor tab bound to the connection: the nearest ancestor of its
    "Connection: NAME" label that holds an editor."""
    node = atspi.find(frame, "label", f"Connection: {name}", timeout=20)
    while node is not None:
        if atspi.find_all(node, "text", "SQL Editor"):
            return node
        node = node.parent
    raise AssertionError(f"no editor tab around the label of {name}")


def open_and_query(app, name, query, want):
    """Open the saved connection from the sidebar, run query in the editor tab
    it is bound to (an empty unbound one is reused), and wait for a grid row
    equal to want."""
    frame = main_frame(app)
    atspi.press(atspi.find(frame, None, f"Actions for {name}", timeout=10))
    atspi.press(atspi.find(frame, "menu item", "Open"))
    tab = tab_of(frame, name)
    ed = atspi.find(tab, "text", "SQL Editor")
    atspi.click(ed, DISPLAY)
    atspi.set_text(ed, query)
    atspi.wait_for(lambda: atspi.text_of(ed) == query, 10, "the text in the editor")
    atspi.key(DISPLAY, "ctrl+Return")

    def rows():
        return [[atspi.text_of(c) for c in atspi.find_all(row, "label")]
                for grid in atspi.find_all(tab, "tree table", "Result Grid")
                for row in atspi.find_all(grid, "table row")]
    atspi.wait_for(lambda: want in rows(), 20, f"the row {want} in the tab's grid")


def phase_verify():
    app = atspi.app()
    dlg = new_dialog(app, "tls-verify", "postgres")
    verify_full(dlg)

    fill(dlg, (("CA certificate file", ENV["TUSK_TLS_MISSING"]),))
    m = test_and_wait(dlg, "does not exist")
    assert f"SSL root certificate {ENV['TUSK_TLS_MISSING']} does not exist" in m, m
    ok(f"a CA file that does not exist: {m}")
    shot("01-ca-missing")

    fill(dlg, (("CA certificate file", ENV["TUSK_TLS_DIR"]),))
    m = test_and_wait(dlg, "is a directory")
    assert ENV["TUSK_TLS_DIR"] in m, m
    ok(f"a directory for the CA file: {m}")

    fill(dlg, (("CA certificate file", ENV["TUSK_TLS_OTHER_CA"]),))
    m = test_and_wait(dlg, "certificate verify failed")
    ok(f"a CA that did not sign the server's certificate: {m}")
    shot("02-wrong-ca")

    fill(dlg, (("CA certificate file", ENV["TUSK_TLS_CA"]), ("Host", "127.0.0.1")))
    m = test_and_wait(dlg, "does not match host name")
    assert '"localhost"' in m and '"127.0.0.1"' in m, m
    ok(f"verify-full to a host name the certificate does not name: {m}")
    shot("03-wrong-host")

    fill(dlg, (("Host", "localhost"),))
    m = test_and_wait(dlg, "Connected to")
    # what TLS gave: protocol and cipher, and whom the server's certificate names
    assert " · TLSv1." in m and "Server certificate: CN=localhost" in m, m
    ok(f"verify-full with the CA that signed the server's certificate: {m}")
    shot("04-verify-full-connected")

    save(app, dlg, "tls-verify")
    ok("saved: the connection shows in the sidebar")
    open_and_query(app, "tls-verify",
                   "select ssl, 'verify' as phase from pg_stat_ssl where pid = pg_backend_pid()",
                   ["t", "verify"])
    ok("opened from the sidebar, its backend uses TLS: pg_stat_ssl.ssl is t in the grid")
    shot("05-verify-query")
    return 0


def phase_cert():
    app = atspi.app()
    dlg = new_dialog(app, "tls-cert", "certuser")
    verify_full(dlg)
    fill(dlg, (("CA certificate file", ENV["TUSK_TLS_CA"]),))
    m = test_and_wait(dlg, "certificate")
    assert "Connected" not in m, m
    ok(f"a role that must log in by certificate, without one: {m}")
    shot("06-cert-missing")

    fill(dlg, (("Client certificate file", ENV["TUSK_TLS_CERT"]),
               ("Client key file", ENV["TUSK_TLS_OTHER_KEY"])))
    m = test_and_wait(dlg, "does not match certificate")
    assert ENV["TUSK_TLS_OTHER_KEY"] in m and ENV["TUSK_TLS_CERT"] in m, m
    ok(f"a client key that is not the certificate's: {m}")

    fill(dlg, (("Client key file", ENV["TUSK_TLS_OPEN_KEY"]),))
    m = test_and_wait(dlg, "group or world access")
    # the daemon's hint under its message
    assert f"\nRun: chmod 600 {ENV['TUSK_TLS_OPEN_KEY']}" in m, m
    ok(f"a client key others can read, with the daemon's hint: {m}")
    shot("07-key-mode-hint")

    fill(dlg, (("Client key file", ENV["TUSK_TLS_KEY"]),))
    m = test_and_wait(dlg, "Connected to")
    ok(f"with the client certificate and key files: {m}")
    shot("07-cert-connected")
    save(app, dlg, "tls-cert")
    open_and_query(app, "tls-cert",
                   "select ssl, current_user from pg_stat_ssl where pid = pg_backend_pid()",
                   ["t", "certuser"])
    ok("opened from the sidebar: the query runs as certuser over TLS")
    shot("08-cert-query")
    return 0


def phase_encrypted():
    app = atspi.app()
    dlg = new_dialog(app, "tls-wrong-phrase", "certuser")
    verify_full(dlg)
    fill(dlg, (("CA certificate file", ENV["TUSK_TLS_CA"]),
               ("Client certificate file", ENV["TUSK_TLS_ENC_CERT"]),
               ("Client key file", ENV["TUSK_TLS_ENC_KEY"]),
               ("Client key passphrase", "not-" + ENV["TUSK_TLS_PHRASE"])))
    m = test_and_wait(dlg, "wrong passphrase")
    assert ENV["TUSK_TLS_ENC_KEY"] in m and ENV["TUSK_TLS_PHRASE"] not in m, m
    ok(f"Test with an encrypted client key and a wrong passphrase typed: {m}")
    save(app, dlg, "tls-wrong-phrase")
    frame = main_frame(app)
    atspi.press(atspi.find(frame, None, "Actions for tls-wrong-phrase", timeout=10))
    atspi.press(atspi.find(frame, "menu item", "Open"))
    m = atspi.text_of(atspi.find(frame, "label", contains="wrong passphrase", timeout=20))
    assert ENV["TUSK_TLS_ENC_KEY"] in m and ENV["TUSK_TLS_PHRASE"] not in m, m
    ok(f"an encrypted client key saved with a wrong passphrase, opened: {m}")
    shot("09-encrypted-wrong-passphrase")

    dlg = new_dialog(app, "tls-enc", "certuser")
    verify_full(dlg)
    fill(dlg, (("CA certificate file", ENV["TUSK_TLS_CA"]),
               ("Client certificate file", ENV["TUSK_TLS_ENC_CERT"]),
               ("Client key file", ENV["TUSK_TLS_ENC_KEY"]),
               ("Client key passphrase", ENV["TUSK_TLS_PHRASE"])))
    m = test_and_wait(dlg, "Connected to")
    ok(f"Test with an encrypted client key and its passphrase typed: {m}")
    shot("10-encrypted-key")
    save(app, dlg, "tls-enc")
    open_and_query(app, "tls-enc",
                   "select ssl, current_user || ' enc' from pg_stat_ssl "
                   "where pid = pg_backend_pid()", ["t", "certuser enc"])
    ok("an encrypted client key with its passphrase typed on the TLS page: saved, opened, "
       "the query runs as certuser over TLS")
    shot("11-encrypted-query")
    return 0


if __name__ == "__main__":
    atspi.run_phase({
        "verify": phase_verify,
        "cert": phase_cert,
        "encrypted": phase_encrypted,
    })
