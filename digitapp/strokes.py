"""Mouse strokes as point lists, and their rendering onto a PIL image.

The app keeps what the user drew as strokes (lists of points in the
canvas's coordinates).  The strokes are what gets recognised:
:func:`render_normalised` redraws them with a pen in proportion to the
digit, whatever pen the user chose, and that image goes to preprocessing.
:func:`render_strokes` draws them with their own pen, as the user sees them,
for display and saving.
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

import numpy as np
from PIL import Image, ImageDraw

Point = tuple[float, float]
Stroke = Sequence[Point]

INK, PAPER = 255, 0  # the rendered image is light ink on a dark field

#: The canvas's side in its own coordinates, at 96 dpi (the window scales it up on HiDPI screens).
CANVAS_SIDE = 320
#: The canvas's width: room for a number of several digits, each about as large as a single one drawn
#: in a CANVAS_SIDE square (which is where a single digit goes, as before).
CANVAS_WIDTH = 512


#: What one drawing may hold, for every caller (the canvas, the Python API, a samples file): far more than
#: any hand draws, far less than makes a reading take seconds or gigabytes.
MAX_STROKES = 1_000
MAX_POINTS = 1_000_000
MAX_COORDINATE = 100_000.0  # canvas pixels either way: 200 canvases wide
#: A drawing with more points than this is thinned before it is drawn or kept: points closer than
#: THIN_STEP of the drawing's extent are merged (no pen shows the difference), then, if still too many,
#: every stroke keeps evenly spaced points.  A hand on a mouse gives some 70-200 points per digit.
KEPT_POINTS = 4_000
#: A drawing is redrawn at most this many pixels across (a canvas at 4x is 2,048): a far-flung one is
#: scaled down first, so its picture stays small whatever its coordinates.
MAX_RENDERED = 2_048.0
THIN_STEP = 1 / 512


#: The PNG text chunk in which the window saves a drawing's strokes, so a saved drawing reads as it did drawn.
STROKES_KEY = "digitapp:strokes"


class StrokeError(ValueError):
    """Strokes that no drawing could be: the message says what is wrong, in one line."""


def clean_strokes(strokes) -> list[list[Point]]:
    """Strokes as lists of (x, y) floats, each checked, in their order (empty ones kept, so indices hold);
    thinned when denser than KEPT_POINTS.  Raises StrokeError for anything else."""
    try:
        strokes = list(strokes)
    except TypeError:
        raise StrokeError("strokes must be a list of strokes, each a list of (x, y) points") from None
    if len(strokes) > MAX_STROKES:
        raise StrokeError(f"too many strokes ({len(strokes)}; a drawing holds at most {MAX_STROKES})")
    arrays, total = [], 0
    for stroke in strokes:
        try:
            n = len(stroke)
        except TypeError:
            raise StrokeError("a stroke must be a list of (x, y) points") from None
        total += n
        if total > MAX_POINTS:
            raise StrokeError(f"too many points (more than {MAX_POINTS:,} in one drawing)")
        try:
            points = np.array(stroke, dtype=np.float64).reshape(n, 2) if n else np.zeros((0, 2))
        except (TypeError, ValueError, OverflowError):
            raise StrokeError("a stroke's points must be (x, y) pairs of numbers") from None
        if not np.isfinite(points).all():
            raise StrokeError("a stroke holds NaN or infinite coordinates")
        if n and np.abs(points).max() > MAX_COORDINATE:
            raise StrokeError(f"a point lies {np.abs(points).max():.3g} pixels out (at most {MAX_COORDINATE:g})")
        arrays.append(points)
    if total > KEPT_POINTS:
        arrays = _thinned(arrays, total)
    return [[(x, y) for x, y in a.tolist()] for a in arrays]


def _thinned(arrays: list[np.ndarray], total: int) -> list[np.ndarray]:
    """Fewer points that draw the same: neighbours on one cell of a fine grid merged, then evenly spaced."""
    ink = np.concatenate([a for a in arrays if len(a)])
    step = max(float(np.ptp(ink, axis=0).max()) * THIN_STEP, 1e-9)
    merged = []
    for a in arrays:
        if len(a) > 1:  # a point is kept where it enters a new cell; the ends always
            cells = np.floor(a / step)
            moved = np.any(cells[1:] != cells[:-1], axis=1)
            a = a[np.concatenate([[True], moved[:-1], [True]])]
        merged.append(a)
    total = sum(len(a) for a in merged)
    if total <= KEPT_POINTS:
        return merged
    share = (KEPT_POINTS - 2 * len(merged)) / total  # every stroke keeps its two ends: at most KEPT_POINTS
    return [a[np.unique(np.linspace(0, len(a) - 1, max(2, int(len(a) * share))).round().astype(int))]
            if len(a) > 2 else a for a in merged]


def draw_stroke(draw: ImageDraw.ImageDraw, points: Stroke, width: float) -> None:
    """Connected segments with round caps and joins, so fast strokes leave no gaps.

    The segments are one C call; a disc at every point makes the round caps
    and joins.  (PIL's own ``joint="curve"`` computed a pie slice per joint in
    Python, which was most of the time of reading a drawing, and the discs
    cover it all but a few edge pixels: ``python -m bench.reading``.)
    """
    if not points:
        return
    r = width / 2
    if len(points) > 1:
        draw.line([tuple(p) for p in points], fill=INK, width=max(1, round(width)))
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


def render_normalised(strokes: Iterable[Stroke], checked: bool = False) -> Image.Image | None:
    """The strokes redrawn with a pen in proportion to the digit, or None if there are no points.

    Whatever pen the user chose and however small they drew, the network then
    sees strokes as thick, relative to the digit, as MNIST's were.  ``checked``:
    they come from :func:`clean_strokes` already, so they are not checked twice.
    """
    strokes = [stroke for stroke in (strokes if checked else clean_strokes(strokes)) if len(stroke)]
    if not strokes:
        return None
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    if extent > MAX_RENDERED:  # larger than any canvas: drawn smaller (the digit ends up 20 px anyway)
        shrink = MAX_RENDERED / extent
        strokes = [[(x * shrink, y * shrink) for x, y in stroke] for stroke in strokes]
        xs, ys, extent = [x * shrink for x in xs], [y * shrink for y in ys], MAX_RENDERED
    pen = max(NORMAL_PEN * extent, 2.0)
    left, top = min(xs) - pen, min(ys) - pen
    size = (int(max(xs) - left + pen) + 1, int(max(ys) - top + pen) + 1)
    moved = [[(x - left, y - top) for x, y in stroke] for stroke in strokes]
    return render_strokes(moved, size, pen)


def strokes_text(strokes) -> str:
    """The strokes as the text the window keeps in a saved PNG: JSON, points to a hundredth of a pixel."""
    points = [[[round(float(x), 2), round(float(y), 2)] for x, y in stroke] for stroke in clean_strokes(strokes)]
    return json.dumps({"format": "digitapp-strokes", "version": 1, "strokes": points}, separators=(",", ":"))


def saved_strokes(image) -> list[list[Point]] | None:
    """The strokes a PNG saved by the window carries (:func:`strokes_text` in its STROKES_KEY chunk), or None
    when it carries none, or anything that is not a drawing's strokes (then its pixels are what is read)."""
    text = getattr(image, "info", {}).get(STROKES_KEY)
    if not isinstance(text, str) or len(text) > 20 * MAX_POINTS:
        return None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != "digitapp-strokes":
            return None
        strokes = clean_strokes(data["strokes"])
    except (ValueError, KeyError, TypeError, RecursionError):  # StrokeError is a ValueError
        return None
    return strokes if any(strokes) else None
