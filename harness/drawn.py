"""Digits drawn as a mouse user would: MNIST test digits turned into strokes on the app's canvas.

MNIST accuracy says little about what a user of the app gets: a mouse draws
hard-edged strokes of one width, at any size and place on the canvas.  This
module turns MNIST *test* digits into such drawings:

1. trace the 28x28 digit into strokes (:func:`digitapp.trace.digit_strokes`:
   thresholded, skeletonised, the skeleton's graph joined at crossings into
   strokes that carry straight on, as a hand would; the training data's
   other writers are traced by the same function);
2. wobble the points a little (a smooth random displacement), apply a random
   aspect, slant and rotation, scale the digit to between a third of the
   canvas and nearly all of it, put it anywhere on the canvas, and resample
   the strokes the way mouse events arrive (integer points a few pixels
   apart, with a little jitter), with a random pen width from thin to thick.

:func:`make_drawn_digits` makes a reproducible set (the same seed gives the
same drawings); :func:`render_set`, :func:`save_set` and :func:`load_set`
keep it.  ``bench/drawn_digits.py`` measures the app on it; a training
script or a test can reuse it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitapp.gui.app import PEN_MAX, PEN_MIN
from digitapp.preprocess import FIELD
from digitapp.strokes import CANVAS_SIDE
from digitapp.trace import digit_strokes

CANVAS = CANVAS_SIDE          # the app's canvas side, in pixels
SIZE_RANGE = (CANVAS / 3, 0.95 * CANVAS)  # the longer side of the drawn digit, ink included
PEN_RANGE = (PEN_MIN, PEN_MAX)  # pen widths, thin to thick: the app's pen slider
PEN_MAX_OF_SIZE = 0.22        # but never thicker than this share of the digit's size, so loops stay open
SLANT_RANGE = 0.25            # shear x += slant * y, either way
ROTATION_DEG = 12.0           # rotation, either way
ASPECT_RANGE = (0.85, 1.15)   # width stretch before slant and rotation
WOBBLE = 0.45                 # amplitude of the smooth displacement, in MNIST pixels
STEP_RANGE = (2.0, 8.0)       # canvas pixels between successive mouse points
JITTER = 0.5                  # mouse jitter, canvas pixels (then rounded to whole pixels)

SKIMAGE_MISSING = ("scikit-image is missing (the skeletons need it): "
                   "pip install -e '.[train]'")



class BenchError(Exception):
    """An expected problem (missing package, data or model); the message is one line."""


# ---------------------------------------------------------------- one MNIST digit -> template strokes

# ---------------------------------------------------------------- template -> a mouse drawing

def _wobble(points: np.ndarray, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """A smooth random displacement field (two waves per axis), the same for every stroke."""
    out = points.copy()
    for axis in range(2):
        for _ in range(2):
            angle = rng.uniform(0, np.pi)
            wavelength = rng.uniform(8.0, 20.0)
            phase = rng.uniform(0, 2 * np.pi)
            along = points @ np.array([np.cos(angle), np.sin(angle)])
            out[:, axis] += amplitude / 2 * np.sin(2 * np.pi * along / wavelength + phase)
    return out


def _resample(points: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` pixels along the line, both ends kept: how mouse events arrive."""
    if len(points) < 2:
        return points
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    total = along[-1]
    if total <= 0:
        return points[:1]
    n = max(1, int(round(total / step)))
    where = np.linspace(0.0, total, n + 1)
    return np.stack([np.interp(where, along, points[:, j]) for j in range(2)], axis=1)


@dataclass
class DrawnDigit:
    """One synthetic mouse drawing: its strokes (float (n, 2) arrays of canvas x, y) and pen width."""

    label: int
    strokes: list = field(repr=False)
    pen_width: float
    mnist_index: int = -1
    canvas: int = CANVAS

    def __repr__(self):
        n = sum(len(s) for s in self.strokes)
        return (f"DrawnDigit(label={self.label}, mnist_index={self.mnist_index}, "
                f"strokes={len(self.strokes)}, points={n}, pen_width={self.pen_width:.1f})")

    def render(self):
        """The canvas as the app draws it: a PIL 'L' image, white ink on black."""
        from digitapp.strokes import render_strokes

        return render_strokes([s.tolist() for s in self.strokes], (self.canvas, self.canvas), self.pen_width)

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the stroke points."""
        points = np.concatenate(self.strokes)
        return (*points.min(axis=0), *points.max(axis=0))


def draw_like_a_user(template: list[np.ndarray], rng: np.random.Generator, canvas: int = CANVAS):
    """Random pen, size, place, aspect, slant and rotation for template strokes: (strokes, pen width)."""
    size = rng.uniform(*SIZE_RANGE) * canvas / CANVAS
    pen = rng.uniform(PEN_RANGE[0], min(PEN_RANGE[1], max(PEN_RANGE[0], PEN_MAX_OF_SIZE * size)))
    slant = rng.uniform(-SLANT_RANGE, SLANT_RANGE)
    angle = np.radians(rng.uniform(-ROTATION_DEG, ROTATION_DEG))
    aspect = rng.uniform(*ASPECT_RANGE)
    step = rng.uniform(*STEP_RANGE)

    lengths = [len(s) for s in template]
    points = _wobble(np.concatenate(template), rng, WOBBLE)
    points = points - points.mean(axis=0)
    rotate = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shear = np.array([[1.0, -slant], [0.0, 1.0]])  # y grows downwards: -slant leans the top right
    points = points @ (rotate @ shear @ np.diag([aspect, 1.0])).T
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    scale = (size - pen) / extent if extent > 0 else 1.0
    points = (points - low) * scale
    span = high - low
    margin = pen / 2 + 2
    room = np.maximum(canvas - 2 * margin - span * scale, 0.0)
    points += margin + rng.uniform(0, 1, 2) * room

    strokes = []
    for part in np.split(points, np.cumsum(lengths)[:-1]):
        mouse = _resample(part, step)
        if len(mouse) > 2:
            mouse[1:-1] += rng.normal(0, JITTER, (len(mouse) - 2, 2))
        strokes.append(np.clip(np.round(mouse), 0, canvas - 1).astype(np.float32))
    return strokes, float(pen)


# ---------------------------------------------------------------- a whole set

def load_mnist_test(data_dir=None, fetch_missing: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's 10,000 test digits: float32 (N, 784) in [0, 1] and int labels (N,)."""
    import mnist_loader

    try:
        return mnist_loader.load_data(data_dir, fetch_missing=fetch_missing)[2]
    except mnist_loader.MnistError as err:
        raise BenchError(str(err)) from None


def balanced_order(labels: np.ndarray, seed: int) -> np.ndarray:
    """Indices in a seeded random order that takes the classes in turn, so any prefix is balanced.

    Round r holds the r-th (shuffled) digit of every class that still has
    one, in shuffled order; 2,000 digits are 200 of each class.
    """
    rng = np.random.default_rng([seed, 0xD161])
    per_class = [rng.permutation(np.flatnonzero(labels == d)) for d in range(10)]
    rounds = max(len(p) for p in per_class)
    order = []
    for r in range(rounds):
        batch = [p[r] for p in per_class if r < len(p)]
        order.extend(rng.permutation(batch).tolist())
    return np.array(order, dtype=np.int64)


def make_drawn_digits(count: int = 2000, seed: int = 0, test=None, data_dir=None,
                      canvas: int = CANVAS, progress: bool = False) -> tuple[list[DrawnDigit], np.ndarray]:
    """``count`` MNIST test digits drawn as mouse strokes: (drawings, int labels (count,)).

    Reproducible: the same seed gives the same drawings, and a shorter set
    is a prefix of a longer one.  ``test`` is MNIST's (images, labels), loaded
    when not given.  Past 10,000 the digits come round again, drawn anew.
    """
    images, labels = test if test is not None else load_mnist_test(data_dir)
    images = np.asarray(images).reshape(len(images), -1)
    order = balanced_order(np.asarray(labels), seed)
    drawings = []
    items = range(count)
    if progress:
        from tqdm import tqdm
        items = tqdm(items, desc="drawing", unit="digit", file=sys.stderr, dynamic_ncols=True, leave=False)
    for i in items:
        index = int(order[i % len(order)])
        rng = np.random.default_rng([seed, i])
        strokes, pen = draw_like_a_user(digit_strokes(images[index]), rng, canvas)
        drawings.append(DrawnDigit(int(labels[index]), strokes, pen, index, canvas))
    return drawings, np.array([d.label for d in drawings], dtype=np.int64)


def render_set(drawings: list[DrawnDigit]) -> np.ndarray:
    """Every canvas as uint8 (N, canvas, canvas), white ink on black."""
    return np.stack([np.asarray(d.render(), dtype=np.uint8) for d in drawings])


def save_set(path, drawings: list[DrawnDigit], inputs: np.ndarray | None = None,
             images: np.ndarray | None = None, seed: int | None = None) -> Path:
    """A compressed .npz: the strokes (always), the 28x28 inputs and the canvases if given.

    Keys: labels, mnist_index, pen_width, canvas, points (M, 2) float32,
    stroke_sizes (points per stroke), strokes_per_digit; optional inputs
    (N, 28, 28) float32, images (N, canvas, canvas) uint8, seed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    strokes = [s for d in drawings for s in d.strokes]
    arrays = dict(
        labels=np.array([d.label for d in drawings], np.uint8),
        mnist_index=np.array([d.mnist_index for d in drawings], np.int32),
        pen_width=np.array([d.pen_width for d in drawings], np.float32),
        canvas=np.array(drawings[0].canvas if drawings else CANVAS),
        points=np.concatenate(strokes).astype(np.float32) if strokes else np.zeros((0, 2), np.float32),
        stroke_sizes=np.array([len(s) for s in strokes], np.int32),
        strokes_per_digit=np.array([len(d.strokes) for d in drawings], np.int32),
    )
    if inputs is not None:
        arrays["inputs"] = np.asarray(inputs, np.float32).reshape(len(drawings), FIELD, FIELD)
    if images is not None:
        arrays["images"] = np.asarray(images, np.uint8)
    if seed is not None:
        arrays["seed"] = np.array(seed)
    np.savez_compressed(path, **arrays)
    return path


def load_set(path) -> tuple[list[DrawnDigit], np.ndarray, dict]:
    """What :func:`save_set` wrote: (drawings, labels, the other arrays by name)."""
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    canvas = int(arrays["canvas"])
    strokes = np.split(arrays["points"], np.cumsum(arrays["stroke_sizes"])[:-1]) if len(arrays["stroke_sizes"]) else []
    bounds = np.concatenate([[0], np.cumsum(arrays["strokes_per_digit"])])
    drawings = [DrawnDigit(int(arrays["labels"][i]), list(strokes[bounds[i]:bounds[i + 1]]),
                           float(arrays["pen_width"][i]), int(arrays["mnist_index"][i]), canvas)
                for i in range(len(arrays["labels"]))]
    return drawings, arrays["labels"].astype(np.int64), arrays


def ink_size(drawing: DrawnDigit) -> float:
    """The longer side of the drawing's ink (stroke points plus the pen), in canvas pixels."""
    x0, y0, x1, y1 = drawing.bbox()
    return float(max(x1 - x0, y1 - y0) + drawing.pen_width)

