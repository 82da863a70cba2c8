"""Finding and driving the tusk window through its accessibility tree
(AT-SPI): widgets by role and accessible name, actions, text; no pixel
coordinates. Used by the GTK end-to-end suite and its benchmarks."""
import subprocess
import time

import pyatspi

# GTK 4.8 sets "showing" only on windows: "visible" is what there is.
STATE_VISIBLE = pyatspi.STATE_VISIBLE


def app(name="tusk", timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        desk = pyatspi.Registry.getDesktop(0)
        for i in range(desk.childCount):
            a = desk.getChildAtIndex(i)
            if a is not None and a.name == name and a.childCount > 0:
                return a
        time.sleep(0.1)
    raise AssertionError(f"no application {name!r} on the accessibility bus")


def showing(node):
    try:
        return node.getState().contains(STATE_VISIBLE)
    except Exception:
        return False


def walk(node, only_showing=True, depth=0):
    """Depth-first over node's subtree (nodes that are not showing and
    their children are skipped when only_showing)."""
    if node is None or depth > 60:
        return
    if only_showing and depth > 0 and not showing(node):
        return
    yield node
    try:
        n = node.childCount
    except Exception:
        return
    for i in range(n):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, only_showing, depth + 1)


def find_all(root, role=None, name=None, contains=None, only_showing=True, description=None):
    """Nodes by role, name (exact or contained) and description. A GtkLabel's
    name is its text once it changes: labels that change are found by their
    accessible description."""
    out = []
    for n in walk(root, only_showing):
        try:
            r, nm = n.getRoleName(), n.name or ""
            if description is not None and n.description != description:
                continue
        except Exception:
            continue
        if role is not None and r != role:
            continue
        if name is not None and nm != name:
            continue
        if contains is not None and contains not in nm:
            continue
        out.append(n)
    return out


def find(root, role=None, name=None, contains=None, timeout=10.0, only_showing=True,
         description=None):
    end = time.monotonic() + timeout
    while True:
        found = find_all(root, role, name, contains, only_showing, description)
        if found:
            return found[0]
        if time.monotonic() > end:
            raise AssertionError(
                f"no {role!r} named {name or contains or description!r} within {timeout}s")
        time.sleep(0.1)


def wait_for(fn, timeout=10.0, what="condition", step=0.05):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
            if last:
                return last
        except AssertionError as e:
            last = f"AssertionError: {e}"
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def _actions(node):
    try:
        return node.queryAction().nActions
    except NotImplementedError:
        return 0


def press(node):
    """The first action of node, or of the first node under it that has one
    (a GtkMenuButton's toggle button sits under it)."""
    for n in walk(node, only_showing=False):
        if _actions(n) > 0:
            n.queryAction().doAction(0)
            return
    raise AssertionError(f"nothing to press in {node.getRoleName()} {node.name!r}")


def activate(node, display):
    """Activate a row the way a keyboard user does: focus it, press Return
    (GTK 4.8 gives list rows no AT-SPI action)."""
    try:
        if node.queryAction().nActions > 0:
            node.queryAction().doAction(0)
            return
    except NotImplementedError:
        pass
    node.queryComponent().grabFocus()
    time.sleep(0.1)
    key(display, "Return")


def click(node, display):
    """A real pointer click in the middle of node (to give it focus: GTK 4.8
    does not implement grabFocus over AT-SPI)."""
    x, y, w, h = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + min(h // 2, 40)),
                    "click", "1"], check=True, env={"DISPLAY": display})


def shift_click(node, display):
    """A click with Shift held (extends a list's selection)."""
    x, y, w, h = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + min(h // 2, 40)),
                    "keydown", "shift", "click", "1", "keyup", "shift"], check=True,
                   env={"DISPLAY": display})


_CLIPBOARD = """
import gi, sys
gi.require_version("Gdk", "4.0"); gi.require_version("Gtk", "4.0")
from gi.repository import GLib, Gtk
Gtk.init()
from gi.repository import Gdk
loop, out = GLib.MainLoop(), []
def done(cb, res):
    try:
        out.append(cb.read_text_finish(res))
    except GLib.Error as e:
        sys.stderr.write(str(e))
    loop.quit()
Gdk.Display.get_default().get_clipboard().read_text_async(None, done)
GLib.timeout_add(5000, loop.quit)
loop.run()
sys.stdout.write(out[0] if out and out[0] is not None else "")
"""


def clipboard(display):
    """The text on the display's clipboard, read by a GTK client of its own
    (what a paste into another application gets)."""
    env = {"DISPLAY": display, "GDK_BACKEND": "x11", "NO_AT_BRIDGE": "1",
           "GSK_RENDERER": "cairo"}
    r = subprocess.run(["/usr/bin/python3", "-c", _CLIPBOARD], env=env, capture_output=True,
                       text=True, timeout=20)
    return r.stdout


def double_click(node, display):
    x, y, w, h = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2),
                    "click", "--repeat", "2", "--delay", "80", "1"], check=True,
                   env={"DISPLAY": display})


def set_text(node, text):
    node.queryEditableText().setTextContents(text)


def text_of(node):
    try:
        t = node.queryText()
        return t.getText(0, t.characterCount)
    except NotImplementedError:
        return node.name


def key(display, *keys):
    subprocess.run(["xdotool", "key", "--clearmodifiers", *keys], check=True,
                   env={"DISPLAY": display})


def type_text(display, text):
    subprocess.run(["xdotool", "type", "--delay", "2", text], check=True,
                   env={"DISPLAY": display})


def screenshot(display, path):
    subprocess.run(["import", "-display", display, "-window", "root", path], check=True)


# ---- what every drive-*.py script does -----------------------------------
_n_ok = 0


def page(dlg, title):
    """Switch a dialog's view stack to a page by its title."""
    for n in find_all(dlg, None, only_showing=False):
        try:
            if n.name == title and n.getRoleName() in ("toggle button", "push button",
                                                        "page tab", "radio button"):
                press(n)
                return
        except Exception:
            continue
    raise AssertionError(f"no page switcher {title!r}")


def fill(dlg, fields):
    """Type into a dialog's text rows by accessible name: fields is a dict or
    (name, value) pairs."""
    for name, value in (fields.items() if isinstance(fields, dict) else fields):
        set_text(find(dlg, "text", name, only_showing=False), value)


def set_spin(dlg, name, value):
    spin = find(dlg, "spin button", name, only_showing=False)
    spin.queryValue().currentValue = float(value)
    wait_for(lambda: spin.queryValue().currentValue == float(value), 5, f"{name} set")


def message(dlg):
    """The connection dialog's message line (its text, whatever it says now)."""
    for n in find_all(dlg, "label", only_showing=False):
        if n.name == "Connection Message" or n.description == "Connection Message":
            return text_of(n)
    return ""


def response_button(dlg, label):
    """An AdwMessageDialog's response button by its label (GTK 4.8 names it
    "_Label Label": found by the label inside it; libadwaita keeps a wide
    and a narrow row of them)."""
    buttons = [b for b in find_all(dlg, "push button", only_showing=False)
               if find_all(b, "label", label, only_showing=False)]
    assert buttons, [(n.getRoleName(), n.name) for n in walk(dlg, False)]
    return buttons[0]


def respond(dlg, label):
    """Press a message dialog's response and wait for the dialog to hide."""
    press(response_button(dlg, label))
    wait_for(lambda: not dlg.getState().contains(pyatspi.STATE_VISIBLE), 10,
             f"{dlg.name} to hide")


def ok(what):
    """One TAP line: the step passed."""
    global _n_ok
    _n_ok += 1
    print(f"ok {_n_ok} - {what}", flush=True)


def shot(name):
    """A screenshot of $DISPLAY as $TUSK_SHOTS/NAME.png."""
    import os
    screenshot(os.environ["DISPLAY"], os.path.join(os.environ["TUSK_SHOTS"], name + ".png"))


def run_phase(phases):
    """Run the phase sys.argv[1] names (phases: name -> function); on a
    failure leave a screenshot and the window's accessibility tree as
    $TUSK_SHOTS/failed-PHASE.png / .tree, then fail."""
    import os
    import sys
    phase = sys.argv[1]
    try:
        sys.exit(phases[phase]())
    except Exception:
        shot(f"failed-{phase}")
        with open(os.path.join(os.environ["TUSK_SHOTS"], f"failed-{phase}.tree"), "w") as out:
            nodes = []
            try:
                nodes = list(walk(app(timeout=2), only_showing=False))
            except Exception as e:
                out.write(f"? {e}\n")
            for n in nodes:
                try:
                    states = [str(s) for s in n.getState().getStates()]
                    out.write(f"{n.getRoleName()} {n.name!r} {states}\n")
                except Exception as e:
                    out.write(f"? {e}\n")
        raise


def main_frame(app):
    return find(app, "frame", "Tusk", only_showing=False)
