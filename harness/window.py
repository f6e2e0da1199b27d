"""Driving the real window: Tk's event loop, and strokes drawn with Tk events or real pointer events.

Used by tests/test_gui.py, harness/screenshot.py and bench/bench_gui.py, so
all three draw the same way.  xdotool draws on the display in $DISPLAY (see
:mod:`harness.display`).
"""

from __future__ import annotations

import os
import subprocess
import time


def pump(root, seconds: float = 0.0, until=None) -> None:
    """Run Tk's event loop for ``seconds`` (or until ``until()`` is true, at most that long)."""
    deadline = time.monotonic() + seconds
    while True:
        root.update()
        if (until is not None and until()) or time.monotonic() >= deadline:
            return
        time.sleep(0.002)


def draw_with_events(canvas, strokes) -> None:
    """Draw ``strokes`` (canvas pixels) by generating Tk mouse events on the canvas."""
    for stroke in strokes:
        x, y = (round(c) for c in stroke[0])
        canvas.event_generate("<ButtonPress-1>", x=x, y=y)
        for px, py in stroke[1:]:
            x, y = round(px), round(py)
            canvas.event_generate("<B1-Motion>", x=x, y=y)
        canvas.event_generate("<ButtonRelease-1>", x=x, y=y)
    canvas.update()


def xdotool_command(canvas, strokes, step_delay: float = 0.004) -> list[str]:
    """One xdotool command line that draws ``strokes`` with real pointer events on ``canvas``."""
    ox, oy = canvas.winfo_rootx(), canvas.winfo_rooty()
    command = ["xdotool"]
    for stroke in strokes:
        x, y = stroke[0]
        command += ["mousemove", str(round(ox + x)), str(round(oy + y)), "sleep", "0.03", "mousedown", "1"]
        for x, y in stroke[1:]:
            command += ["sleep", f"{step_delay:g}", "mousemove", str(round(ox + x)), str(round(oy + y))]
        command += ["sleep", "0.03", "mouseup", "1", "sleep", "0.03"]
    return command


def draw_with_xdotool(root, canvas, strokes, display: str | None = None, timeout: float = 20.0,
                      step_delay: float = 0.004) -> None:
    """Draw ``strokes`` with xdotool while Tk's event loop keeps running in this process."""
    env = dict(os.environ)
    if display:
        env["DISPLAY"] = display
    root.update()
    process = subprocess.Popen(xdotool_command(canvas, strokes, step_delay), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("xdotool did not finish")
        root.update()
        time.sleep(0.001)
    pump(root, 0.15)  # the last events
    if process.returncode != 0:
        raise RuntimeError(f"xdotool failed: {process.stderr.read().decode(errors='replace').strip()}")
