"""The training set ``digitapp train`` learns from, built from its settings alone.

MNIST (through the app's own preprocessing of drawings, or as it comes),
then a pen-redrawn copy of every training digit, then MNIST training digits
traced into strokes and redrawn by other writers (:mod:`digitapp.writers`),
then digits and non-digits drawn from the hand-authored templates, then
MNIST digits turned a quarter (as non-digits).  :func:`build_training_set` is one function of its keyword
settings: the same settings give the same arrays, bit for bit, so its result
can be cached under them: :func:`cached_training_set` keeps it in the
user's cache directory, keyed by everything it depends on, so a second run
of the same recipe starts training within seconds.  The user's own samples
are not part of it; the command adds them (they change far more often than
the rest).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import multiprocessing
import zipfile
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from .augment import pen_redrawn
from .files import atomic_write, reason, user_data_dir
from .preprocess import preprocess_batch
from .styled import NONE, non_digits as draw_non_digits, styled_digits, turned_digits as draw_turned_digits
from .writers import writer_digits

log = logging.getLogger(__name__)

#: ``progress(stage, done, total)``: ``done`` of ``total`` images of a long stage ("preprocessing", "pen copies",
#: "other writers", ...).
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
                       writers: int = 0, styles: int = 0, non_digits: int = 0, turned_digits: int = 0,
                       seed: int = 1, progress: Progress | None = None) -> TrainingData:
    """The training set for these settings (MNIST from ``data_dir``, fetched if missing).

    ``inputs`` is "preprocessed" (MNIST as the app's preprocessing makes a
    drawing look) or "raw"; ``pen_copies`` adds every training digit redrawn
    with a uniform pen; ``writers`` adds that many MNIST training digits
    traced and redrawn by other writers; ``styles``, ``non_digits`` and
    ``turned_digits`` add that many template-drawn digits, non-digits and
    quarter-turned MNIST digits.  Every random choice draws from a generator seeded by ``seed``
    and the part it is for, so one part's size never changes another's.
    Raises mnist_loader.MnistError when MNIST cannot be had.
    """
    import mnist_loader

    if inputs not in INPUT_KINDS:
        raise ValueError(f"inputs must be one of {INPUT_KINDS}, not {inputs!r}")
    (images, labels), validation, test = mnist_loader.load_data(data_dir)
    mnist = (as_pixels(images), labels) if writers > 0 else None  # what the writers trace, a quarter the size
    with TemplateDrawings(styles, non_digits, writers, mnist, seed) as drawings:
        progress = drawings.reporting(progress)
        if inputs == "preprocessed":
            images, validation, test = like_drawings(images, validation, test, progress)
        else:
            images = as_pixels(images)
        if pen_copies:
            pen = pen_redrawn(images, np.random.default_rng([seed, 1]), _counter(progress, "pen copies", len(images)))
            images, labels = np.concatenate([images, pen]), np.concatenate([labels, labels])
        images, labels = with_templates(images, labels, writers=writers, styles=styles, non_digits=non_digits,
                                        turned_digits=turned_digits, seed=seed, progress=progress,
                                        drawn=drawings.result(progress), mnist=mnist)
    return TrainingData(images, labels, validation, test)


#: Template drawings are made in a second process, beside the MNIST stages, from this many on (fewer take
#: less time than starting the process) when the machine has a second core.
PARALLEL_FROM = 2000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_counts = None  # the worker's shared progress counters (other writers, styled digits, non-digits)


def _share_counts(counts) -> None:
    """The worker's start: keep the counters, and leave Ctrl-C to the parent, which ends the worker."""
    import signal

    global _counts
    _counts = counts
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _draw_templates(styles: int, non_digits: int, writers: int, mnist, seed: int):
    """In the worker: the other writers' digits and labels, the styled digits and labels and the non-digits,
    exactly as :func:`with_templates` draws them (the same seeded generators), counting progress into the
    shared counters every 100 drawings."""
    def counter(i, total):
        def tick(k):
            if (k + 1) % 100 == 0 or k + 1 == total:
                _counts[i] = k + 1
        return tick

    w = (writer_digits(*mnist, writers, np.random.default_rng([seed, 5]),
                       counter(0, writers)) if writers > 0 else (None, None))
    x, y = styled_digits(styles, np.random.default_rng([seed, 2]), counter(1, styles)) if styles > 0 else (None, None)
    none = (draw_non_digits(non_digits, np.random.default_rng([seed, 3]), counter(2, non_digits))
            if non_digits > 0 else None)
    return (*w, x, y, none)


class TemplateDrawings:
    """The other writers' digits, styled digits and non-digits, drawn in a second process while this one
    prepares MNIST.

    They depend on nothing but their counts, MNIST and the seed, so the
    arrays are the ones :func:`with_templates` would draw here, bit for bit.
    Below PARALLEL_FROM drawings, or on one core, nothing starts and
    :meth:`result` is None (they are drawn here, as before).
    """

    def __init__(self, styles: int, non_digits: int, writers: int = 0, mnist=None, seed: int = 1):
        self.totals = {"other writers": max(writers, 0), "styled digits": max(styles, 0),
                       "non-digits": max(non_digits, 0)}
        self.pool = self.future = None
        self.shown = [0, 0, 0]
        self.last_poll = 0.0
        if writers + styles + non_digits >= PARALLEL_FROM and _cores() > 1:
            context = multiprocessing.get_context("spawn")  # no fork of a process with threads
            self.counts = context.Array("q", 3, lock=False)
            self.pool = context.Pool(1, initializer=_share_counts, initargs=(self.counts,))
            self.future = self.pool.apply_async(_draw_templates, (styles, non_digits, writers, mnist, seed))

    def __enter__(self) -> "TemplateDrawings":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            if exc[0] is None:
                self.pool.close()
            else:
                self.pool.terminate()  # Ctrl-C or an error here: the drawings are not wanted
            self.pool.join()

    def reporting(self, progress: Progress | None) -> Progress | None:
        """``progress`` that also reports how far the worker is, a few times a second."""
        if progress is None or self.future is None:
            return progress

        def both(stage: str, done: int, total: int) -> None:
            progress(stage, done, total)
            now = time.monotonic()
            if now - self.last_poll > 0.2:
                self.last_poll = now
                self._report(progress)

        return both

    def _report(self, progress: Progress) -> None:
        for i, (stage, total) in enumerate(self.totals.items()):
            done = self.counts[i]
            if total and done != self.shown[i]:
                self.shown[i] = done
                progress(stage, done, total)

    def result(self, progress: Progress | None):
        """``(writers' images, their labels, styled images, their labels, non-digits)`` from the worker (waiting
        for it), or None."""
        if self.future is None:
            return None
        while True:
            try:
                drawn = self.future.get(timeout=0.2)
                break
            except multiprocessing.TimeoutError:
                if progress is not None:
                    self._report(progress)
        if progress is not None:
            for i, (stage, total) in enumerate(self.totals.items()):
                if total and self.shown[i] != total:
                    self.shown[i] = total
                    progress(stage, total, total)
        return drawn


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
                   seed: int, writers: int = 0, progress: Progress | None = None, drawn=None,
                   mnist=None) -> tuple[np.ndarray, np.ndarray]:
    """The training set plus other writers' digits, and styled digits and non-digits drawn from the templates
    (uint8 rows, after MNIST).

    ``drawn`` is ``(writers' images, labels, styled images, labels,
    non-digits)`` already drawn for these settings (:class:`TemplateDrawings`),
    or None to draw them here; ``mnist`` is the raw MNIST training
    ``(uint8 images, labels)`` the writers trace (needed when ``writers`` > 0).
    """
    extra_images, extra_labels = [images], [labels]
    if writers > 0:
        x, y = drawn[:2] if drawn is not None else writer_digits(
            *mnist, writers, np.random.default_rng([seed, 5]), _counter(progress, "other writers", writers))
        extra_images.append(x)
        extra_labels.append(y)
    if styles > 0:
        log.info("drawing %d styled digits and %d non-digits from the templates", styles, non_digits)
        x, y = drawn[2:4] if drawn is not None else styled_digits(
            styles, np.random.default_rng([seed, 2]), _counter(progress, "styled digits", styles))
        extra_images.append(x)
        extra_labels.append(y)
    if non_digits > 0:
        extra_images.append(drawn[4] if drawn is not None else draw_non_digits(
            non_digits, np.random.default_rng([seed, 3]), _counter(progress, "non-digits", non_digits)))
        extra_labels.append(np.full(non_digits, NONE))
    if turned_digits > 0:
        extra_images.append(draw_turned_digits(images, labels, turned_digits, np.random.default_rng([seed, 4])))
        extra_labels.append(np.full(turned_digits, NONE))
    return np.concatenate(extra_images).astype(np.uint8, copy=False), np.concatenate(extra_labels)


def source_slices(total: int, *, pen_copies: bool = True, writers: int = 0, styles: int = 0, non_digits: int = 0,
                  turned_digits: int = 0) -> dict[str, slice]:
    """Where each source's rows lie in a training set of ``total`` rows built with these settings:
    "mnist", "pen copies", "other writers", "styled digits", "non-digits", "turned digits"."""
    drawn = max(writers, 0) + max(styles, 0) + max(non_digits, 0) + max(turned_digits, 0)
    mnist, odd = divmod(total - drawn, 2 if pen_copies else 1)
    if odd or mnist < 0:
        raise ValueError(f"{total} rows cannot be a training set built with these settings")
    sizes = {"mnist": mnist, "pen copies": mnist if pen_copies else 0, "other writers": max(writers, 0),
             "styled digits": max(styles, 0), "non-digits": max(non_digits, 0), "turned digits": max(turned_digits, 0)}
    out, start = {}, 0
    for name, size in sizes.items():
        out[name] = slice(start, start + size)
        start += size
    return out


# ---------------------------------------------------------------- the cache

#: Change this whenever the builder (or anything it calls) would give other arrays for the same settings.
CACHE_VERSION = 1
#: Overrides the cache directory (by default the platform's user cache, or beside $DIGITAPP_USER_DIR).
CACHE_DIR_ENV = "DIGITAPP_CACHE_DIR"
#: The most training sets kept in the cache (about 180 MB each for the default recipe); older ones go.
CACHE_KEEP = 3
#: The libraries whose versions can change the arrays (image resampling, blurring, rounding).
_LIBRARIES = ("numpy", "PIL", "skimage", "scipy")
#: The arrays of a cached training set: name -> (dtype, columns or None for labels).
_CACHED = {"images": (np.uint8, 784), "labels": (np.int64, None), "validation_images": (np.float32, 784),
           "validation_labels": (np.int64, None), "test_images": (np.float32, 784), "test_labels": (np.int64, None)}


def cache_dir() -> Path:
    """Where built training sets are kept: ``$DIGITAPP_CACHE_DIR``; beside ``$DIGITAPP_USER_DIR`` when that is
    set (tests, profiles); else the platform's user cache folder (``~/.cache/digitapp`` on Linux)."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV]).expanduser()
    if os.environ.get("DIGITAPP_USER_DIR"):
        return user_data_dir() / "cache" / "training-sets"
    from platformdirs import user_cache_path

    return user_cache_path("digitapp", appauthor=False) / "training-sets"


def cache_key(settings: dict) -> str | None:
    """A hex digest of everything the training set of ``settings`` depends on, or None when the MNIST files
    are not there yet (the build fetches them; the next run finds them).

    That is: the builder's keyword settings, :data:`CACHE_VERSION`, the MNIST
    files (path, size, modification time and the checksums the loader
    accepts) and the versions of the libraries the drawing goes through.
    """
    import importlib.metadata

    import mnist_loader

    data_dir = Path(settings["data_dir"]) if settings.get("data_dir") is not None else mnist_loader.default_data_dir()
    files = {}
    for name in sorted(mnist_loader.EXPECTED_SHA256):
        try:
            path = mnist_loader._find(data_dir, name)
            info = path.stat() if path is not None else None
        except (OSError, mnist_loader.MnistError):
            return None
        if info is None:
            return None
        files[name] = [str(path.resolve()), info.st_size, info.st_mtime_ns, mnist_loader.EXPECTED_SHA256[name]]
    versions = {}
    for library in _LIBRARIES:
        try:
            distribution = {"PIL": "pillow", "skimage": "scikit-image"}.get(library, library)
            versions[library] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[library] = None
    recipe = {k: (str(v) if isinstance(v, Path) else v) for k, v in sorted(settings.items()) if k != "data_dir"}
    described = json.dumps({"version": CACHE_VERSION, "settings": recipe, "mnist": files, "libraries": versions},
                           sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()


def cached_training_set(*, data_dir: Path | None = None, inputs: str = "preprocessed", pen_copies: bool = True,
                        writers: int = 0, styles: int = 0, non_digits: int = 0, turned_digits: int = 0,
                        seed: int = 1, progress: Progress | None = None, folder: Path | None = None) -> TrainingData:
    """:func:`build_training_set`'s result for these settings, from the cache when it holds it.

    A cached file is read without pickle and checked (names, dtypes,
    shapes, label range, the key it was saved under); a file that fails any
    check is rebuilt, never trusted.  A new set is written atomically; a
    cache that cannot be written costs only the next run's time.
    """
    settings = dict(data_dir=data_dir, inputs=inputs, pen_copies=pen_copies, writers=writers, styles=styles,
                    non_digits=non_digits, turned_digits=turned_digits, seed=seed)
    folder = Path(folder) if folder is not None else cache_dir()
    key = cache_key(settings)
    path = folder / f"training-set-{key[:24]}.npz" if key else None
    if path is not None and path.is_file():
        data = read_cached(path, key)
        if data is not None:
            log.info("training set read from the cache: %s", path)
            try:
                os.utime(path)  # the most recently used are the ones kept
            except OSError:
                pass
            return data
    data = build_training_set(progress=progress, **settings)
    key = key or cache_key(settings)  # MNIST may just have been fetched
    if key:
        write_cached(folder / f"training-set-{key[:24]}.npz", key, data)
    return data


def read_cached(path: Path, key: str) -> TrainingData | None:
    """The training set cached at ``path`` under ``key``, or None (with a warning) if it is not a sound one."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            if set(stored.files) != {*_CACHED, "key"}:
                raise ValueError("unexpected arrays")
            if stored["key"].tobytes().decode("ascii") != key:
                raise ValueError("saved under another key")
            arrays = {name: stored[name] for name in _CACHED}
        for name, (dtype, columns) in _CACHED.items():
            array = arrays[name]
            shape_ok = array.ndim == 2 and array.shape[1] == columns if columns else array.ndim == 1
            if array.dtype != dtype or not shape_ok:
                raise ValueError(f"{name}: {array.dtype} {array.shape}")
        for split in ("", "validation_", "test_"):
            images, labels = arrays[f"{split}images"], arrays[f"{split}labels"]
            if len(images) != len(labels) or not len(images):
                raise ValueError(f"{split or 'training '}images and labels differ in number")
            if labels.min() < NONE or labels.max() > 9:
                raise ValueError("labels out of range")
        for name in ("validation_images", "test_images"):
            if not np.isfinite(arrays[name]).all():
                raise ValueError(f"{name}: not finite")
    except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError, zipfile.BadZipFile) as err:
        why = reason(err) if isinstance(err, OSError) else str(err) or type(err).__name__
        log.warning("cached training set %s is not usable (%s); building it again", path, why)
        return None
    return TrainingData(arrays["images"], arrays["labels"],
                        (arrays["validation_images"], arrays["validation_labels"]),
                        (arrays["test_images"], arrays["test_labels"]))


def write_cached(path: Path, key: str, data: TrainingData) -> None:
    """Keep ``data`` at ``path`` (atomically), then drop all but the CACHE_KEEP most recently used sets."""
    arrays = {"images": data.images, "labels": data.labels,
              "validation_images": data.validation[0], "validation_labels": data.validation[1],
              "test_images": data.test[0], "test_labels": data.test[1]}
    arrays = {name: np.ascontiguousarray(arrays[name], dtype=_CACHED[name][0]) for name in _CACHED}
    try:
        with atomic_write(path) as out:
            np.savez(out, key=np.frombuffer(key.encode("ascii"), np.uint8), **arrays)
        log.info("training set cached in %s", path)
        kept = sorted(path.parent.glob("training-set-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as err:
        log.warning("could not cache the training set in %s (%s); the next run builds it again", path, reason(err))
