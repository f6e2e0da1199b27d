"""How quickly the app starts, and that drawing never blocks Tk's event loop.

    python -m bench.bench_gui                 # on a private Xvfb (needs xvfb and xdotool)
    python -m bench.bench_gui --runs 9 --current-display

1. Start-up: ``python -m harness.first_frame --exit`` opens the window as
   ``digitapp`` does, prints the (system-wide monotonic) time at which its
   first frame was drawn and quits; the figure is that time minus the time
   just before the process was spawned.  Limit: 1.5 s (median).
2. Handlers: the real window in this process; xdotool draws every digit and
   a long scribble with real pointer events while each Tk handler (press,
   motion, release, prediction, clear) is timed, and a 5 ms heartbeat
   measures how late the event loop gets to it.  After each digit, its key is
   pressed (a correction, as a user teaching the app would), so the network
   learns on the worker thread while the next digit is drawn; the handlers
   of learning (the key, the polling that hands the result back, showing it)
   are timed too.  The samples go to a temporary user data directory.
   Limit: 50 ms for any handler.
3. Learning in the window: for each of those corrections, the time from its
   key to the new answer shown (the learning thread and Tk running
   together, while the next digit is drawn), and the learning thread's own
   time in ``PersonalModel.learn_strokes``.  ``--rounds 2`` draws the ten
   digits twice (20 corrections).  Limits: 500 ms median, 1 s p90.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from harness import window
from harness.display import script_display
from harness.shapes import on_canvas

ROOT = Path(__file__).resolve().parent.parent  # the child runs from here, to find harness

STARTUP_LIMIT_S = 1.5
HANDLER_LIMIT_MS = 50.0
LEARN_MEDIAN_MS, LEARN_P90_MS = 500.0, 1000.0
HEARTBEAT_MS = 5


def measure_startup(runs: int, display: str) -> list[float]:
    """Seconds from spawning ``python -m harness.first_frame`` to its first drawn frame, one per run."""
    env = {**os.environ, "DISPLAY": display}
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "harness.first_frame", "--exit"], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        line = next((l for l in result.stdout.splitlines() if "first-frame" in l), None)
        if result.returncode != 0 or line is None:
            raise SystemExit(f"bench_gui: the app did not report its first frame: {result.stderr.strip()}")
        shown = float(line.split("monotonic=")[1].split()[0])
        times.append(shown - t0)
    return times


class Timings:
    """Durations of the wrapped handlers, in milliseconds, by name."""

    def __init__(self):
        self.ms: dict[str, list[float]] = {}

    def wrap(self, name, function):
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.ms.setdefault(name, []).append((time.perf_counter() - t) * 1000)
        return timed


def scribble(side: float, turns: int = 6, n: int = 420):
    """A long spiral stroke: the worst case for a growing line item."""
    c = side / 2
    return [[(c + side * 0.4 * (i / n) * math.cos(turns * 2 * math.pi * i / n),
              c + side * 0.4 * (i / n) * math.sin(turns * 2 * math.pi * i / n)) for i in range(n)]]


def heartbeat(root) -> list[float]:
    """Tick every HEARTBEAT_MS on Tk's loop from now on; the list returned fills with how late each tick
    came (ms): the time the app's own handlers held the loop."""
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        lateness.append((now - last[0]) * 1000 - HEARTBEAT_MS)
        last[0] = now
        root.after(HEARTBEAT_MS, tick)

    root.after(HEARTBEAT_MS, tick)
    return lateness


def measure_handlers(display: str, rounds: int = 1):
    """Time the Tk handlers while xdotool draws digits on the real window."""
    os.environ["DISPLAY"] = display
    import tkinter as tk

    from digitapp.gui.app import App
    from digitapp.gui.canvas import DrawingCanvas
    from digitapp.gui.personal import Corrections, Teacher
    from digitapp.personal import PersonalModel
    from digitapp.samples import SampleStore

    timings = Timings()
    for name in ("on_press", "on_motion", "on_release"):
        setattr(DrawingCanvas, name, timings.wrap(name[3:], getattr(DrawingCanvas, name)))
    for name in ("predict_now", "clear"):
        setattr(App, name, timings.wrap(name.replace("_now", ""), getattr(App, name)))
    Corrections.correct = timings.wrap("correction key", Corrections.correct)
    Corrections._learned = timings.wrap("show learned", Corrections._learned)
    Teacher._poll = timings.wrap("poll for learning", Teacher._poll)
    learning = Timings()  # from the key to the answer shown; the learning thread's own time
    keyed = Corrections.correct
    shown = Corrections._learned

    def correct(self, digit):
        learning.ms.setdefault("pressed", []).append(time.perf_counter())
        return keyed(self, digit)

    def learned(self, *args):
        result = shown(self, *args)
        learning.ms.setdefault("shown", []).append(time.perf_counter())
        return result

    Corrections.correct, Corrections._learned = correct, learned
    PersonalModel.learn_strokes = learning.wrap("thread", PersonalModel.learn_strokes)

    root = tk.Tk(className="digitapp")
    store = SampleStore(tempfile.mkdtemp(prefix="bench-gui-"))
    app = App(root, PersonalModel.open(store=store)[0])
    window.pump(root, 0.5)
    timings.ms.clear()  # the start-up prediction is not drawing

    # xdotool runs from a helper thread (it touches no Tk), so this thread just runs mainloop and
    # the heartbeat sees exactly what a user would: the app's own handlers and nothing of ours.
    side = app.canvas.side
    jobs = [window.xdotool_command(app.canvas, on_canvas(d, side)) for _ in range(rounds) for d in range(10)]
    jobs.append(window.xdotool_command(app.canvas, scribble(side), step_delay=0.002))
    answers: list = []
    done = threading.Event()

    def drive():
        for job in jobs:
            subprocess.run(job, check=True)
            time.sleep(0.1)  # the release's prediction
            answers.append(app.prediction.digit if app.prediction else None)  # a read, no Tk call
            if len(answers) <= 10 * rounds:
                subprocess.run(["xdotool", "key", str((len(answers) - 1) % 10)], check=True)  # learn it
                time.sleep(0.02)
            if len(answers) < len(jobs):
                subprocess.run(["xdotool", "key", "Escape"], check=True)  # clear, by the keyboard
                time.sleep(0.05)
        done.set()

    def stop_when_done():
        if done.is_set():
            root.quit()
        else:
            root.after(50, stop_when_done)

    root.focus_force()
    lateness = heartbeat(root)
    root.after(50, stop_when_done)
    threading.Thread(target=drive, daemon=True).start()
    root.mainloop()
    window.pump(root, 30.0, until=lambda: not app.corrections.teacher.busy)
    results = list(zip([d for _ in range(rounds) for d in range(10)], answers))
    points = len(app.canvas.drawing.sheet.strokes[-1].points)
    learned = len(store.load())
    root.destroy()
    pressed, shown_at = learning.ms.get("pressed", []), learning.ms.get("shown", [])
    key_to_answer = [1000 * (b - a) for a, b in zip(pressed, shown_at)]
    return (timings.ms, lateness, results, points, "matplotlib" in sys.modules, learned,
            {"key to answer shown": key_to_answer, "learning thread": learning.ms.get("thread", [])})


def row(name, values):
    v = np.asarray(values)
    return (f"  {name:<22}{len(v):>6}{np.median(v):>11.2f}{np.percentile(v, 95):>9.2f}"
            f"{np.percentile(v, 99):>9.2f}{v.max():>9.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="GUI start-up time and handler latency")
    parser.add_argument("--runs", type=int, default=5, help="start-up runs (default 5)")
    parser.add_argument("--current-display", action="store_true", help="use $DISPLAY instead of a private Xvfb")
    parser.add_argument("--rounds", type=int, default=2, help="times the ten digits are drawn and taught (default 2)")
    args = parser.parse_args(argv)

    with script_display("bench_gui", args.current_display) as display:
        startup = measure_startup(args.runs, display)
        handlers, lateness, results, points, matplotlib, learned, learn_ms = measure_handlers(display, args.rounds)

    import tkinter

    print(f"digitapp GUI benchmark: Python {platform.python_version()}, Tk {tkinter.TkVersion}, "
          f"{os.cpu_count()} CPUs, display {display}")
    print()
    s = np.asarray(startup)
    ok_start = np.median(s) <= STARTUP_LIMIT_S
    print(f"start-up, process spawn -> first frame drawn ({len(s)} runs of 'python -m harness.first_frame')")
    print(f"  median {np.median(s):.3f} s   min {s.min():.3f} s   max {s.max():.3f} s   "
          f"limit {STARTUP_LIMIT_S} s: {'OK' if ok_start else 'TOO SLOW'}")
    print(f"  matplotlib imported by the app: {'yes' if matplotlib else 'no'}")
    print()
    n = 10 * args.rounds
    print(f"Tk handlers while xdotool draws the digits 0-9 ({args.rounds}x) and a {points}-point scribble, pressing "
          f"each digit's key after it (the app learned {learned} of {n} while the next was drawn) (ms)")
    print(f"  {'handler':<22}{'calls':>6}{'median':>11}{'p95':>9}{'p99':>9}{'max':>9}")
    worst = 0.0
    for name in ("press", "motion", "release", "predict", "clear", "correction key", "poll for learning",
                 "show learned"):
        if name in handlers:
            print(row(name, handlers[name]))
            worst = max(worst, max(handlers[name]))
    print(row(f"loop lag ({HEARTBEAT_MS} ms tick)", lateness))
    ok_handlers = worst <= HANDLER_LIMIT_MS
    print(f"  slowest handler {worst:.2f} ms, limit {HANDLER_LIMIT_MS:.0f} ms: "
          f"{'OK' if ok_handlers else 'TOO SLOW'}")
    wrong = [f"{d}->{got}" for d, got in results if d != got]
    print(f"  drawn digits recognised: {n - len(wrong)}/{n}" + (f" (wrong: {', '.join(wrong)})" if wrong else ""))
    print()
    print(f"learning a correction in the window ({len(learn_ms['key to answer shown'])} corrections; the learning "
          "thread and Tk together, the next digit drawn meanwhile) (ms)")
    print(f"  {'':<22}{'count':>6}{'median':>11}{'p90':>9}{'max':>9}")
    ok_learning = True
    for name, values in learn_ms.items():
        v = np.asarray(values)
        print(f"  {name:<22}{len(v):>6}{np.median(v):>11.0f}{np.percentile(v, 90):>9.0f}{v.max():>9.0f}")
        if name == "key to answer shown":
            ok_learning = np.median(v) <= LEARN_MEDIAN_MS and np.percentile(v, 90) <= LEARN_P90_MS
    print(f"  limits {LEARN_MEDIAN_MS:.0f} ms median, {LEARN_P90_MS:.0f} ms p90 (key to answer shown): "
          f"{'OK' if ok_learning else 'TOO SLOW'}")
    return 0 if ok_start and ok_handlers and ok_learning else 1


if __name__ == "__main__":
    sys.exit(main())
