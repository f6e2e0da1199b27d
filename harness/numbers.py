"""Numbers written as a person writes them, from single drawn digits: the numbers benchmark's data.

A number takes one pen, one height and one slant, each digit varying a
little around them (size, width, baseline drifting up or down, a slight
turn), with gaps from tight (the ink of neighbours touches) to wide.  The
digits come from digit *templates*: strokes of one digit in any coordinates
(y down).  :func:`mnist_templates` gives MNIST digits traced into strokes
(:mod:`harness.drawn`; by default MNIST's validation digits), :func:`shape_templates` the hand-made digits of
:mod:`harness.shapes`; any other source of templates (a style bench's, say)
can be passed to :func:`make_numbers` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from digitapp.gui.app import PEN_MAX, PEN_MIN
from digitapp.strokes import render_strokes
from digitapp.trace import digit_strokes
from harness.drawn import JITTER, STEP_RANGE, BenchError, _resample, _wobble, balanced_order
from harness.shapes import DIGITS

LENGTHS = (2, 8)            # digits per number
HEIGHT_RANGE = (50, 150)    # a number's digit height, canvas pixels
PEN_OF_HEIGHT = 0.2         # the pen is never thicker than this share of the height
SLANT_RANGE = 0.3           # the number's slant (x shift per unit of height), either way
SIZE_JITTER = 0.12          # each digit's height varies this much (share)
ASPECT_JITTER = 0.1         # ... and its width
TURN_DEG = 4.0              # ... and it turns this much, either way
BASELINE_STEP = 0.05        # the baseline drifts by about this share of the height from digit to digit
TILT = 0.05                 # and the whole line climbs or falls this much per unit of width
GAP_RANGE = (0.0, 0.5)      # the number's gap between neighbours' ink, in heights (touching to wide)
GAP_JITTER = 0.05           # each gap varies this much around it
MARGIN = 20                 # paper around the number, pixels

Template = list  # a digit's strokes: a list of (n, 2) float arrays of (x, y)


@dataclass
class DrawnNumber:
    """One written number: each digit's strokes (float (n, 2) arrays, canvas pixels), the pen, the paper size."""

    labels: list[int]
    digits: list[list[np.ndarray]] = field(repr=False)
    pen_width: float
    size: tuple[int, int]
    slant: float = 0.0

    @property
    def text(self) -> str:
        return "".join(map(str, self.labels))

    def __repr__(self):
        return f"DrawnNumber({self.text!r}, pen_width={self.pen_width:.1f}, size={self.size})"

    @property
    def strokes(self) -> list[list[tuple[float, float]]]:
        """All strokes as the canvas records them, digit after digit."""
        return [[tuple(p) for p in s.tolist()] for digit in self.digits for s in digit]

    def render(self, digits=None):
        """The paper as a photo or scan would show it: dark ink on white ('L'), all digits or some."""
        from PIL import ImageOps

        chosen = self.digits if digits is None else [self.digits[i] for i in digits]
        strokes = [s.tolist() for digit in chosen for s in digit]
        return ImageOps.invert(render_strokes(strokes, self.size, self.pen_width))


def load_mnist_validation(data_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's validation digits (the last 10,000 training images): the segmentation's settings are
    chosen on numbers made of these, so they never see the test set."""
    import mnist_loader

    try:
        return mnist_loader.load_data(data_dir)[1]
    except mnist_loader.MnistError as err:
        raise BenchError(str(err)) from None


def mnist_templates(count: int, seed: int = 0, digits=None) -> tuple[list[Template], np.ndarray]:
    """``count`` MNIST digits (classes in turn; ``digits`` = (images, labels), by default the validation
    digits) traced into strokes: (templates, labels)."""
    images, labels = digits if digits is not None else load_mnist_validation()
    images = np.asarray(images).reshape(len(images), -1)
    order = balanced_order(np.asarray(labels), seed + 1000)[:count]
    return [digit_strokes(images[i]) for i in order], np.asarray(labels)[order].astype(np.int64)


def shape_templates() -> tuple[list[Template], np.ndarray]:
    """The ten hand-made digits of harness.shapes."""
    return [[np.asarray(s, float) for s in DIGITS[d]] for d in range(10)], np.arange(10)


def _normalised(template: Template) -> list[np.ndarray]:
    """The template's strokes moved and scaled so its ink spans a height of 1 from y = 0."""
    points = np.concatenate(template)
    low = points.min(axis=0)
    height = max(float(np.ptp(points[:, 1])), 1e-6)
    return [(np.asarray(s, float) - low) / height for s in template]


def compose(templates: list[Template], labels, rng: np.random.Generator) -> DrawnNumber:
    """One number from its digits' templates, written with one pen, height and slant."""
    height = rng.uniform(*HEIGHT_RANGE)
    pen = rng.uniform(PEN_MIN, max(PEN_MIN, min(PEN_MAX, PEN_OF_HEIGHT * height)))
    slant = rng.uniform(-SLANT_RANGE, SLANT_RANGE)
    gap = rng.uniform(*GAP_RANGE)
    tilt = rng.uniform(-TILT, TILT)
    step = rng.uniform(*STEP_RANGE)
    x, baseline = 0.0, 0.0
    placed = []
    for template in templates:
        h = height * (1 + rng.uniform(-SIZE_JITTER, SIZE_JITTER))
        aspect = 1 + rng.uniform(-ASPECT_JITTER, ASPECT_JITTER)
        turn = np.radians(rng.uniform(-TURN_DEG, TURN_DEG) + 0.0)
        strokes = _normalised(template)
        lengths = [len(s) for s in strokes]
        points = _wobble(np.concatenate(strokes) * 28, rng, 0.45) / 28  # the hand's tremor, as drawn.py's
        points = (points - points.mean(axis=0)) * [h * aspect, h]
        rotate = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        points = points @ rotate.T
        low, high = points.min(axis=0), points.max(axis=0)
        points = points - [low[0], high[1]]   # left edge at 0, bottom on the baseline
        points += [x, baseline]
        x += high[0] - low[0] + pen + height * (gap + rng.uniform(-GAP_JITTER, GAP_JITTER))
        baseline += height * (rng.normal(0, BASELINE_STEP) + tilt * (high[0] - low[0]) / height)
        placed.append(np.split(points, np.cumsum(lengths)[:-1]))
    # The common slant: x moves with the height above the line's middle.
    middle = np.mean([np.concatenate(d)[:, 1].mean() for d in placed])
    sheared = [[s + np.stack([-slant * (s[:, 1] - middle), np.zeros(len(s))], axis=1) for s in d] for d in placed]
    everything = np.concatenate([np.concatenate(d) for d in sheared])
    offset = everything.min(axis=0) - MARGIN - pen / 2
    size = tuple(int(v) for v in np.ceil(np.ptp(everything, axis=0) + 2 * MARGIN + pen))
    digits = []
    for d in sheared:
        strokes = []
        for s in d:
            mouse = _resample(s - offset, step)
            if len(mouse) > 2:
                mouse[1:-1] += rng.normal(0, JITTER, (len(mouse) - 2, 2))
            strokes.append(np.round(mouse).astype(np.float32))
        digits.append(strokes)
    return DrawnNumber([int(v) for v in labels], digits, float(pen), size, float(slant))


def make_numbers(count: int, templates: list[Template], labels, seed: int = 0) -> list[DrawnNumber]:
    """``count`` numbers of 2-8 digits; each template is used in turn, so the digits stay balanced."""
    rng = np.random.default_rng([seed, 0x2026])
    order = rng.permutation(len(templates))
    numbers, at = [], 0
    for _ in range(count):
        n = int(rng.integers(LENGTHS[0], LENGTHS[1] + 1))
        picks = [int(order[(at + k) % len(order)]) for k in range(n)]
        at += n
        numbers.append(compose([templates[i] for i in picks], [labels[i] for i in picks], rng))
    return numbers
