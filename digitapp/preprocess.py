"""Turn any drawing or photo of a digit into the network's 28x28 input, the way MNIST was made.

MNIST's digits were scaled so the longer side fits 20x20 (keeping the
aspect ratio, anti-aliased), then placed in a 28x28 field so that their
centre of mass sits at the centre.  A drawing only looks like MNIST to the
network after the same steps, so every caller (the app, ``digitapp predict``,
the benchmarks and the training script) goes through :func:`preprocess`.
No Tk here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from .imagefile import ImageLike, as_gray_image
from .ink import INK_THRESHOLD, Ink, ink_image
from .strokes import render_normalised

FIELD = 28          # side of the network's input
DIGITS = 10         # the network's outputs: one per digit 0-9
BOX = 20            # the longer side of the digit inside it
CENTRE = 14.0       # where MNIST puts the centre of mass (row, column), measured on the training set
BLUR_SIGMA = 0.5    # softens the hard edges of mouse strokes


def preprocess(image: ImageLike, ink: Ink = None) -> np.ndarray | None:
    """The network's input for ``image``: a float32 (784, 1) column in [0, 1], or None if blank.

    Steps: ink as 1.0 -> crop to the ink -> longer side to 20 px, keeping
    the aspect ratio, anti-aliased -> 28x28 field, centre of mass at the
    centre -> slight Gaussian blur -> strongest pixel 1.0.
    """
    return input_from_ink(ink_image(as_gray_image(image), ink))


def input_from_ink(strength: Image.Image | None) -> np.ndarray | None:
    """:func:`preprocess` after the ink is found: the (784, 1) input from what :func:`ink_image` gave."""
    if strength is None:
        return None
    bbox = strength.point(_BBOX_LUT).getbbox()
    if bbox is None:
        return None
    field = centre_in_field(strength.crop(bbox))
    return None if field is None else field.reshape(FIELD * FIELD, 1)


def preprocess_batch(images: np.ndarray, progress=None, pixels: bool = False) -> np.ndarray:
    """Rows of 28x28 images (N, 784) through :func:`preprocess`, so training data looks like drawings do.

    Gives float32 rows in [0, 1], or uint8 pixels with ``pixels=True`` (a
    quarter of the memory).  A blank image (none in MNIST) stays all zero.
    ``progress(k)`` is told about each image done.
    """
    out = np.zeros((len(images), FIELD * FIELD), np.uint8 if pixels else np.float32)
    for k, image in enumerate(images):
        x = preprocess(image.reshape(FIELD, FIELD), ink="light")
        if x is not None:
            out[k] = np.round(x[:, 0] * 255) if pixels else x[:, 0]
        if progress is not None:
            progress(k)
    return out


def centre_in_field(crop: Image.Image) -> np.ndarray | None:
    """From the ink cropped to its bounding box to the 28x28 MNIST-like field (None if no ink is left)."""
    w, h = crop.size
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(crop.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)
    total = float(small.sum())
    if total == 0:
        return None
    h, w = small.shape
    cy = float(small.sum(axis=1) @ np.arange(h)) / total
    cx = float(small.sum(axis=0) @ np.arange(w)) / total
    # Put the centre of mass at the centre (to the nearest pixel, as MNIST did), keeping all ink inside.
    top = int(np.clip(round(CENTRE - cy), 0, FIELD - h))
    left = int(np.clip(round(CENTRE - cx), 0, FIELD - w))
    field = np.zeros((FIELD, FIELD), np.float32)
    field[top:top + h, left:left + w] = small
    field = ndimage.gaussian_filter(field, BLUR_SIGMA, mode="constant")
    field *= np.float32(1 / field.max())
    return field


_BBOX_LUT = [0 if v < INK_THRESHOLD * 255 else 255 for v in range(256)]


def strokes_input(strokes, checked: bool = False) -> np.ndarray | None:
    """The (784, 1) input for mouse strokes (None when nothing is drawn), as the app makes it: redrawn
    with a pen in proportion to the digit, so the pen and size the user drew with do not matter.
    ``checked``: the strokes come from clean_strokes already (a reading's groups, a correction)."""
    image = render_normalised(strokes, checked)
    if image is None:
        return None
    # Its pixels are PAPER (0) and INK (255) only, on a border of paper, so finding the ink (ink_image) would
    # give the image back unchanged, and the ink's box is the box of all that is not paper: both steps are
    # skipped (a quarter of the time of reading a drawing).  A huge one is shrunk first, as always.
    gray = as_gray_image(image)
    if gray is not image:
        return input_from_ink(gray)
    field = centre_in_field(image.crop(image.getbbox()))
    return None if field is None else field.reshape(FIELD * FIELD, 1)
