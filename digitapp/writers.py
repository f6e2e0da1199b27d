"""Other writers' digits for training: MNIST training digits traced into strokes and redrawn with a hand's variation.

The templates (:mod:`digitapp.templates`) are a few dozen drawings; the
shapes people write lie between and beyond them.  MNIST's 50,000 training
digits are thousands of writers' shapes.  Each is traced into strokes
(:mod:`digitapp.trace`), varied where a hand varies (how much an arc bends,
how big a loop is and whether it closes, where a closed stroke starts,
how long a tail or hook runs and where it turns, the proportions of top and
bottom), given a writer's slant, rotation, aspect and wobble
(:func:`digitapp.styled.writer_variation`) and drawn the way the app draws:
most through the stroke path (``preprocess.strokes_input``), the rest
rendered with a random pen and read as a picture (``preprocess.preprocess``).
Stroke order and direction change nothing the network sees, so they are not
varied.
"""

from __future__ import annotations

import math

import numpy as np

from .preprocess import FIELD, preprocess
from .strokes import render_strokes
from .styled import input_of, writer_variation
from .trace import digit_strokes

BEND = 0.1            # a bump across a stroke: up to this share of the digit's height
BUMPS = (1, 3)        # one or two bumps per stroke (upper bound exclusive)
TRIM = 0.1            # an end cut back by up to this share of its stroke (a loop opens, a tail shortens)
EXTEND = 0.15         # or run on by up to this share of the digit's height ...
CURL_DEG = 70.0       # ... turning up to this much along the way (a hook)
WAIST = 0.3           # the middle moves up or down: y + WAIST * y * (1 - y), loop sizes and proportions
CLOSED = 0.08         # a stroke whose ends are this close (share of the height) is a loop: it may start anywhere
IMAGE_SHARE = 0.3     # this share is rendered with a random pen and read as a picture, not as strokes
PEN_SHARE = (0.05, 0.2)  # that pen, as a share of the digit's size


def unit_box(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Strokes moved and scaled (aspect kept) so the taller side spans 0..1 and the drawing is centred at 0.5."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = max(float((high - low).max()), 1e-6)
    centre = (low + high) / 2
    return [(np.asarray(s, float) - centre) / extent + 0.5 for s in strokes]


def _normals(points: np.ndarray) -> np.ndarray:
    """Unit normals along a polyline (zero where it does not move)."""
    tangent = np.gradient(points, axis=0) if len(points) > 1 else np.zeros_like(points)
    length = np.hypot(*tangent.T)[:, None]
    unit = np.divide(tangent, length, out=np.zeros_like(tangent), where=length > 0)
    return np.stack([-unit[:, 1], unit[:, 0]], axis=1)


def _along(points: np.ndarray) -> np.ndarray:
    """Arc length at every point, 0 to 1 (all 0 for a dot)."""
    steps = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    return steps / steps[-1] if steps[-1] > 0 else steps


def bend(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One or two smooth bumps across the stroke: an arc bends more or less, a stem curves, a loop swells."""
    if len(points) < 4:
        return points
    t = _along(points)
    normals = _normals(points)
    out = points.copy()
    for _ in range(int(rng.integers(*BUMPS))):
        centre, width = rng.uniform(0.1, 0.9), rng.uniform(0.12, 0.4)
        out += rng.uniform(-BEND, BEND) * np.exp(-((t - centre) / width) ** 2)[:, None] * normals
    return out


def _ends(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each end cut back, run on along its direction with a curl, or left as it is."""
    for _ in range(2):
        choice = rng.integers(3)
        if choice == 0 and len(points) > 6:
            t = _along(points)
            points = points[t <= 1 - rng.uniform(0, TRIM)] if (t <= 1 - TRIM).sum() >= 3 else points
        elif choice == 1 and len(points) > 2:
            direction = points[-1] - points[-3]
            norm = math.hypot(*direction)
            if norm > 0:
                length, curl = rng.uniform(0, EXTEND), math.radians(rng.uniform(-CURL_DEG, CURL_DEG))
                steps = 8
                angles = math.atan2(direction[1], direction[0]) + curl * np.arange(1, steps + 1) / steps
                tail = points[-1] + np.cumsum(length / steps * np.stack([np.cos(angles), np.sin(angles)], 1), axis=0)
                points = np.concatenate([points, tail])
        points = points[::-1]  # the other end, then back the way it was
    return points


def vary(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Unit-box strokes as another hand might have drawn the same digit (still roughly in the unit box)."""
    out = []
    for points in strokes:
        points = np.asarray(points, float)
        closed = len(points) > 8 and math.hypot(*(points[0] - points[-1])) < CLOSED
        if closed and rng.random() < 0.5:  # a loop started elsewhere (and so opened elsewhere, if trimmed)
            points = np.roll(points[:-1], int(rng.integers(len(points) - 1)), axis=0)
        out.append(_ends(bend(points, rng), rng))
    waist = rng.uniform(-WAIST, WAIST)
    low = min(float(p[:, 1].min()) for p in out)
    span = max(max(float(p[:, 1].max()) for p in out) - low, 1e-6)
    for points in out:
        y = (points[:, 1] - low) / span
        points[:, 1] = low + span * (y + waist * y * (1 - y))
    return unit_box(out)


def as_picture(strokes: list[np.ndarray], rng: np.random.Generator) -> np.ndarray | None:
    """Strokes (SIDE-box pixels) drawn with a random pen on paper and read as a picture: uint8 (784,) or None."""
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    extent = float((points.max(axis=0) - low).max())
    pen = max(1.0, rng.uniform(*PEN_SHARE) * extent)
    margin = pen + 4
    size = tuple(int(v) for v in np.ceil(points.max(axis=0) - low + 2 * margin))
    image = render_strokes([(s - low + margin).tolist() for s in strokes], size, pen)
    x = preprocess(image, ink="light")
    return None if x is None else np.round(x[:, 0] * 255).astype(np.uint8)


def writer_drawing(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """One MNIST digit (784 floats in [0, 1]) as another writer would draw it in the app: uint8 (784,) or None."""
    strokes = digit_strokes(digit)
    if not strokes or sum(len(s) for s in strokes) < 2:
        return None
    drawn = writer_variation(vary(unit_box(strokes), rng), rng)
    if rng.random() < IMAGE_SHARE:
        return as_picture(drawn, rng)
    return input_of(drawn)


def writer_digits(images: np.ndarray, labels: np.ndarray, count: int, rng: np.random.Generator,
                  progress=None) -> tuple[np.ndarray, np.ndarray]:
    """``count`` inputs (uint8 (count, 784)) of ``images`` (raw MNIST rows, uint8 or floats in [0, 1]) redrawn
    by other writers, and their labels.

    The digits are taken in a random order, each once before any twice;
    one that cannot be traced is skipped.  ``progress(k)`` is told about each done.
    """
    X = np.zeros((count, FIELD * FIELD), np.uint8)
    y = np.zeros(count, np.int64)
    pixels = np.asarray(images).dtype == np.uint8
    order = np.concatenate([rng.permutation(len(images)) for _ in range(-(-count // len(images)) + 1)])
    k = 0
    for index in order:
        if k == count:
            break
        x = writer_drawing(np.asarray(images[index], np.float32) * np.float32(1 / 255 if pixels else 1), rng)
        if x is not None and x.any():
            X[k], y[k] = x, labels[index]
            if progress is not None:
                progress(k)
            k += 1
    return X[:k], y[:k]

