"""Hand-authored stroke templates for training: ways people write digits that MNIST barely has, and non-digits.

MNIST's writers rarely put a flag and a base on a 1, curl a 9's tail or
round a 6's stem, and MNIST holds nothing that is *not* a digit.  These few
templates per style (drawn here by hand as strokes in a unit box, x right,
y down) are rendered with a writer's random variation by
:mod:`digitapp.styled` and added to the training set; non-digits are
trained towards all ten outputs low ("none of these").

The style *benchmark* (harness/styles.py) uses its own, separately drawn
templates, so it measures how well the model reads other writers, not
whether it remembers these.
"""

from __future__ import annotations

import math

Point = tuple[float, float]
Strokes = list[list[Point]]


def arc(cx, cy, rx, ry, start_deg, end_deg, n=32) -> list[Point]:
    """Points along an ellipse from ``start_deg`` to ``end_deg`` (0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start_deg + (end_deg - start_deg) * i / (n - 1) for i in range(n))]


def line(p, q, n=10) -> list[Point]:
    """``n`` points evenly from p to q."""
    return [(p[0] + (q[0] - p[0]) * i / (n - 1), p[1] + (q[1] - p[1]) * i / (n - 1)) for i in range(n)]


def path(*points: Point, n=8) -> list[Point]:
    """A polyline through ``points``, ``n`` points per segment."""
    out: list[Point] = [points[0]]
    for p, q in zip(points[:-1], points[1:]):
        out += line(p, q, n)[1:]
    return out
