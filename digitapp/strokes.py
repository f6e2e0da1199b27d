"""Mouse strokes as point lists, and their rendering onto a PIL image.

The app keeps what the user drew as strokes (lists of points in the
canvas's coordinates).  The strokes are what gets recognised:
:func:`render_normalised` redraws them with a pen in proportion to the
digit, whatever pen the user chose, and that image goes to preprocessing.
:func:`render_strokes` draws them with their own pen, as the user sees them,
for display and saving.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from PIL import Image, ImageDraw

Point = tuple[float, float]
Stroke = Sequence[Point]

INK, PAPER = 255, 0  # the rendered image is light ink on a dark field

#: The canvas's side in its own coordinates, at 96 dpi (the window scales it up on HiDPI screens).
CANVAS_SIDE = 320
#: The canvas's width: room for a number of several digits, each about as large as a single one drawn
#: in a CANVAS_SIDE square (which is where a single digit goes, as before).
CANVAS_WIDTH = 512


def draw_stroke(draw: ImageDraw.ImageDraw, points: Stroke, width: float) -> None:
    """Connected segments with round caps and joins, so fast strokes leave no gaps."""
    if not points:
        return
    r = width / 2
    if len(points) > 1:
        draw.line([tuple(p) for p in points], fill=INK, width=max(1, round(width)), joint="curve")
    for x, y in points:  # round caps at the ends and round joins at every corner
        draw.ellipse((x - r, y - r, x + r, y + r), fill=INK)


def render_strokes(strokes: Iterable[Stroke], size: tuple[int, int], width: float) -> Image.Image:
    """A fresh 'L' image of ``size`` (width, height) with every stroke drawn in."""
    image = Image.new("L", size, PAPER)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw_stroke(draw, stroke, width)
    return image


#: Pen width as a fraction of the digit's extent that gives MNIST's median stroke: 2.9 px in its
#: 20 px box (ink per skeleton pixel, measured on the preprocessed training set), so 2.9 / 17.1.
NORMAL_PEN = 0.17


def render_normalised(strokes: Iterable[Stroke]) -> Image.Image | None:
    """The strokes redrawn with a pen in proportion to the digit, or None if there are no points.

    Whatever pen the user chose and however small they drew, the network then
    sees strokes as thick, relative to the digit, as MNIST's were.
    """
    strokes = [[(float(x), float(y)) for x, y in stroke] for stroke in strokes if len(stroke)]
    if not strokes:
        return None
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    pen = max(NORMAL_PEN * extent, 2.0)
    left, top = min(xs) - pen, min(ys) - pen
    size = (int(max(xs) - left + pen) + 1, int(max(ys) - top + pen) + 1)
    moved = [[(x - left, y - top) for x, y in stroke] for stroke in strokes]
    return render_strokes(moved, size, pen)
