"""Times the tusk window (run by tests/bench/gtk.sh under Xvfb).

    gtk-bench.py startup RUNS TABS      exec to the first frame painted with
                                        TABS restored tabs; prints the median ms
    gtk-bench.py first-rows RUNS SQL    Ctrl+Enter to the first rows painted;
                                        prints median ms, the window's RSS (KiB)
                                        once the result is in, and the rows

The window prints its own timings on stderr when TUSK_TIMING is set
(client-gtk: tusk-timing ready/first-rows/done). Environment: TUSK_GTK,
TUSKD_SOCKET, TUSK_STATE_DIR, BENCH_CONNECTION (a saved connection's id),
DISPLAY."""
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


def write_tabs(texts):
    tabs = []
    for i, text in enumerate(texts):
        tab_id = str(uuid.uuid4())
        tabs.append({"id": tab_id, "title": f"tab {i}", "connection_id": CONN, "sql": text,
                     "cursor": len(text), "selection": None, "context": f"tab:{tab_id}",
                     "order": i, "last_query_id": None, "extra": {"connection_name": "bench"}})
    os.makedirs(STATE, exist_ok=True)
    with open(os.path.join(STATE, "window.json"), "w") as f:
        json.dump({"version": 2, "tabs": tabs, "selected": len(tabs) - 1, "revision": 0,
                   "dirty": False}, f)


def start():
    env = dict(os.environ, TUSK_TIMING="1")
    t0 = time.monotonic()
    p = subprocess.Popen([GTK, "--socket", SOCKET, "--no-autostart"], env=env,
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    return p, t0


def wait_line(p, prefix, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = p.stderr.readline()
        if not line:
            raise AssertionError(f"tusk exited before '{prefix}'")
        if line.startswith("tusk-timing " + prefix):
            return line.split()
    raise AssertionError(f"no '{prefix}' within {timeout}s")


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


def bench_startup(runs, ntabs):
    body = "\n".join(f"select o.id, o.status, c.name from orders o join customers c "
                     f"on c.id = o.customer_id where o.id = {k};" for k in range(40))
    write_tabs([f"-- tab {i}\n{body}\n" for i in range(ntabs)])
    times = []
    for _ in range(runs):
        p, t0 = start()
        ready = float(wait_line(p, "ready")[2])
        times.append(ready - t0 * 1000.0)
        stop(p)
        write_tabs([f"-- tab {i}\n{body}\n" for i in range(ntabs)])
    print(f"{statistics.median(times):.1f}")


def bench_first_rows(runs, sql):
    times, rss, rows = [], [], 0
    for _ in range(runs):
        write_tabs([sql])
        # a warm pool, as after the first query of a session
        subprocess.run([os.environ["TUSKCTL"], "--socket", SOCKET, "--no-autostart", "open",
                        CONN], check=True, stdout=subprocess.DEVNULL)
        p, _ = start()
        wait_line(p, "ready")
        time.sleep(1.5)  # the tab's connection opens
        subprocess.run(["xdotool", "mousemove", "700", "250", "click", "1", "key", "ctrl+End",
                        "key", "ctrl+Return"], check=True, env={"DISPLAY": DISPLAY})
        t = float(wait_line(p, "first-rows")[2])
        done = wait_line(p, "done", timeout=300)
        rows = int(done[3].split("=")[1])
        time.sleep(0.5)
        rss.append(rss_kib(p.pid))
        times.append(t)
        stop(p)
    print(f"{statistics.median(times):.1f} {max(rss)} {rows}")


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "startup":
        bench_startup(int(sys.argv[2]), int(sys.argv[3]))
    else:
        bench_first_rows(int(sys.argv[2]), sys.argv[3])
