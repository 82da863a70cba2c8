"""The connection dialog through its accessibility tree.

    drive-dialog.py PHASE

Phase typed: Test of an unsaved connection with a typed password, wrong
then right; the TLS page's controls. Environment: DISPLAY, TUSK_SHOTS,
TUSK_DLG_* (test-gtk-dialog.sh)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi  # noqa: E402
from atspi import fill, main_frame, message, ok, set_spin, shot  # noqa: E402

DISPLAY = os.environ["DISPLAY"]
ENV = os.environ


def new_dialog(app):
    atspi.press(atspi.find(main_frame(app), "push button", "Add Connection"))
    return atspi.find(app, "frame", "New Connection", only_showing=False)


def test_and_wait(dlg, want):
    """Press Test and wait for its final answer (not the transient "Testing…")."""
    before = message(dlg)
    atspi.press(atspi.find(dlg, "push button", "Test"))
    return atspi.wait_for(
        lambda: (m := message(dlg)) != before and "Testing" not in m and want in m and m, 30,
        f"a Test answer containing {want!r} (now {message(dlg)!r})")


def phase_typed():
    app = atspi.app()
    dlg = new_dialog(app)
    fill(dlg, {"Name": "typed", "Host": "127.0.0.1", "Database": ENV["TUSK_DLG_DB"],
               "User": ENV["TUSK_DLG_USER"], "Password": "not-" + ENV["TUSK_DLG_PASSWORD"]})
    set_spin(dlg, "Port", ENV["TUSK_DLG_PGPORT"])
    m = test_and_wait(dlg, "password authentication failed")
    assert ENV["TUSK_DLG_PASSWORD"] not in m, m
    ok("Test with a wrong typed password shows the server's error")
    shot("01-test-wrong-password")

    fill(dlg, {"Password": ENV["TUSK_DLG_PASSWORD"]})
    m = test_and_wait(dlg, "Connected to")
    assert "PostgreSQL" in m, m
    ok(f"Test with the right typed password connects an unsaved connection: {m}")
    shot("02-test-right-password")

    atspi.page(dlg, "TLS")
    sslmode = atspi.find(dlg, None, "SSL mode", only_showing=False)
    assert sslmode is not None
    for name in ("CA certificate file", "Client certificate file", "Client key file",
                 "Client key passphrase"):
        atspi.find(dlg, "text", name, only_showing=False)
    for name in ("Choose CA certificate file", "Choose Client certificate file",
                 "Choose Client key file"):
        atspi.find(dlg, "push button", name, only_showing=False)
    ok("the TLS page has SSL mode, CA / client certificate / key files with Choose buttons "
       "and the key passphrase, each named")
    shot("03-tls-page")
    atspi.press(atspi.find(dlg, "push button", "Cancel"))
    ok("Cancel closes the dialog (nothing saved)")
    return 0


if __name__ == "__main__":
    atspi.run_phase({
        "typed": phase_typed,
    })
