"""Driving the real window: a virtual X display, and digits drawn with real pointer events.

Used by tests/test_gui.py, scripts/screenshot.py and bench/bench_gui.py, so
all three draw the same digits the same way.  Needs Xvfb and xdotool (apt
packages ``xvfb`` and ``xdotool``) only when they are actually used.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator

Point = tuple[float, float]

TOOLS = ("Xvfb", "xdotool")


def missing_tools(tools=TOOLS) -> list[str]:
    """The programs of ``tools`` that are not on PATH."""
    return [tool for tool in tools if shutil.which(tool) is None]


@contextmanager
def script_display(prog: str, use_current: bool) -> Iterator[str]:
    """For a script that drives the app: $DISPLAY, or a private Xvfb for the block; DISPLAY is set to it.

    Exits with one line (``prog: needs ...``) when Xvfb or xdotool is missing.
    """
    missing = missing_tools(("xdotool",) if use_current else TOOLS)
    if missing:
        raise SystemExit(f"{prog}: needs {' and '.join(missing)} (apt install xvfb xdotool)")
    if use_current:
        yield os.environ.get("DISPLAY", "")
        return
    with VirtualDisplay() as server:
        os.environ["DISPLAY"] = server.name
        yield server.name


class VirtualDisplay:
    """An Xvfb server on a free display number (Xvfb picks it), stopped on exit or ``stop()``."""

    def __init__(self, size: str = "1280x1024x24"):
        self.size = size
        self.process: subprocess.Popen | None = None
        self.name = ""

    def __repr__(self):
        return f"VirtualDisplay({self.name or 'not started'}, {self.size})"

    def start(self, timeout: float = 10.0) -> "VirtualDisplay":
        read_fd, write_fd = os.pipe()
        try:
            self.process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.size, "-nolisten", "tcp"],
                pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            os.close(write_fd)
        number = b""
        deadline = time.monotonic() + timeout
        with os.fdopen(read_fd, "rb") as reader:  # Xvfb writes its number here once it is ready
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = reader.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip().isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.name = f":{int(number)}"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# -- digits as strokes, in a unit box (0..1, y down) --------------------------------------------

def _arc(cx, cy, rx, ry, start_deg, end_deg, n=40) -> list[Point]:
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start_deg + (end_deg - start_deg) * i / (n - 1) for i in range(n))]


def _line(p, q, n=12) -> list[Point]:
    return [(p[0] + (q[0] - p[0]) * i / (n - 1), p[1] + (q[1] - p[1]) * i / (n - 1)) for i in range(n)]


#: Clear hand-drawn shapes of some digits: each a list of strokes of (x, y) in the unit box.
DIGIT_SHAPES: dict[int, list[list[Point]]] = {
    0: [_arc(0.5, 0.5, 0.27, 0.38, -90, 275, 48)],
    1: [_line((0.52, 0.12), (0.48, 0.88), 16)],
    2: [_arc(0.5, 0.33, 0.24, 0.2, 190, 390, 20)[:-4] + _line((0.7, 0.45), (0.27, 0.86), 10)
        + _line((0.27, 0.86), (0.76, 0.86), 8)],
    3: [_arc(0.48, 0.31, 0.22, 0.19, 210, 450, 24) + _arc(0.48, 0.69, 0.25, 0.2, 270, 510, 24)],
    4: [_line((0.6, 0.12), (0.24, 0.62), 12) + _line((0.24, 0.62), (0.78, 0.62), 10),
        _line((0.6, 0.35), (0.6, 0.9), 12)],
    5: [_line((0.72, 0.14), (0.34, 0.14), 8) + _line((0.34, 0.14), (0.31, 0.46), 8)
        + _arc(0.48, 0.65, 0.25, 0.22, 230, 500, 28)],
    6: [_line((0.64, 0.12), (0.32, 0.62), 12) + _arc(0.51, 0.68, 0.19, 0.19, 180, 530, 32)],
    7: [_line((0.24, 0.15), (0.76, 0.15), 10) + _line((0.76, 0.15), (0.42, 0.88), 14)],
    8: [_arc(0.5, 0.3, 0.18, 0.17, 90, 450, 30) + _arc(0.5, 0.68, 0.22, 0.2, -90, 270, 32)],
    9: [_arc(0.48, 0.33, 0.2, 0.2, 0, 360, 32) + _line((0.68, 0.33), (0.62, 0.88), 12)],
}


def digit_strokes(digit: int, left: float, top: float, size: float) -> list[list[Point]]:
    """The strokes of ``digit`` scaled into the square (left, top, size) of canvas pixels."""
    return [[(left + x * size, top + y * size) for x, y in stroke] for stroke in DIGIT_SHAPES[digit]]


def circle_strokes(cx: float, cy: float, r: float, n: int = 48) -> list[list[Point]]:
    return [_arc(cx, cy, r, r, -90, 275, n)]


# -- drawing them ---------------------------------------------------------------------------------

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
