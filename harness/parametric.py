"""A held-out generator of digits: shapes from parametric curves whose every size, bend and angle is random.

Training draws from its templates (digitapp/templates.py) and from MNIST
digits traced and varied (digitapp/writers.py); the style bench from its own
28 templates.  This module shares neither code nor parameters with them: its
own curve primitives (ellipse arcs and cubic Bezier curves), and for each
digit a few families of shapes whose parameters are drawn at random for
every drawing (how far an arc sweeps, how big a loop is and whether it
closes, where a stroke starts, how long a tail runs and where it turns).
Among them the 6 most people write: one stroke, a long arc from the upper
right curving down into a round loop, plain or with a serif.  Nothing in
digitapp imports it, so a bench on it measures shapes training never saw.

API::

    FAMILIES: dict[str, (digit, maker)]    # "6-arc-top" -> (6, maker(rng) -> unit-box strokes)
    draw_family(name, rng, canvas) -> (list of (n, 2) float32 canvas strokes, pen width)
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from harness.drawn import CANVAS, draw_like_a_user

UNIT = 20.0  # the unit box becomes MNIST's 20 px box, the scale draw_like_a_user's wobble is made for

Stroke = np.ndarray  # (n, 2) x, y in the unit box, y down


def ellipse(cx, cy, rx, ry, start, stop, n=40) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, 0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, stop, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def bezier(p0, p1, p2, p3, n=30) -> Stroke:
    """A cubic Bezier curve through its four control points."""
    t = np.linspace(0, 1, n)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, float) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3


def segment(p, q, n=12) -> Stroke:
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) * np.asarray(p, float) + t * np.asarray(q, float)


def joined(*parts: Stroke) -> Stroke:
    """One stroke through the parts in turn (each part starts where the last ended, or the pen jumps there)."""
    return np.concatenate([parts[0], *[p[1:] for p in parts[1:]]])


def u(rng, low, high) -> float:
    return float(rng.uniform(low, high))


# ---------------------------------------------------------------- the families, digit by digit

def zero_oval(rng):
    start = u(rng, -120, -60)
    return [ellipse(0.5, 0.5, u(rng, 0.15, 0.38), u(rng, 0.36, 0.46), start, start - 360 + u(rng, -25, 20), 48)]


def one_stick(rng):
    top = (u(rng, 0.42, 0.6), u(rng, 0.06, 0.14))
    strokes = [segment(top, (top[0] + u(rng, -0.12, 0.05), u(rng, 0.86, 0.94)))]
    if rng.random() < 0.6:  # a flag
        strokes[0] = joined(segment((top[0] - u(rng, 0.12, 0.26), top[1] + u(rng, 0.1, 0.25)), top, 6), strokes[0])
    if rng.random() < 0.3:  # a base
        y = float(strokes[0][-1, 1])
        strokes.append(segment((strokes[0][-1, 0] - u(rng, 0.15, 0.25), y), (strokes[0][-1, 0] + u(rng, 0.15, 0.25), y)))
    return strokes


def two_swan(rng):
    r = u(rng, 0.18, 0.3)
    top = ellipse(0.5, 0.12 + r, r, r * u(rng, 0.8, 1.1), u(rng, 170, 215), u(rng, 350, 390), 24)
    foot = (u(rng, 0.15, 0.3), u(rng, 0.84, 0.92))
    neck = bezier(top[-1], top[-1] + [0.0, u(rng, 0.1, 0.2)], (foot[0] + u(rng, 0.05, 0.2), foot[1] - u(rng, 0.1, 0.3)), foot, 20)
    base = segment(foot, (u(rng, 0.72, 0.9), foot[1] + u(rng, -0.04, 0.04)), 10)
    if rng.random() < 0.3:  # a little loop at the corner
        loop = ellipse(foot[0] + 0.05, foot[1] - 0.04, 0.06, 0.05, 180, -150, 14) + [-0.01, 0]
        return [joined(top, neck, loop, segment(loop[-1], base[-1], 10))]
    return [joined(top, neck, base)]


def three_bumps(rng):
    split = u(rng, 0.4, 0.55)
    upper = ellipse(0.48, split / 2 + 0.04, u(rng, 0.18, 0.26), split / 2 - 0.02, u(rng, 190, 220), u(rng, 430, 460), 26)
    lower = ellipse(0.48, (1 + split) / 2 - 0.02, u(rng, 0.22, 0.3), (1 - split) / 2 - 0.04,
                    u(rng, 255, 280), u(rng, 490, 520), 26)
    if rng.random() < 0.3:  # a flat top
        upper = joined(segment((0.24, 0.1), (0.74, 0.1), 8), segment((0.74, 0.1), (0.44, split), 8))
    return [joined(upper, lower)]


def four_open(rng):
    bar = u(rng, 0.52, 0.68)
    stem_x = u(rng, 0.58, 0.72)
    left = joined(segment((u(rng, 0.2, 0.34), 0.08), (u(rng, 0.16, 0.26), bar), 8), segment((0.2, bar), (u(rng, 0.8, 0.9), bar), 10))
    stem = segment((stem_x, u(rng, 0.06, 0.3)), (stem_x + u(rng, -0.05, 0.03), u(rng, 0.88, 0.95)), 12)
    if rng.random() < 0.4:  # closed: the diagonal from the stem's top
        left = joined(segment((stem_x, 0.08), (u(rng, 0.12, 0.22), bar), 10), segment((0.16, bar), (0.86, bar), 10))
    return [left, stem]


def five_hat(rng):
    stem_top = (u(rng, 0.26, 0.36), u(rng, 0.08, 0.14))
    waist = (stem_top[0] - u(rng, 0.0, 0.06), u(rng, 0.38, 0.5))
    r = (1 - waist[1]) / 2 - 0.05
    belly = ellipse(0.5, waist[1] + r, u(rng, 0.2, 0.3), r, u(rng, 220, 250), u(rng, 480, 510), 28)
    body = joined(segment(stem_top, waist, 8), segment(waist, belly[0], 3), belly)
    hat = segment(stem_top, (u(rng, 0.7, 0.84), stem_top[1] + u(rng, -0.04, 0.02)), 8)
    if rng.random() < 0.5:
        return [joined(hat[::-1], body)]
    return [body, hat]


def six_arc_top(rng, serif: bool = False):
    """One stroke: a long curved arc from the upper right running down into a round loop."""
    r = u(rng, 0.17, 0.27)                     # the loop's size
    cx, cy = u(rng, 0.42, 0.52), 0.94 - r
    start = (u(rng, 0.62, 0.8), u(rng, 0.04, 0.14))
    left = cx - r
    entry = ellipse(cx, cy, r, r * u(rng, 0.85, 1.1), 180, 180 + u(rng, 300, 380), 36)  # round from the left
    bow = u(rng, 0.05, 0.25)                    # how far the arc bulges out to the left
    arc = bezier(start, (start[0] - u(rng, 0.2, 0.35), start[1] - u(rng, 0.0, 0.04)),
                 (left - bow, cy - u(rng, 0.25, 0.4)), entry[0], 24)
    stroke = joined(arc, entry)
    if serif:  # a small hook at the start, turned down
        stroke = joined(ellipse(start[0] - 0.03, start[1] + 0.03, 0.04, 0.04, u(rng, 60, 100), -90, 8) + [0.0, 0.0], stroke)
    return [stroke]


def six_stem(rng):
    r = u(rng, 0.17, 0.24)
    cx, cy = u(rng, 0.45, 0.55), 0.94 - r
    loop = ellipse(cx, cy, r, r, 180, 180 + u(rng, 300, 370), 32)
    return [joined(segment((u(rng, 0.55, 0.75), 0.08), loop[0], 12), loop)]


def seven_bar(rng):
    y = u(rng, 0.08, 0.16)
    corner = (u(rng, 0.74, 0.86), y + u(rng, -0.03, 0.03))
    foot = (u(rng, 0.3, 0.5), u(rng, 0.88, 0.94))
    down = bezier(corner, corner + np.array([-0.05, 0.2]), (foot[0] + u(rng, -0.05, 0.12), foot[1] - 0.25), foot, 16)
    stroke = joined(segment((u(rng, 0.14, 0.26), y), corner, 10), down)
    if rng.random() < 0.3:  # a hook at the start
        stroke = joined(segment((0.18, y + u(rng, 0.08, 0.16)), (0.2, y), 4), stroke)
    strokes = [stroke]
    if rng.random() < 0.25:  # crossed
        strokes.append(segment((0.36, 0.5), (0.74, 0.5 + u(rng, -0.04, 0.04)), 8))
    return strokes


def eight_figure(rng):
    split = u(rng, 0.4, 0.52)
    a, b = u(rng, 0.14, 0.24), u(rng, 0.18, 0.3)
    if rng.random() < 0.5:  # one stroke: S down, back up
        top = ellipse(0.5, split / 2 + 0.03, a, split / 2 - 0.02, u(rng, -40, -10), -270, 26)
        bottom = ellipse(0.5, (1 + split) / 2 - 0.02, b, (1 - split) / 2 - 0.04, -90, 250, 30)
        return [joined(top, bottom, segment(bottom[-1], top[0], 8))]
    return [ellipse(0.5, split / 2 + 0.03, a, split / 2 - 0.02, 90, 450, 28),
            ellipse(0.5, (1 + split) / 2 - 0.02, b, (1 - split) / 2 - 0.04, -90, 270, 30)]


def nine_stick(rng):
    r = u(rng, 0.15, 0.24)
    cx, cy = u(rng, 0.42, 0.5), 0.06 + r
    head = ellipse(cx, cy, r, r * u(rng, 0.85, 1.1), u(rng, -20, 10), u(rng, -20, 10) - 360, 30)
    x = cx + r
    tail = bezier((x, cy), (x, cy + 0.3), (x + u(rng, -0.08, 0.02), 0.75), (x + u(rng, -0.25, 0.0), u(rng, 0.88, 0.95)), 14)
    return [joined(head, tail)]


FAMILIES: dict[str, tuple[int, Callable[[np.random.Generator], list[Stroke]]]] = {
    "0-oval": (0, zero_oval),
    "1-stick": (1, one_stick),
    "2-swan": (2, two_swan),
    "3-bumps": (3, three_bumps),
    "4-bar": (4, four_open),
    "5-hat": (5, five_hat),
    "6-arc-top": (6, six_arc_top),
    "6-arc-top-serif": (6, lambda rng: six_arc_top(rng, serif=True)),
    "6-stem": (6, six_stem),
    "7-bar": (7, seven_bar),
    "8-figure": (8, eight_figure),
    "9-stick": (9, nine_stick),
}


def draw_family(name: str, rng: np.random.Generator, canvas: int = CANVAS):
    """A random member of family ``name`` drawn as a mouse user would: (canvas strokes, pen width)."""
    strokes = FAMILIES[name][1](rng)
    return draw_like_a_user([np.asarray(s, float) * UNIT for s in strokes], rng, canvas)
