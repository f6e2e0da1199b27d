"""Finding the ink in a picture: how strongly each pixel is ink, for drawings, scans and photos.

A clean drawing only needs its contrast stretched.  A photo (a border that
is not even) first has its paper's lighting estimated and divided out, and
loses dark regions along its border (a table, a shadow) and the rings JPEG
leaves at their edges.  No Tk here.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

INK_THRESHOLD = 0.25  # ink fainter than this (of the strongest ink) is noise for cropping
MIN_CONTRAST = 0.08   # below this the image is blank: nothing drawn
UNEVEN_BORDER = 0.06  # a border whose 5th-95th percentile spread exceeds this (of full scale) is a photo's
LIGHTING_SIDE = 128   # the paper's lighting is estimated on a copy this small ...
LIGHTING_WINDOW = 0.25  # ... with a window this share of its shorter side: wider than any stroke
LIGHTING_STEP = 0.02  # the lighting's slope (share of the paper's brightness per pixel) at an edge (JPEG rings) ...
EDGE_KEEP = 0.5       # ... where ink this strong (of the strongest ink off those edges) is kept: a digit at a table
POLARITY_TAIL = 2.0   # the ink's side is the one whose extreme 2% lie further from the typical pixel ...
POLARITY_LEAST = 0.05  # ... if either lies this far (log of the ratio to the level around it); else dark
POLARITY_WEIGHT = 0.7  # the other way round must be claimed this much more strongly per unit of log reach
NOISE_FLOOR = 4.0     # in a photo, ink stands this many noise deviations above the paper
BORDER_INK_SHARE = 0.03  # ink touching the border is background (a table, a shadow) if other ink holds this share
SPECK_SHARE = 0.02    # in a photo, a piece of ink with less than this share of the largest piece's ink is a speck

Ink = Literal["dark", "light", None]


def _border(pixels: np.ndarray) -> np.ndarray:
    """The outermost pixels: mostly background in any picture of a digit."""
    return np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])


def ink_image(gray: Image.Image, ink: Ink = None) -> Image.Image | None:
    """Ink strength as an 'L' image (255 = the strongest ink, 0 = background), or None if blank.

    ``ink="dark"`` means dark ink on light paper, ``"light"`` the reverse;
    ``None`` decides from the border, which is mostly background.  A photo
    (a border that is not even) first has its paper's lighting estimated and
    divided out, and loses dark regions along the border (a table, a shadow);
    a clean drawing is left as it is.  Contrast is stretched so faded pencil
    and black marker look alike, and ink fainter than half of INK_THRESHOLD
    (paper texture, JPEG noise) becomes background.
    """
    if ink not in ("dark", "light", None):
        raise ValueError(f"ink must be 'dark', 'light' or None, not {ink!r}")
    pixels = np.asarray(gray)
    border = _border(pixels)
    low, background, high = np.percentile(border, [5, 50, 95])  # one pass: this runs on every drawing
    background = float(background)
    if high - low > UNEVEN_BORDER * 255:
        return _photo_ink(_denoised(gray), ink or _photo_polarity(pixels))
    if ink is None:
        ink = "dark" if background > 127.5 else "light"
    darkest, lightest = gray.getextrema()
    levels = np.arange(256, dtype=np.float32)
    if ink == "dark":
        contrast, strength = background - darkest, background - levels
    else:
        contrast, strength = lightest - background, levels - background
    if contrast < MIN_CONTRAST * 255:
        return None
    strength = np.clip(strength * (255 / contrast), 0.0, 255.0)
    strength[strength < INK_THRESHOLD / 2 * 255] = 0.0
    return gray.point(strength.round().astype(np.uint8).tolist())


def _shrunk(pixels: np.ndarray) -> np.ndarray:
    """A float copy at most LIGHTING_SIDE on its longer side, speckle removed: enough to see the lighting."""
    shrink = min(1.0, LIGHTING_SIDE / max(pixels.shape))
    if shrink < 1:  # each side at least one pixel, however thin the picture
        zoom = [max(1, round(side * shrink)) / side for side in pixels.shape]
        small = ndimage.zoom(pixels.astype(np.float32), zoom, order=1)
    else:
        small = pixels.astype(np.float32)
    return ndimage.median_filter(small, 3)


def _window(small: np.ndarray) -> int:
    return max(3, int(LIGHTING_WINDOW * min(small.shape)) | 1)


def _photo_polarity(pixels: np.ndarray) -> Ink:
    """Dark or light ink in a photo: the side of the paper the extreme pixels near the middle lie on."""
    return photo_polarity_reach(pixels)[0]


def photo_polarity_reach(pixels: np.ndarray) -> tuple[Ink, float]:
    """The photo's likelier ink (dark or light) and how much further its extreme pixels reach than the
    other side's (a ratio, 1.0 = a tie; infinite when nothing stands out and dark is taken).

    Each pixel is compared with the mean level around it (a window wider than
    any stroke), which takes the lighting away.  In the middle half of a
    photo of a digit most pixels are then paper near 0, and the ink lies far
    to one side: darker for dark ink, lighter for chalk.  A table's edge lies
    on both sides of its own level, so it tips neither way.  (The border
    misleads: a table is dark like ink; so does the paper between the
    strokes, which the wrong way round looks like ink.)  Measured as a share
    of the light, dark reaches further than light for the same contrast, and
    the paper between thick strokes stands out too, so a ratio near 1 is a
    close call (see :func:`ink_ways`).
    """
    small = _shrunk(pixels)
    relative = np.log(np.maximum(small, 1.0) / np.maximum(ndimage.uniform_filter(small, _window(small)), 1.0))
    h, w = relative.shape
    middle = relative[h // 4:h - h // 4, w // 4:w - w // 4] if min(h, w) >= 8 else relative
    low, typical, high = np.percentile(middle, [POLARITY_TAIL, 50, 100 - POLARITY_TAIL])
    dark, light = typical - low, high - typical
    if max(dark, light) < POLARITY_LEAST:
        return "dark", float("inf")  # nothing stands out: a blank page, read the common way round
    if dark >= light:
        return "dark", float(dark / max(light, 1e-9))
    return "light", float(light / max(dark, 1e-9))


def ink_ways(gray: Image.Image, ink: Ink = None) -> tuple[tuple[Ink, float], ...]:
    """The ways round worth reading ``gray``, each for :func:`ink_image`, with the handicap its reading
    must overcome: the reader keeps the way whose digits the network claims most strongly (its strongest
    output, at most 1) once the handicap is taken off.

    ``ink`` when it is given, and None (:func:`ink_image` decides) for a
    clean picture, alone.  A photo: the way :func:`photo_polarity_reach`
    finds, and the other way with a handicap of POLARITY_WEIGHT times the log
    of how much further the first reaches, when that is below 1.
    """
    if ink is not None:
        return ((ink, 0.0),)
    pixels = np.asarray(gray)
    low, high = np.percentile(_border(pixels), [5, 95])
    if high - low <= UNEVEN_BORDER * 255:
        return ((None, 0.0),)
    way, reach = photo_polarity_reach(pixels)
    handicap = POLARITY_WEIGHT * float(np.log(reach))
    other: Ink = "light" if way == "dark" else "dark"
    return ((way, 0.0), (other, handicap)) if handicap < 1.0 else ((way, 0.0),)


def ink_readings(gray: Image.Image, ink: Ink = None) -> tuple[tuple[Image.Image | None, float], ...]:
    """:func:`ink_image` of ``gray`` each way of :func:`ink_ways`, with its handicap.  A photo read both
    ways round has its noise smoothed once (the slowest step), not once a way."""
    ways = ink_ways(gray, ink)
    if len(ways) == 1:
        return ((ink_image(gray, ways[0][0]), ways[0][1]),)
    image = _denoised(gray)  # two ways: a photo's
    return tuple((_photo_ink(image, way), handicap) for way, handicap in ways)


def _denoised(gray: Image.Image) -> np.ndarray:
    """A photo's pixels as floats, sensor noise and JPEG speckle smoothed by a 3x3 median when it is large.
    (Pillow's median filter gives scipy.ndimage's result on 8-bit pixels in about 60% of the time.)"""
    if min(gray.size) >= 64:
        gray = gray.filter(ImageFilter.MedianFilter(3))
    return np.asarray(gray, np.float32)


def _strength(image: np.ndarray, lighting: np.ndarray, ink: Ink) -> np.ndarray:
    """How strongly each pixel is ink, 0 for paper, relative to the paper's own lighting.

    Ink takes away a share of the light the paper reflects; where the
    lighting is far darker than the paper at its best (a table), that share
    is taken of half the paper's light, so noise there does not become ink.
    """
    if ink == "dark":
        paper = np.maximum(lighting, 0.5 * float(np.percentile(lighting, 95)))
        strength = (lighting - image) / np.maximum(paper, 1.0)
    else:
        room = np.maximum(255.0 - lighting, 0.5 * (255.0 - float(np.percentile(lighting, 5))))
        strength = (image - lighting) / np.maximum(room, 1.0)
    return np.clip(strength, 0.0, None)


def paper_lighting(image: np.ndarray, ink: Ink) -> np.ndarray:
    """The paper's brightness under uneven light (float, the image's shape), the ink taken away.

    A grey closing (dark ink) or opening (light ink) with a window wider than
    any stroke fills the strokes with the paper around them and keeps slow
    gradients and the sharp edges of broad regions (a table, a shadow).
    """
    fill = ndimage.grey_closing if ink == "dark" else ndimage.grey_opening
    return fill(image, size=_window(image))


def _border_regions(strength: np.ndarray) -> np.ndarray:
    """Ink-like regions that touch the border, when other ink is there to read (bool mask, widened a little).

    A table edge or a shadow along the border is dark like ink; a digit
    rarely touches the frame, and if all ink does, it is kept.
    """
    parts, n = ndimage.label(strength > INK_THRESHOLD / 2 * strength.max(initial=0), structure=np.ones((3, 3)))
    touching = np.unique(_border(parts))
    touching = touching[touching > 0]
    if n == 0 or not len(touching):
        return np.zeros(strength.shape, bool)
    mass = ndimage.sum(strength, parts, index=np.arange(1, n + 1))
    inner = mass.sum() - mass[touching - 1].sum()
    if inner < BORDER_INK_SHARE * mass.sum():
        return np.zeros(strength.shape, bool)
    return ndimage.binary_dilation(np.isin(parts, touching), iterations=max(2, max(strength.shape) // 100))


def _specks(strength: np.ndarray) -> np.ndarray:
    """Pieces of ink far smaller than the largest (bool mask): noise or JPEG ringing that survived the floor.

    A speck of a few pixels in a corner of a big photo would otherwise stretch
    the digit's box across the photo, and the digit would be read tiny.
    """
    parts, n = ndimage.label(strength > INK_THRESHOLD / 2 * strength.max(initial=0), structure=np.ones((3, 3)))
    if n < 2:
        return np.zeros(strength.shape, bool)
    mass = ndimage.sum(strength, parts, index=np.arange(1, n + 1))
    small = np.concatenate([[False], mass < SPECK_SHARE * mass.max()])
    return small[parts]


def _lighting_edges(lighting: np.ndarray) -> np.ndarray:
    """Where the lighting steps sharply (a table's or a shadow's edge), widened: JPEG rings there like ink.

    Light changes slowly across paper; a step of more than LIGHTING_STEP of
    the paper's brightness per pixel is the edge of something that is not paper.
    """
    paper = max(float(np.percentile(lighting, 95)), 1.0)
    steep = ndimage.gaussian_gradient_magnitude(lighting, 1.5) > LIGHTING_STEP * paper
    return ndimage.binary_dilation(steep, iterations=3 + max(lighting.shape) // 200) if steep.any() else steep


def _photo_ink(image: np.ndarray, ink: Ink) -> Image.Image | None:
    """Ink strength of a photo (its :func:`_denoised` pixels): the paper's lighting divided out; border
    regions, faint rings where the lighting steps, and specks dropped."""
    lighting = paper_lighting(image, ink)
    strength = _strength(image, lighting, ink)
    # The paper's own grain (noise, texture) sets a floor: ink is what stands well above it.
    deviation = np.abs(strength - np.median(strength))
    strength = np.clip(strength - np.median(strength) - NOISE_FLOOR * 1.4826 * np.median(deviation), 0.0, None)
    edges = _lighting_edges(lighting)  # JPEG rings there, faintly beside ink; a stroke up to a table's edge is kept
    edges &= strength < EDGE_KEEP * float(strength[~edges].max(initial=0))
    strength[_border_regions(strength) | edges] = 0.0
    strength[_specks(strength)] = 0.0
    contrast = float(strength.max(initial=0))
    if contrast < MIN_CONTRAST:
        return None
    strength /= contrast
    strength[strength < INK_THRESHOLD / 2] = 0.0
    return Image.fromarray(np.round(strength * 255).astype(np.uint8), "L")
