"""The training set ``digitapp train`` learns from, built from its settings alone.

MNIST (through the app's own preprocessing of drawings, or as it comes),
then a pen-redrawn copy of every training digit, then digits and non-digits
drawn from the hand-authored templates, then MNIST digits turned a quarter
(as non-digits).  :func:`build_training_set` is one function of its keyword
settings: the same settings give the same arrays, bit for bit, so its result
can be cached under them.  The user's own samples are not part of it; the
command adds them (they change far more often than the rest).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from .augment import pen_redrawn
from .preprocess import preprocess_batch
from .styled import NONE, non_digits as draw_non_digits, styled_digits, turned_digits as draw_turned_digits

log = logging.getLogger(__name__)

#: ``progress(stage, done, total)``: ``done`` of ``total`` images of a long stage ("preprocessing", "pen copies").
Progress = Callable[[str, int, int], None]

#: What the MNIST images go through: the app's preprocessing of drawings, or nothing.
INPUT_KINDS = ("preprocessed", "raw")


class TrainingData(NamedTuple):
    """The training images (uint8 pixel rows) and labels (-1: no digit), and the validation and test splits
    as ``(images, labels)`` with float32 images in [0, 1]."""

    images: np.ndarray
    labels: np.ndarray
    validation: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]


def build_training_set(*, data_dir: Path | None = None, inputs: str = "preprocessed", pen_copies: bool = True,
                       styles: int = 0, non_digits: int = 0, turned_digits: int = 0, seed: int = 1,
                       progress: Progress | None = None) -> TrainingData:
    """The training set for these settings (MNIST from ``data_dir``, fetched if missing).

    ``inputs`` is "preprocessed" (MNIST as the app's preprocessing makes a
    drawing look) or "raw"; ``pen_copies`` adds every training digit redrawn
    with a uniform pen; ``styles``, ``non_digits`` and ``turned_digits`` add
    that many template-drawn digits, non-digits and quarter-turned MNIST
    digits.  Every random choice draws from a generator seeded by ``seed``
    and the part it is for, so one part's size never changes another's.
    Raises mnist_loader.MnistError when MNIST cannot be had.
    """
    import mnist_loader

    if inputs not in INPUT_KINDS:
        raise ValueError(f"inputs must be one of {INPUT_KINDS}, not {inputs!r}")
    (images, labels), validation, test = mnist_loader.load_data(data_dir)
    if inputs == "preprocessed":
        images, validation, test = like_drawings(images, validation, test, progress)
    else:
        images = as_pixels(images)
    if pen_copies:
        pen = pen_redrawn(images, np.random.default_rng([seed, 1]), _counter(progress, "pen copies", len(images)))
        images, labels = np.concatenate([images, pen]), np.concatenate([labels, labels])
    images, labels = with_templates(images, labels, styles=styles, non_digits=non_digits,
                                    turned_digits=turned_digits, seed=seed)
    return TrainingData(images, labels, validation, test)


def _counter(progress: Progress | None, stage: str, total: int, start: int = 0) -> Callable[[int], None] | None:
    """A per-image callback ``(k) -> None`` (k counts from 0) that tells ``progress`` how far ``stage`` is."""
    if progress is None:
        return None
    return lambda k: progress(stage, start + k + 1, total)


def like_drawings(images: np.ndarray, validation, test, progress: Progress | None = None):
    """MNIST through the app's own preprocessing, so the network trains on what it will be shown.

    The training images come back as uint8 pixels, validation and test as floats.
    """
    total = len(images) + len(validation[0]) + len(test[0])
    out = [preprocess_batch(images, _counter(progress, "preprocessing", total), pixels=True)]
    done = len(images)
    for split in (validation[0], test[0]):
        out.append(preprocess_batch(split, _counter(progress, "preprocessing", total, done)))
        done += len(split)
    return out[0], (out[1], validation[1]), (out[2], test[1])


def as_pixels(images: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] as uint8 pixels: the training set in a quarter of the memory."""
    out = np.empty(images.shape, np.uint8)
    for k in range(0, len(images), 10_000):  # in slices, so the float temporaries stay small
        out[k:k + 10_000] = np.rint(images[k:k + 10_000] * 255)
    return out


def with_templates(images: np.ndarray, labels: np.ndarray, *, styles: int, non_digits: int, turned_digits: int,
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training set plus styled digits and non-digits drawn from the templates (uint8 rows, after MNIST)."""
    extra_images, extra_labels = [images], [labels]
    if styles > 0:
        log.info("drawing %d styled digits and %d non-digits from the templates", styles, non_digits)
        x, y = styled_digits(styles, np.random.default_rng([seed, 2]))
        extra_images.append(x)
        extra_labels.append(y)
    if non_digits > 0:
        extra_images.append(draw_non_digits(non_digits, np.random.default_rng([seed, 3])))
        extra_labels.append(np.full(non_digits, NONE))
    if turned_digits > 0:
        extra_images.append(draw_turned_digits(images, labels, turned_digits, np.random.default_rng([seed, 4])))
        extra_labels.append(np.full(turned_digits, NONE))
    return np.concatenate(extra_images).astype(np.uint8, copy=False), np.concatenate(extra_labels)
