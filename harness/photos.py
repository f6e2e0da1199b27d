"""Photos of paper, made from clean drawings: what a phone camera makes of a digit on a sheet.

:func:`photograph` takes an ink mask (floats in [0, 1], 1 = ink) and gives
the picture a camera would: paper lit unevenly (a gradient and a soft
shadow), a darker table along one edge, ink a little blurred, sensor noise,
JPEG, at a random size and aspect.  :func:`clean_picture` is the same ink as
a clean PNG-like picture (black on white), the yardstick.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from scipy import ndimage

SIDE_RANGE = (120, 900)        # the photo's longer side, pixels
MARGIN_RANGE = (0.25, 0.8)     # paper around the digit, as a share of the digit's size, each side
PAPER_RANGE = (170, 245)       # paper brightness where the light is best
INK_RANGE = (10, 90)           # ink brightness under the same light
GRADIENT_RANGE = (0.35, 0.85)  # brightness at the darkest corner, share of the brightest
TABLE_SHARE = (0.05, 0.2)      # the table's band along one edge, share of the side
TABLE_LEVEL = (20, 110)
NOISE_RANGE = (2.0, 10.0)      # sensor noise, grey levels
JPEG_RANGE = (35, 90)          # JPEG quality


def _place(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ink on a larger sheet, at a random size and aspect: float (H, W) in [0, 1]."""
    rows, cols = np.nonzero(ink > 0.1)
    ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = ink.shape
    margins = rng.uniform(*MARGIN_RANGE, 4) * max(h, w)
    H, W = int(h + margins[0] + margins[1]), int(w + margins[2] + margins[3])
    side = rng.uniform(*SIDE_RANGE)
    scale = side / max(H, W)
    sheet = np.zeros((H, W), np.float32)
    top, left = int(margins[0]), int(margins[2])
    sheet[top:top + h, left:left + w] = ink
    return ndimage.zoom(sheet, scale, order=1).clip(0, 1)


def clean_picture(sheet: np.ndarray) -> Image.Image:
    """Black ink on white paper, nothing else: the yardstick for a photo of the same sheet."""
    return Image.fromarray(np.round(255 * (1 - sheet)).astype(np.uint8), "L")


def photograph(sheet: np.ndarray, rng: np.random.Generator, table: bool = True) -> Image.Image:
    """The sheet (float (H, W), 1 = ink) as a camera would see it: an 'L' image decoded from JPEG."""
    H, W = sheet.shape
    y, x = np.mgrid[0:H, 0:W] / max(H, W)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = x * np.cos(angle) + y * np.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = 1 - (1 - rng.uniform(*GRADIENT_RANGE)) * ramp
    cy, cx = rng.uniform(0, 1, 2) * (H / max(H, W), W / max(H, W))      # a soft shadow somewhere
    light *= 1 - rng.uniform(0, 0.3) * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * rng.uniform(0.1, 0.3) ** 2))
    paper, ink = rng.uniform(*PAPER_RANGE), rng.uniform(*INK_RANGE)
    blurred = ndimage.gaussian_filter(sheet, rng.uniform(0.3, 1.2) * max(H, W) / 400)
    image = (paper + (ink - paper) * blurred) * light
    if table:  # a darker table along one edge, its boundary a little skewed
        share = rng.uniform(*TABLE_SHARE)
        skew = rng.uniform(-0.05, 0.05)
        edge = int(rng.integers(4))
        across, along = x * max(H, W) / W, y * max(H, W) / H          # both 0..1 over the picture
        u, v = [(across, along), (1 - across, along), (along, across), (1 - along, across)][edge]
        inside = u < share + skew * (v - 0.5)
        table_level = rng.uniform(*TABLE_LEVEL) * (1 + 0.2 * ramp)
        image = np.where(inside, table_level, image)
        image = ndimage.gaussian_filter(image, 0.8)
    image = image + rng.normal(0, rng.uniform(*NOISE_RANGE), image.shape)
    picture = Image.fromarray(np.clip(image, 0, 255).round().astype(np.uint8), "L")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=int(rng.integers(*JPEG_RANGE)))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("L")


def make_photo_pair(ink: np.ndarray, rng: np.random.Generator, table: bool = True):
    """(clean picture, photo) of the same ink placed on the same sheet."""
    sheet = _place(np.asarray(ink, np.float32), rng)
    return clean_picture(sheet), photograph(sheet, rng, table)
