"""How long the look-inside panel takes to update for a new drawing (limit: 15 ms median), and what it costs closed.

    python -m bench.inside                      # on a private Xvfb (needs xvfb and xdotool)
    python -m bench.inside --images 500 --current-display

The real window, with the panel opened as Ctrl+I opens it.  The inputs are
MNIST validation digits (the app's own 28x28 inputs), recognised beforehand:
what is timed is the panel's update, ``InsideView.show`` followed by
``update_idletasks`` (Tk redraws then), i.e. the evidence maths, the tile
grid's activations (and a deep model's strips), the evidence map and the
output bars; the shipped model, random networks with other hidden sizes and
a random deep ReLU + softmax network (``--deep``, default [784, 128, 64, 10]).  Also timed: the update after
the weights changed in place (the tiles are redrawn, as after learning from a
correction), opening the panel the first time, and ``show`` while closed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

from digitapp.strokes import CANVAS_SIDE
from harness.display import script_display
from harness.shapes import on_canvas
from harness.window import pump

LIMIT_MS = 15.0


def stats(ms) -> str:
    v = np.asarray(ms)
    return f"{np.median(v):>9.2f}{np.percentile(v, 95):>9.2f}{v.max():>9.2f}{len(v):>8}"


def measure(recognizer, predictions, label: str, rows: list) -> float:
    """Time the panel in a fresh window for ``recognizer``; appends table rows and returns the median update."""
    import tkinter as tk

    from digitapp.blas import fast_blas
    from digitapp.explain import explain
    from digitapp.gui.app import App

    root = tk.Tk(className="digitapp")
    app = App(root, recognizer)
    pump(root, 0.2)
    app.prediction = predictions[0]
    t = time.perf_counter()
    app.toggle_inside()
    root.update_idletasks()
    first_open = (time.perf_counter() - t) * 1000
    pump(root, 0.2)

    explain_ms, update_ms, weights_ms = [], [], []
    for p in predictions:
        t = time.perf_counter()
        with fast_blas():  # as the panel runs it
            explain(recognizer.network, p.input)
        explain_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        app.inside.show(recognizer, p)
        root.update_idletasks()
        update_ms.append((time.perf_counter() - t) * 1000)
        root.update()
    w = recognizer.network.weights[0]
    keep = w.copy()
    for p in predictions[:20]:
        w[0, 0] += 1e-3  # in place, as learning from a correction does
        t = time.perf_counter()
        app.inside.show(recognizer, p)
        root.update_idletasks()
        weights_ms.append((time.perf_counter() - t) * 1000)
    w[...] = keep
    app.toggle_inside()
    root.update_idletasks()
    hidden_ms = []
    for p in predictions:
        t = time.perf_counter()
        app.inside.show(recognizer, p)
        hidden_ms.append((time.perf_counter() - t) * 1000)
    grid, strips = app.inside.tile_grid, app.inside.strips
    root.destroy()
    recognise_ms = []  # for scale: what the app already does for every drawing
    for i in range(len(predictions)):
        strokes = on_canvas(i % 10, CANVAS_SIDE)
        t = time.perf_counter()
        recognizer.predict_strokes(strokes)
        recognise_ms.append((time.perf_counter() - t) * 1000)

    deeper = "".join(f", then {s.grid.n} in squares of {s.grid.cell - 1} px" for s in strips)
    rows.append(f"{label}: {grid.n} hidden neurons, {grid.rows}x{grid.columns} tiles of {grid.tile_side} px{deeper}")
    rows.append(f"  {'explain() (evidence maths)':<40}{stats(explain_ms)}")
    rows.append(f"  {'update for a new drawing (the limit)':<40}{stats(update_ms)}")
    rows.append(f"  {'update after the weights changed':<40}{stats(weights_ms)}")
    rows.append(f"  {'show() while the panel is closed':<40}{stats(hidden_ms)}")
    rows.append(f"  {'opening it the first time':<40}{first_open:>9.2f}")
    rows.append(f"  {'for scale: recognising a drawn digit':<40}{stats(recognise_ms)}")
    return float(np.median(update_ms))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inside", description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=300, help="MNIST validation digits to show (default 300)")
    parser.add_argument("--hidden", type=int, nargs="*", default=[30, 300],
                        help="also random Network([784, H, 10]) for these H (default 30 300)")
    parser.add_argument("--deep", type=int, nargs="*", default=[128, 64],
                        help="also a random ReLU + softmax Network([784, *DEEP, 10]) (default 128 64; none: leave out)")
    parser.add_argument("--current-display", action="store_true", help="use $DISPLAY instead of a private Xvfb")
    args = parser.parse_args(argv)

    import mnist_loader

    from digitapp.network2 import Network
    from digitapp.recognizer import Recognizer

    validation_x = mnist_loader.load_data()[1][0][:args.images]
    shipped = Recognizer.load()
    models = [("shipped model", shipped)]
    models += [(f"random Network([784, {h}, 10])", Recognizer(Network([784, h, 10], seed=h, dtype=np.float32)))
               for h in args.hidden]
    if args.deep:
        sizes = [784, *args.deep, 10]
        models.append((f"random ReLU + softmax Network({sizes})",
                       Recognizer(Network(sizes, cost="log-likelihood", activation="relu", seed=1, dtype=np.float32))))
    rows: list[str] = []
    medians = []
    with script_display("bench.inside", args.current_display) as display:
        for label, recognizer in models:
            predictions = [recognizer.predict_input(x.reshape(-1, 1)) for x in validation_x]
            medians.append(measure(recognizer, predictions, label, rows))

    import tkinter

    print(f"look-inside panel: Python {platform.python_version()}, Tk {tkinter.TkVersion}, {os.cpu_count()} CPUs, "
          f"display {display}, {len(validation_x)} MNIST validation digits")
    print(f"  {'ms':<40}{'median':>9}{'p95':>9}{'max':>9}{'runs':>8}")
    for row in rows:
        print(row)
    ok = medians[0] <= LIMIT_MS
    print(f"update for a new drawing, shipped model: median {medians[0]:.2f} ms, limit {LIMIT_MS:.0f} ms: "
          f"{'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
