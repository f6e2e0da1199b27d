"""Photos of paper, made from clean drawings: what a phone camera makes of a digit on a sheet.

:func:`photograph` takes an ink mask (floats in [0, 1], 1 = ink) and gives
the picture a camera would: paper lit unevenly (a gradient and a soft
shadow), a darker table along one or two edges (far from the digit, near it
or touching it), ink a little blurred, sensor noise, JPEG, at a random size
and aspect, sometimes a small digit in a big photo.  :func:`clean_picture`
is the same ink as a clean PNG-like picture (black on white), the yardstick.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from scipy import ndimage

SIDE_RANGE = (120, 900)        # the photo's longer side, pixels
MARGIN_RANGE = (0.25, 0.8)     # paper around the digit, as a share of the digit's size, each side
WIDE_MARGIN_RANGE = (1.0, 3.0)  # ... or this much: a small digit in a big photo
WIDE_SHARE = 0.25              # the share of photos with the wide margins ...
WIDE_SIDE_RANGE = (500, 1200)  # ... which are big photos
PAPER_RANGE = (170, 245)       # paper brightness where the light is best
INK_RANGE = (10, 90)           # ink brightness under the same light
GRADIENT_RANGE = (0.25, 0.9)   # brightness at the darkest corner, share of the brightest
TABLE_SHARE = (0.05, 0.2)      # a table band far from the digit: this share of the side, at most
TABLE_LEVEL = (20, 110)
TABLE_EDGES = (0.15, 0.5, 0.35)  # the chances of no table, a table along one edge, along two
TABLE_PLACES = ("far", "near", "touching")  # where a band's edge lies: well off the digit, close, at its ink
NEAR_GAP = (0.03, 0.15)        # "near": the gap between band and ink, share of the digit's size
NOISE_RANGE = (2.0, 10.0)      # sensor noise, grey levels
JPEG_RANGE = (35, 90)          # JPEG quality


def _place(ink: np.ndarray, rng: np.random.Generator, case: dict | None = None) -> np.ndarray:
    """The ink on a larger sheet, at a random size and aspect: float (H, W) in [0, 1] (``case["small"]``: a small
    digit in a big photo)."""
    rows, cols = np.nonzero(ink > 0.1)
    ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = ink.shape
    small = bool(rng.random() < WIDE_SHARE)
    margins = rng.uniform(*(WIDE_MARGIN_RANGE if small else MARGIN_RANGE), 4) * max(h, w)
    H, W = int(h + margins[0] + margins[1]), int(w + margins[2] + margins[3])
    side = rng.uniform(*(WIDE_SIDE_RANGE if small else SIDE_RANGE))
    if case is not None:
        case["small"] = small
    scale = side / max(H, W)
    sheet = np.zeros((H, W), np.float32)
    top, left = int(margins[0]), int(margins[2])
    sheet[top:top + h, left:left + w] = ink
    return ndimage.zoom(sheet, scale, order=1).clip(0, 1)


def clean_picture(sheet: np.ndarray) -> Image.Image:
    """Black ink on white paper, nothing else: the yardstick for a photo of the same sheet."""
    return Image.fromarray(np.round(255 * (1 - sheet)).astype(np.uint8), "L")


def photograph(sheet: np.ndarray, rng: np.random.Generator, table: bool = True,
               case: dict | None = None) -> Image.Image:
    """The sheet (float (H, W), 1 = ink) as a camera would see it: an 'L' image decoded from JPEG.

    ``case``, when given, is filled with what the photo has: "edges" (table
    bands), "places" (each band's "far", "near" or "touching"), "gradient"
    (the darkest corner's share of the light).
    """
    H, W = sheet.shape
    y, x = np.mgrid[0:H, 0:W] / max(H, W)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = x * np.cos(angle) + y * np.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    darkest = rng.uniform(*GRADIENT_RANGE)
    light = 1 - (1 - darkest) * ramp
    cy, cx = rng.uniform(0, 1, 2) * (H / max(H, W), W / max(H, W))      # a soft shadow somewhere
    light *= 1 - rng.uniform(0, 0.3) * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * rng.uniform(0.1, 0.3) ** 2))
    paper, ink = rng.uniform(*PAPER_RANGE), rng.uniform(*INK_RANGE)
    blurred = ndimage.gaussian_filter(sheet, rng.uniform(0.3, 1.2) * max(H, W) / 400)
    image = (paper + (ink - paper) * blurred) * light
    edges = [int(e) for e in rng.permutation(4)[:rng.choice(3, p=TABLE_EDGES)]] if table else []
    places = []
    if edges:  # darker table along those edges, each boundary a little skewed
        image = _tables(image, sheet, edges, places, ramp, rng)
        image = ndimage.gaussian_filter(image, 0.8)
    if case is not None:
        case.update(edges=len(edges), places=places, gradient=float(darkest))
    image = image + rng.normal(0, rng.uniform(*NOISE_RANGE), image.shape)
    picture = Image.fromarray(np.clip(image, 0, 255).round().astype(np.uint8), "L")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=int(rng.integers(*JPEG_RANGE)))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("L")


def _tables(image: np.ndarray, sheet: np.ndarray, edges: list[int], places: list[str], ramp: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """``image`` with a table band along each of ``edges`` (0 left, 1 right, 2 top, 3 bottom); each band's
    place (far from the ink, near it, touching it) is appended to ``places``."""
    H, W = sheet.shape
    rows, cols = np.nonzero(sheet > 0.1)
    size = max(np.ptp(rows), np.ptp(cols)) + 1
    rr, cc = np.mgrid[0:H, 0:W].astype(np.float32)
    for edge in edges:
        across, along, side = [(cc, rr, W), (W - 1 - cc, rr, W), (rr, cc, H), (H - 1 - rr, cc, H)][edge]
        gap = float([cols.min(), W - 1 - cols.max(), rows.min(), H - 1 - rows.max()][edge])  # paper before the ink
        place = TABLE_PLACES[int(rng.integers(3))]
        if place == "far" and gap - 0.15 * size < 0.03 * side:
            place = "near"
        if place == "far":
            width = min(rng.uniform(*TABLE_SHARE) * side, gap - 0.15 * size)
        elif place == "near":
            width = gap - rng.uniform(*NEAR_GAP) * size
        else:
            width = gap + rng.uniform(0, 0.02) * size
        middle = float(along[rows, cols].mean())
        inside = across < width + rng.uniform(-0.03, 0.03) * (along - middle)
        image = np.where(inside, rng.uniform(*TABLE_LEVEL) * (1 + 0.2 * ramp), image)
        places.append(place)
    return image


def make_photo_pair(ink: np.ndarray, rng: np.random.Generator, table: bool = True, case: dict | None = None):
    """(clean picture, photo) of the same ink placed on the same sheet; ``case`` as :func:`photograph` fills it."""
    sheet = _place(np.asarray(ink, np.float32), rng, case)
    return clean_picture(sheet), photograph(sheet, rng, table, case)
