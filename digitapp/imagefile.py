"""Opening picture files safely: any file a user hands us becomes an 8-bit grayscale image or one line.

Pictures come from anywhere, so decoding is hardened: only regular files,
only photo and scan formats (never PostScript or PDF), the size checked from
the header before decoding, a deadline on decoders that a damaged file keeps
busy (SIGALRM, main thread only), and libtiff's own messages kept off stderr.
No Tk here.
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, UnidentifiedImageError

from .files import open_regular, reason

MAX_SIDE = 1024       # huge photos are shrunk to this first; the digit ends up 20 px anyway
MAX_PIXELS = 40_000_000  # larger pictures are refused before decoding (after JPEG's reduced-size draft)
#: The formats ``load_image`` opens (Pillow's names): photos, screenshots and scans, nothing that runs a program.
IMAGE_FORMATS = ("BMP", "GIF", "JPEG", "PNG", "PPM", "TIFF", "WEBP")
DECODE_SECONDS = 3.0  # a 40-megapixel photo decodes in about 1 s; a file that takes longer is damaged or hostile

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
        img = _deep_to_uint8(img)
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


def _deep_to_uint8(img: Image.Image) -> Image.Image:
    """A 16-bit, 32-bit or float picture as 8 bits, shrunk to MAX_SIDE first: its levels are mapped from
    the whole picture's lowest and highest, but no full-size float copy is made (a 40-megapixel float
    picture stays well under a gigabyte)."""
    if img.mode.startswith("I;"):  # Pillow shrinks 32-bit pictures, not 16-bit ones
        img = img.convert("I")
    low, high = img.getextrema()
    if max(img.size) > MAX_SIDE:
        img = img.copy()
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
    return Image.fromarray(as_uint8(np.asarray(img), (low, high)))


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


def as_uint8(array: np.ndarray, extrema: tuple[float, float] | None = None) -> np.ndarray:
    """8-bit levels from any numeric array, scaled, never clipped.

    0-1 floats are intensities; values within 0-255 are taken as they are;
    anything wider (16-bit, 32-bit, HDR floats) is stretched from its
    lowest to its highest value (``extrema``, when they are known from a
    larger picture this one was shrunk from), so no ink is lost to clipping.
    """
    if array.dtype == np.uint8:
        return array
    array = np.nan_to_num(np.asarray(array, np.float64), posinf=0.0, neginf=0.0)
    if extrema is not None and all(np.isfinite(extrema)):
        low, high = float(extrema[0]), float(extrema[1])
    else:
        low, high = (float(array.min()), float(array.max())) if array.size else (0.0, 0.0)
    if low >= 0 and high <= 1.0 and array.dtype.kind == "f":  # 0-1 intensities
        array = array * 255
    elif low < 0 or high > 255:
        array = (array - low) * (255 / (high - low)) if high > low else np.zeros_like(array)
    return np.clip(array.round(), 0, 255).astype(np.uint8)
