"""Writers the shipped model does not know: idiosyncratic but real ways of writing digits, for the learning bench.

The style bench (:mod:`harness.styles`) and the training templates
(:mod:`digitapp.templates`) share their ways of writing, so the shipped
model reads every bench style before any correction and a bench of
learning on them shows nothing.  These templates (hand-authored strokes in
a unit box, x right, y down) are ways neither holds: a 4 like an open "y",
a 9 like a "g", an 8 as a small loop on a big one, ...  Each is still a
digit to a person (tests/test_personal_styles.py renders them), but the
shipped model misreads most new drawings of it (each was kept only if it
read fewer than about 60% right before any correction), so learning them
is what the learning bench measures.  They are drawn with the style
bench's writer's variation (:func:`harness.styles.draw_strokes`).

API::

    PERSONAL_STYLES: dict[str, Style]    # "4-y" -> Style(name, digit, strokes)
    draw_personal_style(name, rng, canvas=CANVAS) -> list of (n, 2) float32 canvas strokes
"""

from __future__ import annotations

import numpy as np

from digitapp.templates import arc, line, path
from harness.drawn import CANVAS
from harness.styles import Style, _styles, draw_strokes

PERSONAL_STYLES: dict[str, Style] = _styles(
    # a 0 begun at the top with a narrow loop hanging inside, like a looped slash
    ("0-inner-loop", [arc(0.5, 0.3, 0.08, 0.16, 90, 450, 16) + arc(0.5, 0.52, 0.3, 0.4, -90, 270, 40)[1:]]),
    # a 1 whose up-stroke starts far down on the left
    ("1-long-up", [path((0.12, 0.55), (0.6, 0.08), (0.6, 0.92), n=12)]),
    # a 3 written fast: round top, and the foot curls back into a small loop on the left
    ("3-foot-loop", [arc(0.5, 0.28, 0.2, 0.18, 160, 450, 22) + arc(0.5, 0.7, 0.24, 0.2, 270, 500, 22)[1:]
                     + arc(0.24, 0.66, 0.08, 0.08, 60, -200, 10)[1:]]),
    # a 4 like an open "y": the first stroke curves down and round into the stem, the stem ends in a tail
    ("4-y", [arc(0.42, 0.16, 0.22, 0.36, 180, 20, 16),
             line((0.7, 0.1), (0.68, 0.7), 10) + arc(0.46, 0.7, 0.22, 0.22, 0, 150, 12)[1:]]),
    # a 7 whose foot curls deep back to the left
    ("7-curl-foot", [path((0.18, 0.14), (0.8, 0.12), (0.6, 0.56), n=10) + arc(0.42, 0.62, 0.2, 0.26, -20, 190, 20)[1:]]),
    # an 8 as a snowman: a small loop on a big one
    ("8-snowman", [arc(0.5, 0.22, 0.12, 0.12, 90, 450, 24), arc(0.5, 0.64, 0.3, 0.3, -90, 275, 36)]),
    # a 9 like a "g": the descender comes back round and up into the stem
    ("9-g", [arc(0.5, 0.26, 0.18, 0.17, -5, 355, 32) + line((0.68, 0.26), (0.66, 0.66), 8)
             + arc(0.46, 0.7, 0.2, 0.22, 0, 190, 14)[1:] + path((0.26, 0.68), (0.44, 0.56), (0.68, 0.5), n=5)[1:]]),
)


def draw_personal_style(name: str, rng: np.random.Generator, canvas: int = CANVAS) -> list[np.ndarray]:
    """Style ``name`` drawn once with a writer's variation, as strokes on the canvas (what predict_strokes takes)."""
    return draw_strokes(PERSONAL_STYLES[name].strokes, rng, canvas)[0]
