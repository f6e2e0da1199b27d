"""Write docs/screenshot.png: the app after a number (or a digit) was written with real pointer events.

    python -m harness.screenshot              # "2026" on a private Xvfb (needs xvfb and xdotool)
    python -m harness.screenshot --current-display --digit 3 --out /tmp/shot.png
    python -m harness.screenshot --number 42 --select 0 --out /tmp/shot.png
    python -m harness.screenshot --inside     # the look-inside panel open, a 3 drawn: docs/inside.png
    python -m harness.screenshot --lab        # the lab: two runs compared, a 7 drawn: docs/lab.png (needs MNIST)

The window is grabbed with Pillow's ImageGrab from the X server (no screen
tools needed); without a window manager it has no title bar.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from harness.display import script_display
from harness.shapes import number_on_canvas, on_canvas
from harness.window import draw_with_xdotool, pump

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="PNG to write (default: docs/screenshot.png, docs/inside.png with --inside)")
    parser.add_argument("--digit", type=int, default=None, choices=range(10),
                        help="draw this one digit (default with --inside: 3)")
    parser.add_argument("--number", default="2026", help="draw these digits side by side (default 2026)")
    parser.add_argument("--select", type=int, default=None, metavar="I", help="then click digit I of the reading")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shipped one)")
    parser.add_argument("--current-display", action="store_true", help="use $DISPLAY instead of a private Xvfb")
    parser.add_argument("--inside", action="store_true", help="open the look-inside panel (Ctrl+I) first")
    parser.add_argument("--lab", action="store_true", help="open the lab (Ctrl+T), train two runs and compare them")
    parser.add_argument("--point-at", type=int, default=None, metavar="NEURON",
                        help="with --inside: leave the pointer on this neuron's tile "
                             "(default: the one that pushes hardest towards the answer)")
    args = parser.parse_args(argv)
    if not args.number.isdigit():
        parser.error("--number takes digits only, e.g. 2026")
    if args.out is None:
        args.out = ROOT / "docs" / ("inside.png" if args.inside else "lab.png" if args.lab else "screenshot.png")
    if args.inside and args.digit is None:
        args.digit = 3
    if args.lab and args.digit is None:
        args.digit = 7

    # A full-HD screen, so the window fits with the look-inside panel open.
    with script_display("screenshot", args.current_display, size="1920x1080x24"):
        return shoot(args)


def shoot(args) -> int:
    import tkinter as tk

    from PIL import ImageGrab

    from digitapp.gui.app import App
    from digitapp.recognizer import Recognizer

    root = tk.Tk(className="digitapp")
    app = App(root, Recognizer.load(args.model))
    pump(root, 1.0)  # a fresh display may drop the first pointer events
    if args.inside:
        root.focus_force()
        subprocess.run(["xdotool", "key", "--window", str(root.winfo_id()), "ctrl+i"], check=False)
        pump(root, 3.0, until=lambda: app.inside.renders > 0)
        pump(root, 0.3)
    if args.lab:
        train_two_runs(root, app)
    text = args.number if args.digit is None else str(args.digit)
    width, height = app.canvas.size
    strokes = on_canvas(args.digit, app.canvas.side) if args.digit is not None else number_on_canvas(text, width, height)
    draw_with_xdotool(root, app.canvas, strokes)
    pump(root, 2.0, until=lambda: app.prediction is not None and not app.canvas.drawing.drawing_stroke)
    pump(root, 0.3)
    if args.select is not None and app.reading is not None and 0 <= args.select < len(app.reading):
        app.select_digit(args.select)
        pump(root, 0.2)
    x, y = root.winfo_rootx(), root.winfo_rooty()
    w, h = root.winfo_width(), root.winfo_height()
    if args.inside:  # point at a neuron, so its description shows
        view = app.inside
        e, network = view.explanation, app.recognizer.network
        push = e.first_layer * network.weights[1][e.digit] if network.num_layers == 3 else e.first_layer
        neuron = args.point_at if args.point_at is not None else int(np.argmax(push))
        x0, y0, x1, y1 = view.tile_grid.tile_box(neuron)
        gx, gy = view.grid_canvas.winfo_rootx(), view.grid_canvas.winfo_rooty()
        subprocess.run(["xdotool", "mousemove", str(gx + (x0 + x1) // 2), str(gy + (y0 + y1) // 2)], check=False)
    else:
        subprocess.run(["xdotool", "mousemove", str(x + w + 40), str(y + h + 40)], check=False)  # no hover
    pump(root, 0.2)
    shot = ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=os.environ["DISPLAY"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shot.save(args.out)
    read = app.reading.text if app.reading is not None else ""
    print(f"wrote {args.out} ({w}x{h}); drew {text}, the app says {root.title()!r}"
          + ("" if read == text else "  <- wrong"))
    root.destroy()
    return 0


def train_two_runs(root, app) -> None:
    """In the lab: chapter 1's network with quadratic cost, then with cross-entropy; both selected."""
    root.focus_force()
    subprocess.run(["xdotool", "key", "--window", str(root.winfo_id()), "ctrl+t"], check=False)
    pump(root, 3.0, until=lambda: app.lab.is_open)
    lab = app.lab
    pump(root, 30.0, until=lambda: not lab.loader.is_alive())
    for cost, eta in (("quadratic", "3.0"), ("cross-entropy", "0.5")):
        for name, value in (("hidden", "30"), ("eta", eta), ("lmbda", "0"), ("batch_size", "10"), ("epochs", "4"),
                            ("training_size", "10000"), ("seed", "0")):
            lab.vars[name].set(value)
        lab.vars["cost"].set(cost)
        lab.start_pause()
        pump(root, 120.0, until=lambda: lab.run is not None and lab.run.done and not lab.running)
        pump(root, 0.3)
    lab.run_list.selection_set(0, "end")
    lab.draw_curves()
    pump(root, 0.3)


if __name__ == "__main__":
    sys.exit(main())
