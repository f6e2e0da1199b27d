"""Training images from the hand-authored templates: styled digits and things that are no digit.

Each template (:mod:`digitapp.templates`) is drawn many times with a
writer's variation (each stroke moved and resized on its own, then slant,
rotation, aspect and a smooth wobble for the whole drawing) and goes through
exactly the app's path for strokes (``preprocess.strokes_input``), so the network trains on what it will be shown.  Random
scribbles and stray lines add non-digits no template has.  Non-digits carry
the label :data:`NONE`: the trainer's target for them is all ten outputs 0,
the book's sigmoid way of saying "none of these".
"""

from __future__ import annotations

import math

import numpy as np

from .preprocess import FIELD, strokes_input
from .templates import DIGIT_STYLES, NON_DIGITS, Strokes, path

NONE = -1            # the label of a drawing that is no digit
SIDE = 200.0         # drawings are made this big (pixels) before the app's own normalisation
STROKE_SHIFT = 0.04  # each stroke moves by up to this share of the box on its own
STROKE_SCALE = 0.08  # and is resized by up to this share about its own centre
ROTATION_DEG = 15.0
SLANT = 0.3
ASPECT = (0.75, 1.3)
WOBBLE = 0.025       # amplitude of the smooth displacement, share of the box


def shift_strokes(strokes: Strokes, rng: np.random.Generator, shift: float = STROKE_SHIFT,
                  scale: float = STROKE_SCALE) -> list[np.ndarray]:
    """Each stroke moved and resized a little on its own: strokes of a real hand never meet exactly."""
    out = []
    for stroke in strokes:
        points = np.asarray(stroke, float).reshape(-1, 2)
        centre = points.mean(axis=0)
        out.append(centre + (points - centre) * (1 + rng.uniform(-scale, scale)) + rng.uniform(-shift, shift, 2))
    return out


def writer_variation(strokes: Strokes, rng: np.random.Generator) -> list[np.ndarray]:
    """Unit-box strokes as one writer might draw them, in pixels of a SIDE box."""
    parts = shift_strokes(strokes, rng)
    angle = math.radians(rng.uniform(-ROTATION_DEG, ROTATION_DEG))
    rotate = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    shear = np.array([[1.0, -rng.uniform(-SLANT, SLANT)], [0.0, 1.0]])
    matrix = rotate @ shear @ np.diag([rng.uniform(*ASPECT), 1.0])
    waves = [(rng.uniform(0, math.pi), rng.uniform(0.4, 1.0), rng.uniform(0, 2 * math.pi)) for _ in range(4)]
    out = []
    for points in parts:
        moved = points.copy()
        for k, (direction, wavelength, phase) in enumerate(waves):
            along = points @ np.array([math.cos(direction), math.sin(direction)])
            moved[:, k % 2] += WOBBLE * np.sin(2 * math.pi * along / wavelength + phase)
        out.append((moved - 0.5) @ matrix.T * SIDE)
    return out


def input_of(strokes: list[np.ndarray]) -> np.ndarray | None:
    """The network's input for strokes, as the app makes it: uint8 (784,), or None if nothing is left."""
    x = strokes_input(strokes)
    return None if x is None else np.round(x[:, 0] * 255).astype(np.uint8)


def scribble(rng: np.random.Generator) -> Strokes:
    """A random scribble: a smoothed path through 5 to 12 random points."""
    points = rng.uniform(0.05, 0.95, (int(rng.integers(5, 13)), 2))
    dense = np.asarray(path(*map(tuple, points), n=10))
    k = int(rng.integers(1, 8))
    kernel = np.ones(k) / k
    smooth = np.stack([np.convolve(np.pad(dense[:, j], k // 2, mode="edge"), kernel, "valid") for j in range(2)], 1)
    return [smooth.tolist()]


def stray_lines(rng: np.random.Generator) -> Strokes:
    """One to four straight strokes; a lone one never near vertical (that would be a 1)."""
    strokes = []
    for _ in range(int(rng.integers(1, 5))):
        while True:
            p, q = rng.uniform(0.05, 0.95, (2, 2))
            dx, dy = q - p
            if math.hypot(dx, dy) > 0.3 and (strokes or abs(dx) > abs(dy)):
                break
        strokes.append([tuple(p), tuple(q)])
    return strokes


GENERATORS = {"scribble": scribble, "lines": stray_lines}


def _draw(templates: list[tuple[int, Strokes]], count: int, rng: np.random.Generator, progress=None):
    """``count`` drawings of random templates; ``progress(k)`` is told about each one done."""
    X = np.zeros((count, FIELD * FIELD), np.uint8)
    labels = np.zeros(count, np.int64)
    k = 0
    while k < count:
        label, strokes = templates[int(rng.integers(len(templates)))]
        strokes = strokes(rng) if callable(strokes) else strokes
        x = input_of(writer_variation(strokes, rng))
        if x is not None:
            X[k], labels[k] = x, label
            if progress is not None:
                progress(k)
            k += 1
    return X, labels


def styled_digits(count: int, rng: np.random.Generator, progress=None,
                  leave_out: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """``count`` inputs (uint8 (count, 784)) of the digit templates, styles taken in equal shares, and labels.

    ``leave_out`` names styles not drawn at all (the leave-one-style-out bench trains without them).
    """
    unknown = set(leave_out) - set(DIGIT_STYLES)
    if unknown:
        raise ValueError(f"no such styles: {', '.join(sorted(unknown))}")
    templates = [(int(name[0]), strokes) for name, drawings in DIGIT_STYLES.items() if name not in leave_out
                 for strokes in drawings for _ in range(12 // len(drawings))]
    return _draw(templates, count, rng, progress)


#: MNIST digits that, turned a quarter, are no digit (a turned 0, 1, 6, 8 or 9 may still be one).
TURNABLE = (2, 3, 4, 5, 7)


def turned_digits(images: np.ndarray, labels: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` rows of ``images`` (N, 784) of TURNABLE digits, turned a quarter either way: non-digits."""
    chosen = rng.choice(np.flatnonzero(np.isin(labels, TURNABLE)), count)
    squares = images[chosen].reshape(count, FIELD, FIELD)
    turns = rng.integers(0, 2, count).astype(bool)
    out = np.where(turns[:, None, None], np.rot90(squares, 1, axes=(1, 2)), np.rot90(squares, 3, axes=(1, 2)))
    return out.reshape(count, FIELD * FIELD)


def non_digits(count: int, rng: np.random.Generator, progress=None) -> np.ndarray:
    """``count`` inputs (uint8 (count, 784)) of things that are no digit: templates, scribbles, stray lines."""
    templates = [(NONE, strokes) for drawings in NON_DIGITS.values() for strokes in drawings]
    templates += [(NONE, generator) for generator in GENERATORS.values() for _ in range(len(templates) // 4)]
    return _draw(templates, count, rng, progress)[0]
