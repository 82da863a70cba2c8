"""Times the tusk window (run by tests/bench/gtk.sh under Xvfb).

    gtk-bench.py startup RUNS TABS      exec to the first frame painted with
                                        TABS restored tabs, and its phases
    gtk-bench.py floor RUNS BINARY      the same for BINARY, the smallest
                                        AdwApplication window (tusk-floor):
                                        what GTK alone costs here
    gtk-bench.py first-rows RUNS SQL    Ctrl+Enter to the first rows painted,
                                        and the window's RSS (KiB) once the
                                        result is in
    gtk-bench.py scroll RUNS FRAMES SQL [TUSK...]
                                        the result of SQL scrolled top to
                                        bottom in FRAMES frames (as a dragged
                                        scrollbar): frames per second, and the
                                        window's RSS (KiB) after it; with
                                        TUSK binaries, each run runs them in
                                        turn (one line each, in that order)
    gtk-bench.py scroll-floor RUNS FRAMES BINARY ROWS HEIGHT
                                        the same for BINARY (tusk-grid-floor:
                                        GtkColumnView alone over ROWS rows of
                                        strings, HEIGHT px high)

Each prints one line of "name=MEDIAN,MIN,MAX" fields (times in ms; cpu: the
window process's CPU time in ms to the first frame, from Ctrl+Enter to the
first rows painted, or per frame of the scroll). Start-up phases, from the
window's marks: init (exec to GTK and libadwaita started: the loader,
GLib, GTK's display, settings, theme and fonts), build (the window and its
restored tab made), map (to the window mapped), paint (the first frame). The window prints its own timings on stderr
when TUSK_TIMING is set (client-gtk/tusk-timing.c). Environment: TUSK_GTK,
TUSKD_SOCKET, TUSK_STATE_DIR, TUSKCTL, BENCH_CONNECTION (a saved
connection's id), DISPLAY."""
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

GTK = os.environ["TUSK_GTK"]
SOCKET = os.environ["TUSKD_SOCKET"]
STATE = os.environ["TUSK_STATE_DIR"]
CONN = os.environ["BENCH_CONNECTION"]
DISPLAY = os.environ["DISPLAY"]
TUSKCTL = [os.environ["TUSKCTL"], "--socket", SOCKET, "--no-autostart"]


def write_tabs(texts):
    """The same tabs in the daemon's workspace and the window's file, at
    the daemon's revision: the window restores them and has nothing to
    replace or push when the daemon answers (as after a normal exit)."""
    tabs = []
    for i, text in enumerate(texts):
        tab_id = str(uuid.uuid4())
        tabs.append({"id": tab_id, "title": f"tab {i}", "connection_id": CONN, "sql": text,
                     "cursor": len(text), "selection": None, "context": f"tab:{tab_id}",
                     "order": i, "last_query_id": None, "extra": {"connection_name": "bench"}})
    saved = subprocess.run(TUSKCTL + ["--json", "workspace", "save", "--force"], check=True,
                           input=json.dumps(tabs), text=True, stdout=subprocess.PIPE)
    revision = json.loads(saved.stdout)["revision"]
    os.makedirs(STATE, exist_ok=True)
    with open(os.path.join(STATE, "window.json"), "w") as f:
        json.dump({"version": 2, "tabs": tabs, "selected": len(tabs) - 1,
                   "revision": revision, "dirty": False}, f)


def start(extra=None):
    env = dict(os.environ, TUSK_TIMING="1", **(extra or {}))
    t0 = time.monotonic()
    p = subprocess.Popen([GTK, "--socket", SOCKET, "--no-autostart"], env=env,
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    return p, t0


def wait_line(p, prefix, timeout=60.0):
    """The fields of the window's next "tusk-timing PREFIX …" line, as a
    dict: "ms" (the first number) and key=value pairs."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = p.stderr.readline()
        if not line:
            raise AssertionError(f"tusk exited before '{prefix}'")
        f = line.split()
        if len(f) > 2 and f[0] == "tusk-timing" and f[1] == prefix:
            out = {"ms": float(f[2])}
            out.update((k, float(v)) for k, v in (x.split("=", 1) for x in f[3:] if "=" in x))
            return out
    raise AssertionError(f"no '{prefix}' within {timeout}s")


def wait_mark(p, what, timeout=60.0):
    """The CPU time (ms) at the window's "tusk-timing mark CLOCK WHAT cpu=MS"."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        f = p.stderr.readline().split()
        if not f:
            raise AssertionError(f"tusk exited before mark '{what}'")
        if len(f) > 4 and f[:2] == ["tusk-timing", "mark"] and f[3] == what:
            return float(f[4].split("=", 1)[1])
    raise AssertionError(f"no mark '{what}' within {timeout}s")


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def report(**series):
    print(" ".join(f"{k}={statistics.median(v):.1f},{min(v):.1f},{max(v):.1f}"
                   for k, v in series.items()))


PHASES = (("init", "gtk-ready"), ("build", "window"), ("map", "mapped"))


def startup_once(argv):
    """exec to the first frame painted: wall and CPU ms, and the wall ms
    of each phase of PHASES and "paint" (mapped to the first frame)."""
    env = dict(os.environ, TUSK_TIMING="1")
    t0 = time.monotonic() * 1000.0
    p = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         text=True)
    marks = {}
    while True:
        f = p.stderr.readline().split()
        if not f:
            raise AssertionError(f"{argv[0]} exited before its first frame")
        if len(f) > 4 and f[:2] == ["tusk-timing", "mark"]:
            marks[f[3]] = float(f[2])
        elif len(f) > 3 and f[:2] == ["tusk-timing", "ready"]:
            ready, cpu = float(f[2]), float(f[3].split("=", 1)[1])
            break
    stop(p)
    out = {"wall": ready - t0, "cpu": cpu}
    last = t0
    for name, mark in PHASES:
        out[name] = marks[mark] - last
        last = marks[mark]
    out["paint"] = ready - last
    return out


def bench_startup(runs, ntabs, argv=None):
    body = "\n".join(f"select o.id, o.status, c.name from orders o join customers c "
                     f"on c.id = o.customer_id where o.id = {k};" for k in range(40))
    series = {}
    for _ in range(runs):
        write_tabs([f"-- tab {i}\n{body}\n" for i in range(ntabs)])
        one = startup_once(argv or [GTK, "--socket", SOCKET, "--no-autostart"])
        for k, v in one.items():
            series.setdefault(k, []).append(v)
    report(**series)


def run_query(sql, extra=None):
    """A window with one tab of sql, run with Ctrl+Enter on a warm pool."""
    write_tabs([sql])
    subprocess.run(TUSKCTL + ["open", CONN], check=True, stdout=subprocess.DEVNULL)
    p, _ = start(extra)
    wait_line(p, "ready")
    time.sleep(1.5)  # the tab's connection opens
    subprocess.run(["xdotool", "mousemove", "700", "250", "click", "1", "key", "ctrl+End",
                    "key", "ctrl+Return"], check=True, env={"DISPLAY": DISPLAY})
    return p


def bench_first_rows(runs, sql):
    wall, cpu, rss = [], [], []
    rows = 0
    for _ in range(runs):
        p = run_query(sql)
        cpu0 = wait_mark(p, "execute")
        first = wait_line(p, "first-rows")
        done = wait_line(p, "done", timeout=300)
        rows = int(done["rows"])
        time.sleep(0.5)
        rss.append(rss_kib(p.pid))
        wall.append(first["ms"])
        cpu.append(first["cpu"] - cpu0)
        stop(p)
    report(first=wall, cpu=cpu, rss=rss, rows=[rows])


def scroll_once(p, frames, series, rows):
    scroll = wait_line(p, "scroll", timeout=600)
    time.sleep(1.0)  # the last pages arrive
    for k, v in (("fps", scroll["fps"]), ("rss", rss_kib(p.pid)), ("ms", scroll["ms"]),
                 ("cpu", scroll["cpu"] / frames), ("height", scroll.get("height", 0)),
                 ("rows", rows), ("load", os.getloadavg()[0])):
        series.setdefault(k, []).append(v)
    stop(p)


def bench_scroll(runs, frames, sql, binaries):
    global GTK
    series = [{} for _ in binaries]
    for _ in range(runs):
        for i, binary in enumerate(binaries):
            GTK = binary
            p = run_query(sql, {"TUSK_BENCH_SCROLL": str(frames)})
            done = wait_line(p, "done", timeout=900)
            scroll_once(p, frames, series[i], int(done["rows"]))
    for s in series:
        report(**s)


def bench_scroll_floor(runs, frames, binary, rows, height):
    series = {}
    for _ in range(runs):
        env = dict(os.environ, TUSK_TIMING="1", TUSK_BENCH_SCROLL=str(frames))
        p = subprocess.Popen([binary, str(rows), str(height)], env=env, stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True)
        scroll_once(p, frames, series, rows)
    report(**series)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "startup":
        bench_startup(int(sys.argv[2]), int(sys.argv[3]))
    elif what == "floor":
        bench_startup(int(sys.argv[2]), 0, [sys.argv[3]])
    elif what == "first-rows":
        bench_first_rows(int(sys.argv[2]), sys.argv[3])
    elif what == "scroll-floor":
        bench_scroll_floor(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
                           int(sys.argv[6]))
    else:
        bench_scroll(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5:] or [GTK])
