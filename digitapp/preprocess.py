"""Turn any drawing or photo of a digit into the network's 28x28 input, the way MNIST was made.

MNIST's digits were scaled so the longer side fits 20x20 (keeping the
aspect ratio, anti-aliased), then placed in a 28x28 field so that their
centre of mass sits at the centre.  A drawing only looks like MNIST to the
network after the same steps, so every caller (the app, ``digitapp predict``,
the benchmarks and the training script) goes through :func:`preprocess`.
No Tk here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Union

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import ndimage

FIELD = 28          # side of the network's input
BOX = 20            # the longer side of the digit inside it
CENTRE = 14.0       # where MNIST puts the centre of mass (row, column), measured on the training set
BLUR_SIGMA = 0.5    # softens the hard edges of mouse strokes
INK_THRESHOLD = 0.25  # ink fainter than this (of the strongest ink) is noise for cropping
MIN_CONTRAST = 0.08   # below this the image is blank: nothing drawn
MAX_SIDE = 1024       # huge photos are shrunk to this first; the digit ends up 20 px anyway

Ink = Literal["dark", "light", None]
ImageLike = Union[Image.Image, np.ndarray, str, Path]


class ImageError(Exception):
    """An image file that cannot be used; the message is one line naming the file."""


def load_image(path) -> Image.Image:
    """Open an image file as 8-bit grayscale, with a one-line error for anything that is not one."""
    path = Path(path)
    try:
        with Image.open(path) as img:
            img.draft("L", (MAX_SIDE, MAX_SIDE))  # lets JPEG decode big photos at reduced size
            img.load()
            return to_grayscale_image(img)
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImageError(f"{path}: is a directory, not an image") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image file (PNG, JPEG, BMP, GIF ... expected)") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{path}: image is too large to open safely") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageError(f"{path}: cannot read image ({err})") from None


def to_grayscale_image(img: Image.Image) -> Image.Image:
    """Grayscale 'L', with transparency flattened onto a background that contrasts with the ink."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"))
        if alpha.min() < 255:
            gray = np.asarray(rgba.convert("L"), dtype=np.float32)
            opaque = alpha > 127
            ink_is_dark = not opaque.any() or gray[opaque].mean() < 128
            background = 255.0 if ink_is_dark else 0.0
            a = alpha.astype(np.float32) / 255
            flat = gray * a + background * (1 - a)
            return Image.fromarray(flat.round().astype(np.uint8), "L")
    if img.mode != "L":
        img = img.convert("L")
    if max(img.size) > MAX_SIDE:
        img = img.copy()
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
    return img


def as_gray_array(image: ImageLike) -> np.ndarray:
    """A 2-D float32 array in [0, 1] from a PIL image, a NumPy array or a file path."""
    if isinstance(image, (str, Path)):
        image = load_image(image)
    if isinstance(image, Image.Image):
        return np.asarray(to_grayscale_image(image), dtype=np.float32) * np.float32(1 / 255)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] in (3, 4):
        return as_gray_array(Image.fromarray(np.clip(array, 0, 255).astype(np.uint8)))
    if array.ndim != 2 or array.size == 0:
        raise ImageError(f"expected a 2-D grayscale image, got an array of shape {array.shape}")
    array = array.astype(np.float32)
    if array.max(initial=0) > 1.0:  # 0-255 pixel values
        array *= np.float32(1 / 255)
    return array


def ink_strength(gray: np.ndarray, ink: Ink = None) -> np.ndarray | None:
    """Ink as 1.0 and background as 0.0, or None when the image is blank.

    ``ink="dark"`` means dark ink on light paper, ``"light"`` the reverse;
    ``None`` decides from the border, which is mostly background.
    """
    background = float(np.median(_border(gray)))
    if ink is None:
        ink = "dark" if background > 0.5 else "light"
    if ink == "dark":
        raw = background - gray
    elif ink == "light":
        raw = gray - background
    else:
        raise ValueError(f"ink must be 'dark', 'light' or None, not {ink!r}")
    contrast = float(raw.max())
    if contrast < MIN_CONTRAST:
        return None
    return np.clip(raw * np.float32(1 / contrast), 0.0, 1.0)


def _border(gray):
    """The outermost pixels: mostly background in any picture of a digit."""
    return np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])


def preprocess(image: ImageLike, ink: Ink = None) -> np.ndarray | None:
    """The network's input for ``image``: a float32 (784, 1) column in [0, 1], or None if blank.

    Steps: ink as 1.0 -> crop to the ink -> longer side to 20 px, keeping
    the aspect ratio, anti-aliased -> 28x28 field, centre of mass at the
    centre -> slight Gaussian blur -> strongest pixel 1.0.
    """
    strength = ink_strength(as_gray_array(image), ink)
    if strength is None:
        return None
    field = centre_in_field(strength)
    return None if field is None else field.reshape(FIELD * FIELD, 1)


def centre_in_field(strength: np.ndarray) -> np.ndarray | None:
    """From an ink-strength image to the 28x28 MNIST-like field (None if there is no ink)."""
    mask = strength >= INK_THRESHOLD
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    crop = strength[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    crop = np.where(crop >= INK_THRESHOLD / 2, crop, 0).astype(np.float32)  # drop faint noise
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(Image.fromarray(crop, "F").resize(size, Image.Resampling.BILINEAR))
    small = np.clip(small, 0.0, 1.0)
    if not small.any():
        return None
    h, w = small.shape
    top, left = (FIELD - h) // 2, (FIELD - w) // 2
    field = np.zeros((FIELD, FIELD), np.float32)
    field[top:top + h, left:left + w] = small
    cy, cx = ndimage.center_of_mass(field)
    # Move the centre of mass to the centre, but never push ink out of the field.
    dy = float(np.clip(CENTRE - cy, -top, FIELD - top - h))
    dx = float(np.clip(CENTRE - cx, -left, FIELD - left - w))
    field = ndimage.shift(field, (dy, dx), order=1, mode="constant", prefilter=False)
    field = ndimage.gaussian_filter(field, BLUR_SIGMA, mode="constant")
    peak = field.max()
    if peak <= 0:
        return None
    field *= np.float32(1 / peak)
    return field
