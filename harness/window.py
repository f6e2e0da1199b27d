"""Driving the real window: Tk's event loop, and strokes drawn with Tk events or real pointer events.

Used by the GUI tests, harness/screenshot.py and bench/bench_gui.py.  The
tests and the screenshot draw with :func:`draw_with_xdotool`, which waits for
the canvas to get each event, so the drawing is the same on any machine; the
GUI bench sends :func:`xdotool_command` at a user's pace and lets Tk merge
motion events as it does for a real mouse.  xdotool draws on the display in
$DISPLAY (see :mod:`harness.display`).
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
    """One xdotool command line that draws ``strokes`` with real pointer events on ``canvas``, at a fixed pace.

    Tk merges the motion events it has not read yet, so a busy window gets fewer
    points, as with a real mouse: right for timing the window, not for a test
    that needs the exact drawing (that is :func:`draw_with_xdotool`).
    """
    ox, oy = canvas.winfo_rootx(), canvas.winfo_rooty()
    command = ["xdotool"]
    for stroke in strokes:
        x, y = stroke[0]
        command += ["mousemove", str(round(ox + x)), str(round(oy + y)), "sleep", "0.03", "mousedown", "1"]
        for x, y in stroke[1:]:
            command += ["sleep", f"{step_delay:g}", "mousemove", str(round(ox + x)), str(round(oy + y))]
        command += ["sleep", "0.03", "mouseup", "1", "sleep", "0.03"]
    return command


#: The bind tag through which :func:`draw_with_xdotool` sees each pointer event the canvas gets.
SEEN_TAG = "HarnessPointerEvents"


def draw_with_xdotool(root, canvas, strokes, display: str | None = None, timeout: float = 30.0) -> None:
    """Draw ``strokes`` with real pointer events (xdotool), each sent once the canvas has handled the one before.

    Tk keeps only the last of the motion events that are waiting when it reads
    them (motion compression).  Events sent at a fixed pace therefore lose
    points whenever this process is slow to read them, on a loaded machine,
    and the drawing the window gets is not the one the test drew.  Here every
    event is waited for (a state, not a time), so the canvas gets every point
    however slow the machine is; ``timeout`` bounds the whole drawing.
    """
    env = dict(os.environ)
    if display:
        env["DISPLAY"] = display
    deadline = time.monotonic() + timeout
    pump(root, timeout, until=canvas.winfo_viewable)  # events sent before the window is mapped go elsewhere
    if not canvas.winfo_viewable():
        raise RuntimeError("the canvas was never shown, so it cannot be drawn on")
    seen: list[tuple[str, int, int]] = []
    tags = canvas.bindtags()
    canvas.bindtags((SEEN_TAG, *tags))  # first, so a handler that returns "break" cannot hide an event
    for sequence, kind in (("<ButtonPress-1>", "press"), ("<Motion>", "motion"), ("<ButtonRelease-1>", "release")):
        canvas.bind_class(SEEN_TAG, sequence, lambda e, kind=kind: seen.append((kind, e.x, e.y)))
    ox, oy = canvas.winfo_rootx(), canvas.winfo_rooty()

    def send(expected: tuple[str, int, int], *actions: str) -> None:
        count = len(seen)
        result = subprocess.run(["xdotool", *actions], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                timeout=max(1.0, deadline - time.monotonic()))
        if result.returncode != 0:
            raise RuntimeError(f"xdotool failed: {result.stderr.decode(errors='replace').strip()}")
        pump(root, deadline - time.monotonic(), until=lambda: expected in seen[count:])
        if expected not in seen[count:]:
            raise RuntimeError(f"the canvas never got the {expected[0]} at {expected[1:]} (it got {seen[count:]})")

    try:
        for stroke in strokes:
            x, y = (round(c) for c in stroke[0])
            send(("press", x, y), "mousemove", str(ox + x), str(oy + y), "mousedown", "1")
            for point in stroke[1:]:
                last, (x, y) = (x, y), (round(c) for c in point)
                if (x, y) != last:  # the pointer does not move, so X sends no event
                    send(("motion", x, y), "mousemove", str(ox + x), str(oy + y))
            send(("release", x, y), "mouseup", "1")
    finally:
        canvas.bindtags(tags)
