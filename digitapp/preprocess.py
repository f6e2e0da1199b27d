"""Turn any drawing or photo of a digit into the network's 28x28 input, the way MNIST was made.

MNIST's digits were scaled so the longer side fits 20x20 (keeping the
aspect ratio, anti-aliased), then placed in a 28x28 field so that their
centre of mass sits at the centre.  A drawing only looks like MNIST to the
network after the same steps, so every caller (the app, ``digitapp predict``,
the benchmarks and the training script) goes through :func:`preprocess`.
No Tk here.
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Union

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import ndimage

from .files import open_regular, reason
from .strokes import render_normalised

FIELD = 28          # side of the network's input
BOX = 20            # the longer side of the digit inside it
CENTRE = 14.0       # where MNIST puts the centre of mass (row, column), measured on the training set
BLUR_SIGMA = 0.5    # softens the hard edges of mouse strokes
INK_THRESHOLD = 0.25  # ink fainter than this (of the strongest ink) is noise for cropping
MIN_CONTRAST = 0.08   # below this the image is blank: nothing drawn
MAX_SIDE = 1024       # huge photos are shrunk to this first; the digit ends up 20 px anyway
MAX_PIXELS = 40_000_000  # larger pictures are refused before decoding (after JPEG's reduced-size draft)
#: The formats ``load_image`` opens (Pillow's names): photos, screenshots and scans, nothing that runs a program.
IMAGE_FORMATS = ("BMP", "GIF", "JPEG", "PNG", "PPM", "TIFF", "WEBP")
DECODE_SECONDS = 3.0  # a 40-megapixel photo decodes in about 1 s; a file that takes longer is damaged or hostile
UNEVEN_BORDER = 0.06  # a border whose 5th-95th percentile spread exceeds this (of full scale) is a photo's
LIGHTING_SIDE = 128   # the paper's lighting is estimated on a copy this small ...
LIGHTING_WINDOW = 0.25  # ... with a window this share of its shorter side: wider than any stroke
LIGHTING_STEP = 0.02  # the lighting's slope (share of the paper's brightness per pixel) at an edge
NOISE_FLOOR = 4.0     # in a photo, ink stands this many noise deviations above the paper
BORDER_INK_SHARE = 0.03  # ink touching the border is background (a table, a shadow) if other ink holds this share

Ink = Literal["dark", "light", None]
ImageLike = Union[Image.Image, np.ndarray, str, Path]


class ImageError(Exception):
    """An image file that cannot be used; the message is one line naming the file."""


def load_image(path) -> Image.Image:
    """Open an image file as 8-bit grayscale, with a one-line error for anything that is not one.

    Only regular files, only the formats of :data:`IMAGE_FORMATS` (never
    PostScript or PDF, which Pillow hands to Ghostscript), and the size is
    checked from the header before anything is decoded.  Whatever a damaged
    file makes the decoder raise becomes that file's one-line error.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings(), _c_stderr_silenced(), _deadline(DECODE_SECONDS):
            warnings.simplefilter("ignore")  # damaged files make Pillow warn; the user gets one line or none
            return _decode(path)
    except ImageError:
        raise
    except _TooSlow:
        raise ImageError(f"{path}: damaged image file (still not decoded after {DECODE_SECONDS:g} s)") from None
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image file we open ({', '.join(sorted(IMAGE_FORMATS))} expected)") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{path}: image is too large to open safely") from None
    except MemoryError:
        raise ImageError(f"{path}: not enough memory to open this image") from None
    except OSError as err:
        if err.filename is not None or isinstance(err, (PermissionError, IsADirectoryError)):
            raise ImageError(f"{path}: cannot read it ({reason(err)})") from None
        raise ImageError(f"{path}: damaged or truncated image file") from None
    except Exception:  # decoders of damaged files raise many kinds of error
        raise ImageError(f"{path}: damaged or truncated image file") from None


class _TooSlow(Exception):
    """Decoding took longer than DECODE_SECONDS."""


@contextmanager
def _deadline(seconds: float):
    """Raise _TooSlow in the block after ``seconds``: a file of a million tiny PNG chunks or PPM comments
    keeps Pillow's Python-level parsers busy far longer than any real picture.  Needs SIGALRM, so only in
    the main thread (where the app and ``digitapp predict`` read images); elsewhere there is no deadline.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _c_stderr_silenced():
    """Send file descriptor 2 to /dev/null for the block: libtiff prints a damaged file's errors there itself."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _decode(path: Path) -> Image.Image:
    with open_regular(path) as f, Image.open(f, formats=IMAGE_FORMATS) as img:
        img.draft("L", (MAX_SIDE, MAX_SIDE))  # lets JPEG decode big photos at reduced size
        width, height = img.size
        if width * height > MAX_PIXELS:
            raise ImageError(f"{path}: {width}x{height} pixels is too large to open "
                             f"(at most {MAX_PIXELS // 10**6} million); shrink it first")
        img.load()
        return to_grayscale_image(img)


def to_grayscale_image(img: Image.Image) -> Image.Image:
    """Grayscale 'L', with transparency flattened onto a background that contrasts with the ink.

    Big pictures are shrunk to MAX_SIDE first, on every path, so no
    full-size float copy of a huge picture is ever made.
    """
    if img.mode in ("I", "F") or img.mode.startswith("I;"):  # 16- and 32-bit: scale, do not clip
        img = Image.fromarray(as_uint8(np.asarray(img)))
    transparent = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    mode = "RGBA" if transparent else "L"
    shrunk = img.convert(mode) if img.mode != mode else img
    if max(shrunk.size) > MAX_SIDE:
        shrunk = shrunk.copy() if shrunk is img else shrunk
        shrunk.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
    if not transparent:
        return shrunk
    alpha = np.asarray(shrunk.getchannel("A"))
    gray_image = shrunk.convert("L")
    if alpha.min() == 255:
        return gray_image
    gray = np.asarray(gray_image, dtype=np.float32)
    opaque = alpha > 127
    ink_is_dark = not opaque.any() or gray[opaque].mean() < 128
    background = 255.0 if ink_is_dark else 0.0
    a = alpha.astype(np.float32) / 255
    flat = gray * a + background * (1 - a)
    return Image.fromarray(flat.round().astype(np.uint8), "L")


def as_gray_image(image: ImageLike) -> Image.Image:
    """An 8-bit grayscale PIL image from a PIL image, a NumPy array (0-1 or 0-255) or a file path."""
    if isinstance(image, (str, Path)):
        return load_image(image)
    if isinstance(image, Image.Image):
        return to_grayscale_image(image)
    array = np.asarray(image)
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))) or array.size == 0:
        raise ImageError(f"expected a grayscale (H, W) or colour (H, W, 3 or 4) image, got shape {array.shape}")
    return to_grayscale_image(Image.fromarray(as_uint8(array)))


def as_uint8(array: np.ndarray) -> np.ndarray:
    """8-bit levels from any numeric array, scaled, never clipped.

    0-1 floats are intensities; values within 0-255 are taken as they are;
    anything wider (16-bit, 32-bit, HDR floats) is stretched from its
    lowest to its highest value, so no ink is lost to clipping.
    """
    if array.dtype == np.uint8:
        return array
    array = np.nan_to_num(np.asarray(array, np.float64), posinf=0.0, neginf=0.0)
    low, high = (float(array.min()), float(array.max())) if array.size else (0.0, 0.0)
    if low >= 0 and high <= 1.0 and array.dtype.kind == "f":  # 0-1 intensities
        array = array * 255
    elif low < 0 or high > 255:
        array = (array - low) * (255 / (high - low)) if high > low else np.zeros_like(array)
    return np.clip(array.round(), 0, 255).astype(np.uint8)


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
        return _photo_ink(pixels, ink or _photo_polarity(pixels))
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
    small = ndimage.zoom(pixels.astype(np.float32), shrink, order=1) if shrink < 1 else pixels.astype(np.float32)
    return ndimage.median_filter(small, 3)


def _window(small: np.ndarray) -> int:
    return max(3, int(LIGHTING_WINDOW * min(small.shape)) | 1)


def _photo_polarity(pixels: np.ndarray) -> Ink:
    """Dark or light ink in a photo: the way round that leaves the paper clean.

    The border's brightness misleads under a strong gradient.  Taken the
    right way round, the typical pixel (paper) is no ink at all; the wrong
    way round, the paper around the strokes and beside a table becomes faint
    "ink".
    """
    small = _shrunk(pixels)
    typical = {ink: float(np.median(_strength(small, paper_lighting(small, ink), ink))) for ink in ("dark", "light")}
    return "dark" if typical["dark"] <= typical["light"] else "light"


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


def _lighting_edges(lighting: np.ndarray) -> np.ndarray:
    """Where the lighting steps sharply (a table's or a shadow's edge), widened: JPEG rings there like ink.

    Light changes slowly across paper; a step of more than LIGHTING_STEP of
    the paper's brightness per pixel is the edge of something that is not paper.
    """
    paper = max(float(np.percentile(lighting, 95)), 1.0)
    steep = ndimage.gaussian_gradient_magnitude(lighting, 1.5) > LIGHTING_STEP * paper
    return ndimage.binary_dilation(steep, iterations=3 + max(lighting.shape) // 200) if steep.any() else steep


def _photo_ink(pixels: np.ndarray, ink: Ink) -> Image.Image | None:
    """Ink strength of a photo: the paper's lighting divided out, noise smoothed, border regions dropped."""
    image = pixels.astype(np.float32)
    if min(image.shape) >= 64:
        image = ndimage.median_filter(image, 3)  # sensor noise and JPEG speckle
    lighting = paper_lighting(image, ink)
    strength = _strength(image, lighting, ink)
    # The paper's own grain (noise, texture) sets a floor: ink is what stands well above it.
    deviation = np.abs(strength - np.median(strength))
    strength = np.clip(strength - np.median(strength) - NOISE_FLOOR * 1.4826 * np.median(deviation), 0.0, None)
    strength[_border_regions(strength) | _lighting_edges(lighting)] = 0.0
    contrast = float(strength.max(initial=0))
    if contrast < MIN_CONTRAST:
        return None
    strength /= contrast
    strength[strength < INK_THRESHOLD / 2] = 0.0
    return Image.fromarray(np.round(strength * 255).astype(np.uint8), "L")


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


def strokes_input(strokes) -> np.ndarray | None:
    """The (784, 1) input for mouse strokes (None when nothing is drawn), as the app makes it: redrawn
    with a pen in proportion to the digit, so the pen and size the user drew with do not matter."""
    image = render_normalised(strokes)
    return None if image is None else preprocess(image, ink="light")
