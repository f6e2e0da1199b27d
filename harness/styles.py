"""The style bench's digits: named ways people write each digit, drawn with a writer's variation.

Each :class:`Style` is a hand-authored template (strokes in a unit box, x
right, y down) of one common way to write a digit, many of them outside
MNIST's habits: a 1 with a flag and a base, a 9 whose tail curls, a round
6, a crossed 7.  :func:`draw_style` draws one with a random writer's
variation: each stroke a little displaced and resized, then the slant,
rotation, aspect, size, place, wobble, mouse jitter and pen of
:func:`harness.drawn.draw_like_a_user`.

:data:`NON_DIGITS` are shapes that are no digit (letters, signs, crosses,
hashes, scribbles) for the non-digit bench.

These drawings are NOT the ones training uses (digitapp/templates.py has
its own, drawn separately), so a bench on them measures generalisation.

API (used by other benches, keep it stable)::

    STYLES: dict[str, Style]            # "9-curled" -> Style(name, digit, strokes)
    draw_style(name, rng, canvas=CANVAS) -> list of (n, 2) float32 canvas strokes
    draw_style_with_pen(name, rng, canvas=CANVAS) -> (strokes, pen width)
    NON_DIGITS: dict[str, Callable[[rng], unit-box strokes]]
    draw_non_digit(name, rng, canvas=CANVAS) -> (strokes, pen width)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from digitapp.styled import shift_strokes
from digitapp.templates import Strokes, arc, line, path
from harness.drawn import CANVAS, draw_like_a_user

TEMPLATE_SIDE = 20.0   # the unit box becomes MNIST's 20 px box, the scale drawn.py's wobble is made for
STROKE_SHIFT = 0.03    # each stroke moves this much (share of the box) on its own: strokes never meet exactly
STROKE_SCALE = 0.06    # and is resized by up to this much about its own centre


@dataclass(frozen=True)
class Style:
    """One way of writing ``digit``: its name and template strokes in the unit box."""

    name: str
    digit: int
    strokes: Strokes = field(repr=False)


def _styles(*entries) -> dict[str, Style]:
    return {name: Style(name, int(name[0]), strokes) for name, strokes in entries}


STYLES: dict[str, Style] = _styles(
    ("0-round", [arc(0.5, 0.5, 0.33, 0.4, -100, 265, 44)]),
    ("0-narrow", [arc(0.5, 0.5, 0.17, 0.42, -95, 268, 44)]),
    ("0-slashed", [arc(0.5, 0.5, 0.3, 0.41, -100, 262, 44), line((0.74, 0.14), (0.26, 0.86), 12)]),
    ("1-plain", [line((0.5, 0.1), (0.47, 0.9), 16)]),
    ("1-flag", [path((0.3, 0.3), (0.52, 0.1), (0.5, 0.9), n=12)]),
    ("1-flag-base", [path((0.28, 0.28), (0.53, 0.1), (0.5, 0.88), n=12), line((0.26, 0.89), (0.76, 0.88), 10)]),
    ("2-plain", [arc(0.5, 0.33, 0.25, 0.21, 195, 380, 20) + path((0.74, 0.4), (0.24, 0.86), (0.8, 0.86), n=10)]),
    ("2-loop", [arc(0.5, 0.32, 0.25, 0.21, 195, 385, 20)
                + path((0.73, 0.42), (0.3, 0.82), n=10)
                + arc(0.3, 0.8, 0.1, 0.08, 0, -330, 14)[1:]
                + line((0.38, 0.84), (0.82, 0.86), 10)[1:]]),
    ("3-round", [arc(0.47, 0.3, 0.23, 0.2, 205, 450, 26) + arc(0.47, 0.7, 0.26, 0.21, 270, 515, 26)]),
    ("3-flat-top", [path((0.24, 0.12), (0.76, 0.12), (0.46, 0.42), n=10) + arc(0.47, 0.66, 0.27, 0.23, 285, 510, 26)]),
    ("4-closed-two", [path((0.62, 0.1), (0.2, 0.64), (0.82, 0.64), n=10), line((0.63, 0.34), (0.63, 0.92), 12)]),
    ("4-closed-one", [path((0.64, 0.92), (0.64, 0.1), (0.2, 0.64), (0.84, 0.64), n=12)]),
    ("4-open-two", [path((0.26, 0.1), (0.22, 0.56), (0.8, 0.56), n=10), line((0.66, 0.12), (0.66, 0.92), 14)]),
    ("4-open-one", [path((0.26, 0.1), (0.22, 0.56), (0.72, 0.56), (0.7, 0.1), (0.72, 0.92), n=10)]),
    ("5-one", [path((0.74, 0.12), (0.34, 0.12), (0.3, 0.46), n=8) + arc(0.48, 0.66, 0.26, 0.22, 235, 500, 28)]),
    ("5-two", [line((0.34, 0.12), (0.3, 0.46), 8) + arc(0.48, 0.66, 0.26, 0.22, 235, 500, 28),
               line((0.33, 0.12), (0.76, 0.11), 8)]),
    ("6-straight-closed", [line((0.66, 0.1), (0.3, 0.62), 12) + arc(0.5, 0.7, 0.2, 0.19, 180, 535, 32)]),
    ("6-straight-open", [line((0.66, 0.1), (0.3, 0.62), 12) + arc(0.5, 0.7, 0.2, 0.19, 180, 470, 28)]),
    ("6-round-closed", [arc(0.62, 0.55, 0.33, 0.45, 250, 175, 18) + arc(0.52, 0.7, 0.22, 0.2, 175, 530, 32)]),
    ("6-round-open", [arc(0.62, 0.55, 0.33, 0.45, 250, 175, 18) + arc(0.52, 0.7, 0.22, 0.2, 175, 465, 28)]),
    ("7-plain", [path((0.2, 0.16), (0.8, 0.12), (0.62, 0.45), (0.5, 0.9), n=10)]),
    ("7-crossed", [path((0.22, 0.13), (0.78, 0.13), (0.42, 0.9), n=12), line((0.38, 0.5), (0.76, 0.5), 8)]),
    ("7-hook", [path((0.2, 0.26), (0.24, 0.13), (0.78, 0.13), (0.44, 0.9), n=10)]),
    ("8-one", [arc(0.5, 0.29, 0.19, 0.18, 45, -225, 28)
               + arc(0.5, 0.7, 0.24, 0.21, -90, 225, 30) + line((0.33, 0.55), (0.64, 0.42), 6)]),
    ("8-two-circles", [arc(0.5, 0.29, 0.19, 0.18, 90, 455, 30), arc(0.5, 0.7, 0.24, 0.21, -90, 275, 32)]),
    ("9-straight", [arc(0.47, 0.32, 0.21, 0.2, -5, 355, 32) + line((0.68, 0.3), (0.66, 0.9), 12)]),
    ("9-curved", [arc(0.47, 0.32, 0.21, 0.2, -5, 355, 32) + line((0.68, 0.3), (0.64, 0.7), 8)
                  + arc(0.46, 0.7, 0.18, 0.2, 0, 120, 10)[1:]]),
    ("9-curled", [arc(0.47, 0.32, 0.21, 0.2, -5, 355, 32) + line((0.68, 0.3), (0.62, 0.78), 8)
                  + arc(0.5, 0.78, 0.12, 0.13, 0, 250, 16)[1:]]),
)


# ---------------------------------------------------------------- things that are not digits

def _scribble(rng: np.random.Generator) -> Strokes:
    """A scribble: back and forth over the same place, many turns."""
    n = int(rng.integers(6, 12))
    points = rng.uniform(0.1, 0.9, (n, 2))
    out = path(*map(tuple, points), n=6)
    return [out]


def _coil(rng: np.random.Generator) -> Strokes:
    """A coil scribble: loops moving across."""
    turns = rng.uniform(3, 6)
    t = np.linspace(0, 2 * np.pi * turns, 120)
    x = 0.15 + 0.7 * t / t[-1] + 0.13 * np.cos(t)
    y = 0.5 + rng.uniform(0.15, 0.3) * np.sin(t)
    return [list(zip(x.tolist(), y.tolist()))]


def _zigzag(rng: np.random.Generator) -> Strokes:
    n = int(rng.integers(4, 8))
    xs = np.linspace(0.1, 0.9, n)
    ys = np.where(np.arange(n) % 2, 0.2, 0.8) + rng.uniform(-0.08, 0.08, n)
    return [path(*zip(xs.tolist(), ys.tolist()), n=6)]


def _fixed(strokes: Strokes) -> Callable[[np.random.Generator], Strokes]:
    return lambda rng: strokes


NON_DIGITS: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "A": _fixed([path((0.2, 0.9), (0.5, 0.1), (0.8, 0.9), n=12), line((0.32, 0.58), (0.68, 0.58), 8)]),
    "C": _fixed([arc(0.55, 0.5, 0.33, 0.4, -40, -320, 30)]),
    "E": _fixed([path((0.75, 0.12), (0.28, 0.12), (0.28, 0.88), (0.75, 0.88), n=10), line((0.28, 0.5), (0.65, 0.5), 8)]),
    "F": _fixed([path((0.75, 0.12), (0.3, 0.12), (0.3, 0.9), n=10), line((0.3, 0.5), (0.66, 0.5), 8)]),
    "H": _fixed([line((0.25, 0.1), (0.25, 0.9)), line((0.75, 0.1), (0.75, 0.9)), line((0.25, 0.5), (0.75, 0.5))]),
    "K": _fixed([line((0.28, 0.1), (0.28, 0.9)), path((0.75, 0.1), (0.3, 0.55), (0.76, 0.9), n=10)]),
    "M": _fixed([path((0.15, 0.9), (0.2, 0.1), (0.5, 0.6), (0.8, 0.1), (0.85, 0.9), n=10)]),
    "N": _fixed([path((0.22, 0.9), (0.22, 0.1), (0.78, 0.9), (0.78, 0.1), n=10)]),
    "R": _fixed([path((0.28, 0.9), (0.28, 0.12), n=10) + arc(0.42, 0.3, 0.26, 0.18, -90, 90, 16)
                 + line((0.42, 0.48), (0.3, 0.48), 4)[1:], line((0.42, 0.48), (0.76, 0.9), 10)]),
    "S": _fixed([arc(0.5, 0.3, 0.25, 0.19, -20, -270, 22) + arc(0.5, 0.68, 0.25, 0.2, -90, 160, 22)]),
    "T": _fixed([line((0.15, 0.12), (0.85, 0.12)), line((0.5, 0.12), (0.5, 0.9))]),
    "V": _fixed([path((0.18, 0.1), (0.5, 0.9), (0.82, 0.1), n=12)]),
    "W": _fixed([path((0.1, 0.12), (0.28, 0.88), (0.5, 0.35), (0.72, 0.88), (0.9, 0.12), n=10)]),
    "X": _fixed([line((0.2, 0.1), (0.8, 0.9)), line((0.8, 0.1), (0.2, 0.9))]),
    "Y": _fixed([path((0.2, 0.1), (0.5, 0.5), (0.8, 0.1), n=8), line((0.5, 0.5), (0.5, 0.9))]),
    "e": _fixed([line((0.22, 0.55), (0.78, 0.55), 8) + arc(0.5, 0.55, 0.28, 0.3, 0, -300, 28)]),
    "a": _fixed([arc(0.46, 0.6, 0.24, 0.26, -20, -380, 30), line((0.7, 0.35), (0.72, 0.88), 10)]),
    "h": _fixed([line((0.28, 0.08), (0.28, 0.92), 12), arc(0.5, 0.62, 0.22, 0.2, 180, 360, 12)
                 + line((0.72, 0.62), (0.72, 0.92), 6)[1:]]),
    "plus": _fixed([line((0.5, 0.15), (0.5, 0.85)), line((0.15, 0.5), (0.85, 0.5))]),
    "equals": _fixed([line((0.15, 0.38), (0.85, 0.38)), line((0.15, 0.62), (0.85, 0.62))]),
    "hash": _fixed([line((0.38, 0.1), (0.32, 0.9)), line((0.68, 0.1), (0.62, 0.9)),
                    line((0.12, 0.35), (0.88, 0.35)), line((0.1, 0.65), (0.86, 0.65))]),
    "question": _fixed([arc(0.5, 0.3, 0.22, 0.2, 190, 420, 20) + line((0.55, 0.49), (0.5, 0.68), 6)[1:],
                        arc(0.5, 0.86, 0.025, 0.025, 0, 360, 8)]),
    "exclaim": _fixed([line((0.5, 0.08), (0.5, 0.7), 10), arc(0.5, 0.88, 0.025, 0.025, 0, 360, 8)]),
    "star": _fixed([line((0.5, 0.1), (0.5, 0.9)), line((0.15, 0.3), (0.85, 0.7)), line((0.85, 0.3), (0.15, 0.7))]),
    "triangle": _fixed([path((0.5, 0.12), (0.88, 0.85), (0.12, 0.85), (0.5, 0.12), n=12)]),
    "square": _fixed([path((0.15, 0.15), (0.85, 0.15), (0.85, 0.85), (0.15, 0.85), (0.15, 0.15), n=10)]),
    "heart": _fixed([arc(0.32, 0.32, 0.18, 0.17, 0, -200, 14)[::-1] + line((0.15, 0.38), (0.5, 0.88), 8)[1:],
                     arc(0.68, 0.32, 0.18, 0.17, 180, 380, 14) + line((0.85, 0.38), (0.5, 0.88), 8)[1:]]),
    "smiley": _fixed([arc(0.5, 0.5, 0.4, 0.4, 0, 360, 40), arc(0.36, 0.38, 0.03, 0.03, 0, 360, 6),
                      arc(0.64, 0.38, 0.03, 0.03, 0, 360, 6), arc(0.5, 0.55, 0.2, 0.16, 20, 160, 14)]),
    "at": _fixed([arc(0.5, 0.5, 0.14, 0.14, 0, 340, 20) + line((0.64, 0.45), (0.66, 0.66), 4)[1:]
                  + arc(0.5, 0.5, 0.38, 0.4, 40, -300, 36)[1:]]),
    "percent": _fixed([line((0.8, 0.12), (0.2, 0.88)), arc(0.28, 0.25, 0.1, 0.1, 0, 360, 14),
                       arc(0.72, 0.75, 0.1, 0.1, 0, 360, 14)]),
    "cross": _fixed([line((0.2, 0.2), (0.8, 0.8)), line((0.8, 0.2), (0.2, 0.8))]),
    "dash": _fixed([line((0.15, 0.5), (0.85, 0.5))]),
    "arrow": _fixed([line((0.1, 0.5), (0.88, 0.5), 12), path((0.62, 0.28), (0.9, 0.5), (0.62, 0.72), n=6)]),
    "spiral": _fixed([[(0.5 + r * np.cos(t) * 0.4, 0.5 + r * np.sin(t) * 0.4)
                       for t, r in zip(np.linspace(0, 6 * np.pi, 80), np.linspace(0.05, 1.0, 80))]]),
    "scribble": _scribble,
    "coil": _coil,
    "zigzag": _zigzag,
}


# ---------------------------------------------------------------- drawing with a writer's variation

def vary_strokes(strokes: Strokes, rng: np.random.Generator) -> list[np.ndarray]:
    """Each stroke moved and resized a little on its own, in MNIST's 20 px units."""
    return [points * TEMPLATE_SIDE for points in shift_strokes(strokes, rng, STROKE_SHIFT, STROKE_SCALE)]


def draw_strokes(strokes: Strokes, rng: np.random.Generator, canvas: int = CANVAS):
    """Unit-box strokes drawn as a mouse user would on a ``canvas``-pixel canvas: (strokes, pen width)."""
    return draw_like_a_user(vary_strokes(strokes, rng), rng, canvas)


def draw_style_with_pen(name: str, rng: np.random.Generator, canvas: int = CANVAS):
    """Style ``name`` drawn once with a writer's variation: (list of (n, 2) canvas strokes, pen width)."""
    return draw_strokes(STYLES[name].strokes, rng, canvas)


def draw_style(name: str, rng: np.random.Generator, canvas: int = CANVAS) -> list[np.ndarray]:
    """Style ``name`` drawn once with a writer's variation, as strokes on the canvas (what predict_strokes takes)."""
    return draw_style_with_pen(name, rng, canvas)[0]


def draw_non_digit(name: str, rng: np.random.Generator, canvas: int = CANVAS):
    """Non-digit ``name`` drawn once with a writer's variation: (strokes, pen width)."""
    return draw_strokes(NON_DIGITS[name](rng), rng, canvas)
