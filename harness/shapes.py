"""Clear hand-made digits (and a dash and a plus) as strokes: the one table every test and benchmark draws.

A shape is a list of strokes, a stroke a list of (x, y) points in a unit box
(0..1, y down), so the same digit can be put anywhere on a canvas or an
image of any size with :func:`place`.  They are drawn the way people draw
them with a mouse, clear enough that any decent model reads them right.
"""

from __future__ import annotations

from digitapp.strokes import CANVAS_SIDE
from digitapp.templates import Strokes, arc, line


#: The digits 0-9, each a list of strokes in the unit box.
DIGITS: dict[int, Strokes] = {
    0: [arc(0.5, 0.5, 0.27, 0.38, -90, 275, 48)],
    1: [line((0.52, 0.12), (0.48, 0.88), 16)],
    2: [arc(0.5, 0.33, 0.24, 0.2, 190, 390, 20)[:-4] + line((0.7, 0.45), (0.27, 0.86), 10)
        + line((0.27, 0.86), (0.76, 0.86), 8)],
    3: [arc(0.48, 0.31, 0.22, 0.19, 210, 450, 24) + arc(0.48, 0.69, 0.25, 0.2, 270, 510, 24)],
    4: [line((0.6, 0.12), (0.24, 0.62), 12) + line((0.24, 0.62), (0.78, 0.62), 10),
        line((0.6, 0.35), (0.6, 0.9), 12)],
    5: [line((0.72, 0.14), (0.34, 0.14), 8) + line((0.34, 0.14), (0.31, 0.46), 8)
        + arc(0.48, 0.65, 0.25, 0.22, 230, 500, 28)],
    6: [line((0.64, 0.12), (0.32, 0.62), 12) + arc(0.51, 0.68, 0.19, 0.19, 180, 530, 32)],
    7: [line((0.24, 0.15), (0.76, 0.15), 10) + line((0.76, 0.15), (0.42, 0.88), 14)],
    8: [arc(0.5, 0.3, 0.18, 0.17, 90, 450, 30) + arc(0.5, 0.68, 0.22, 0.2, -90, 270, 32)],
    9: [arc(0.48, 0.33, 0.2, 0.2, 0, 360, 32) + line((0.68, 0.33), (0.62, 0.88), 12)],
}

#: Shapes that are not digits, for tests of preprocessing (aspect ratio, several strokes).
OTHERS: dict[str, Strokes] = {
    "dash": [line((0.2, 0.5), (0.8, 0.5), 2)],
    "plus": [line((0.5, 0.2), (0.5, 0.8), 2), line((0.2, 0.5), (0.8, 0.5), 2)],
}


def place(shape: Strokes, left: float, top: float, width: float, height: float | None = None,
          slant: float = 0.0) -> Strokes:
    """``shape`` scaled into the box (left, top, width, height) of pixels, square unless ``height`` is given.

    ``slant`` leans the top right by that share of the width (and the bottom left as much).
    """
    height = width if height is None else height
    return [[(left + (x + slant * (0.5 - y)) * width, top + y * height) for x, y in stroke] for stroke in shape]


def on_canvas(digit: int, side: float = CANVAS_SIDE) -> Strokes:
    """``digit`` drawn on a canvas of ``side`` pixels as a user would: large, a little above centre."""
    return place(DIGITS[digit], side * 0.15, side * 0.12, side * 0.72)


def number_on_canvas(text: str, width: float, height: float, slant: float = 0.0) -> Strokes:
    """The digits of ``text`` written side by side across a canvas of width x height, as a user writes a number.

    Each digit is 0.55 of the height tall and about half as wide, with a small
    gap; the number is centred.  Long numbers get smaller digits, so they fit.
    """
    size = min(0.55 * height, 0.9 * width / (0.62 * len(text)))
    step = 0.62 * size
    left = (width - step * len(text)) / 2 - 0.2 * size
    top = (height - size) / 2
    strokes: Strokes = []
    for k, char in enumerate(text):
        strokes += place(DIGITS[int(char)], left + k * step, top, size, slant=slant)
    return strokes
