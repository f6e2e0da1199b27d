"""The user's handwriting: the digits they corrected or confirmed, kept on their machine, and learning from them.

A correction is a :class:`Sample` (the 28x28 input as uint8, the strokes
when it was drawn, the label, the time).  :class:`Learner` teaches it to a
network with a few of the network's own ``update_mini_batch`` steps, each
on a mini-batch that mixes distorted copies of the new sample, some of the
user's earlier samples and MNIST training digits from the replay set that
ships with the package (``models/replay.npz``), so the network learns the
new style at once without forgetting what it knew.

:class:`SampleStore` keeps the samples in the user data directory as plain
JSON (no code can run on loading) and the personal model beside them,
both written atomically; a corrupt file is moved aside, never deleted.
No Tk here.
"""

from __future__ import annotations

import datetime
import errno
import functools
import json
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .files import atomic_write, read_regular_file, reason, user_data_dir
from .network import Network
from .preprocess import FIELD

SAMPLES_NAME = "my_digits.json"
PERSONAL_MODEL_NAME = "my_model.pkl"
REPLAY_NAME = "replay.npz"
FORMAT = "digitapp-samples"
VERSION = 1
MAX_STORE_BYTES = 100 * 1024 * 1024
MAX_POINTS = 100_000  # per sample: far more than any drawing, less than a hostile file wants
RECHECKED = 1000  # after each round of steps, the newest earlier samples checked for being forgotten


class StoreError(Exception):
    """A samples file that cannot be used; the message is one line naming the file."""


class UnreadableStore(StoreError):
    """A samples file the system will not let us read (permissions, a disk error): not set aside,
    since the file itself may be fine."""


# -- samples ----------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _points(strokes) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Strokes as tuples of (x, y) floats; TypeError or ValueError for anything else."""
    return tuple(tuple((float(x), float(y)) for x, y in s) for s in strokes)


@dataclass(frozen=True, eq=False)  # two samples are the same when their ids are
class Sample:
    """One of the user's digits: ``input`` is the (28, 28) uint8 picture the network saw, ``strokes``
    the points drawn (canvas pixels), or None for an opened image."""

    label: int
    input: np.ndarray = field(repr=False)
    strokes: tuple | None = field(default=None, repr=False)
    time: str = ""
    id: str = ""

    def __repr__(self):
        kind = f"{len(self.strokes)} strokes" if self.strokes is not None else "image"
        return f"Sample({self.label}, {kind}, {self.time!r}, id={self.id!r})"

    @classmethod
    def new(cls, label: int, x: np.ndarray, strokes=None) -> "Sample":
        """A fresh sample of ``x`` (the (784, 1) or (28, 28) input in [0, 1]) labelled ``label``."""
        label = check_digit(label)
        pixels = np.round(np.clip(np.asarray(x, np.float32), 0, 1) * 255).astype(np.uint8).reshape(FIELD, FIELD)
        return cls(label, pixels, None if strokes is None else _points(strokes), _now(), uuid.uuid4().hex)

    @property
    def x(self) -> np.ndarray:
        """The input as a (784,) float32 row in [0, 1]."""
        return self.input.reshape(-1) * np.float32(1 / 255)

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label, "time": self.time,
                "strokes": None if self.strokes is None else [[list(p) for p in s] for s in self.strokes],
                "input": self.input.reshape(-1).tolist()}

    @classmethod
    def from_json(cls, data) -> "Sample":
        """The sample a JSON object describes; raises ValueError saying what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a sample is not an object")
        label, pixels, strokes = data.get("label"), data.get("input"), data.get("strokes")
        if not (isinstance(pixels, list) and len(pixels) == FIELD * FIELD
                and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in pixels)):
            raise ValueError(f"a sample's input is not {FIELD * FIELD} pixels 0-255")
        if strokes is not None:
            if not (isinstance(strokes, list) and all(isinstance(s, list) for s in strokes)
                    and sum(len(s) for s in strokes) <= MAX_POINTS):
                raise ValueError("a sample's strokes are not lists of points")
            try:
                strokes = _points(strokes)
            except (TypeError, ValueError, OverflowError):
                raise ValueError("a sample's strokes are not lists of (x, y) numbers") from None
            if not all(np.isfinite(p).all() for s in strokes for p in s):
                raise ValueError("a sample's strokes hold NaN or infinite points")
        sample_id, time = data.get("id"), data.get("time", "")
        if not (isinstance(sample_id, str) and 0 < len(sample_id) <= 64 and isinstance(time, str)):
            raise ValueError("a sample has no id or a bad time")
        return cls(check_digit(label), np.array(pixels, np.uint8).reshape(FIELD, FIELD), strokes,
                   time[:40], sample_id)


def check_digit(label) -> int:
    """``label`` as an int 0-9, or ValueError."""
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= int(label) <= 9:
        raise ValueError(f"a digit label must be an int from 0 to 9, not {label!r}")
    return int(label)


def without(samples: Iterable[Sample], sample_id: str) -> list[Sample]:
    """The samples but the one with id ``sample_id``."""
    return [s for s in samples if s.id != sample_id]


def relabelled(samples: Iterable[Sample], sample_id: str, label: int) -> list[Sample]:
    """The samples, the one with id ``sample_id`` now labelled ``label``."""
    return [replace(s, label=label) if s.id == sample_id else s for s in samples]


def counts(samples: Iterable[Sample]) -> list[int]:
    """How many samples there are of each digit 0-9."""
    per_digit = [0] * 10
    for sample in samples:
        per_digit[sample.label] += 1
    return per_digit


def to_bytes(samples: Sequence[Sample]) -> bytes:
    """The samples file's contents."""
    data = {"format": FORMAT, "version": VERSION, "samples": [s.to_json() for s in samples]}
    return json.dumps(data, separators=(",", ":")).encode()


def read_samples(path) -> list[Sample]:
    """The samples in a samples file; [] when it does not exist; StoreError (one line) when it is bad."""
    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_STORE_BYTES)
    except FileNotFoundError:
        return []
    except OSError as err:
        kind = StoreError if err.errno == errno.EFBIG else UnreadableStore
        raise kind(f"{path}: cannot read it as a samples file ({reason(err)})") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise StoreError(f"{path}: corrupt or truncated samples file (not JSON)") from None
    if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("samples"), list)):
        raise StoreError(f"{path}: not a digitapp samples file")
    if data.get("version") != VERSION:
        raise StoreError(f"{path}: samples format version {str(data.get('version'))[:20]!r}, "
                         f"this digitapp reads {VERSION}")
    try:
        return [Sample.from_json(item) for item in data["samples"]]
    except ValueError as err:
        raise StoreError(f"{path}: {err}") from None


def write_samples(samples: Sequence[Sample], path) -> Path:
    """Write the samples file atomically (a crash or a second window never leaves half a file)."""
    with atomic_write(path) as out:
        out.write(to_bytes(samples))
    return Path(path)


def move_aside(path: Path) -> Path:
    """Rename a bad file to NAME.bad-DATE (kept for the user, out of the way); returns the new path."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.bad-{stamp}-{n}")
    path.replace(target)
    return target


class SampleStore:
    """The user's samples file and personal model in ``folder`` (default: the user data directory).

    Every change reads the file again first, so two windows adding samples
    keep both; the write itself is atomic (last writer wins).
    """

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder is not None else user_data_dir()
        self.path = self.folder / SAMPLES_NAME
        self.model_path = self.folder / PERSONAL_MODEL_NAME

    def __repr__(self):
        return f"SampleStore({str(self.folder)!r})"

    def load(self) -> list[Sample]:
        return read_samples(self.path)

    def load_or_set_aside(self, then: str = "going on without them") -> tuple[list[Sample], list[str]]:
        """The samples and no warning; or, when the file is corrupt, none and one-line warnings: the
        file is moved aside, and the personal model with it (it was trained on those samples, and the
        next correction would overwrite it).  Raises UnreadableStore when the file cannot be read."""
        try:
            return self.load(), []
        except UnreadableStore:
            raise
        except StoreError as err:
            warnings = [_set_aside(self.path, err, then)]
            if self.model_path.is_file():
                warnings.append(_set_aside(self.model_path, f"{self.model_path}: trained on those samples",
                                           "so a new correction does not overwrite it"))
            return [], warnings

    def save(self, samples: Sequence[Sample]) -> list[Sample]:
        write_samples(samples, self.path)
        return list(samples)

    def add(self, *new: Sample) -> list[Sample]:
        """Append samples (ids already there are skipped); returns everything now stored."""
        samples = self.load()
        known = {s.id for s in samples}
        return self.save(samples + [s for s in new if s.id not in known])

    def update(self, change: Callable[[list[Sample]], list[Sample]]) -> list[Sample]:
        """Store ``change(samples)`` of the samples as stored now (another window's too); returns it."""
        return self.save(change(self.load()))

    def clear(self) -> list[Path]:
        """Delete the samples and the personal model; returns the files removed."""
        removed = []
        for path in (self.path, self.model_path):
            if path.is_file():
                path.unlink()
                removed.append(path)
        return removed


# -- the replay set -----------------------------------------------------------------------------------

def replay_path() -> Path:
    """The replay set that ships beside the shipped model (``python -m harness.replay_set`` makes it)."""
    from .model_io import default_model_path

    return default_model_path().with_name(REPLAY_NAME)


@functools.lru_cache(maxsize=2)
def load_replay(path=None) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 (N, 784), labels (N,))``: the MNIST training digits replayed while learning."""
    path = Path(path) if path is not None else replay_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            images, labels = data["images"], data["labels"]
    except FileNotFoundError:
        raise StoreError(f"{path}: the replay set is missing; reinstall digitapp") from None
    except (OSError, ValueError, KeyError) as err:
        raise StoreError(f"{path}: not a usable replay set ({type(err).__name__}); reinstall digitapp") from None
    if not (images.dtype == np.uint8 and images.ndim == 2 and images.shape[1] == FIELD * FIELD
            and labels.shape == (len(images),) and len(images) and labels.max() <= 9):
        raise StoreError(f"{path}: not a usable replay set (wrong shapes); reinstall digitapp")
    return images, labels.astype(np.intp)


# -- learning -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipe:
    """How one sample is learned: ``steps`` mini-batches at learning rate ``eta``, each of the sample,
    ``copies`` distorted copies of it, up to ``earlier`` of the user's earlier samples, and ``near``
    plus ``replay`` MNIST digits; then ``steps`` more at a time (``max_steps`` in all) until the
    network reads the sample as its label with at least ``sure`` of its output (0.8, the confidence
    the app's "sure" also needs) and reads every earlier sample right again.  An earlier
    sample it misreads is learned again like a new one (``copies`` copies, first in the ``earlier``
    places), so one correction does not undo another.

    Two things keep MNIST.  The ``near`` replay digits of other labels closest to the sample are in
    every step: they are the MNIST digits a new way of writing takes over (10 snowman 8s made
    67-86 MNIST validation 0s read as 8 without them, 17-24 with them).  And every replayed
    digit is distorted (a fresh warp per ``replay_block``): 50 samples take some 4,000 steps,
    which replay the 5,000 digits about 200 times each, and undistorted the network learned them
    by heart (replay alone lost 0.15 validation points in 4,000 steps; distorted, 0.08).  Chosen
    on the learning bench's writers and the MNIST validation set, never the test set (README,
    "Teach it your handwriting")."""

    steps: int = 40
    copies: int = 4
    earlier: int = 6
    replay: int = 246
    near: int = 32
    replay_block: int = 32
    eta: float = 0.1
    max_steps: int = 240
    sure: float = 0.8


class Learner:
    """Teaches samples to a network: the user's samples so far, the replay set, a seeded random state.

    :meth:`learn` returns a trained copy and leaves the network it was given
    untouched, so a caller can swap the copy in at once (another thread may
    be reading the old one) and keep the old one to undo.
    """

    def __init__(self, samples: Iterable[Sample] = (), recipe: Recipe = Recipe(), seed: int | None = None,
                 replay: tuple[np.ndarray, np.ndarray] | None = None):
        self.samples: list[Sample] = list(samples)
        self.recipe = recipe
        self.rng = np.random.default_rng(seed)
        self._replay = replay
        self._augment = self._augment_replay = None

    def __repr__(self):
        return f"Learner({len(self.samples)} samples, {self.recipe})"

    @property
    def replay(self) -> tuple[np.ndarray, np.ndarray]:
        if self._replay is None:
            self._replay = load_replay()
        return self._replay

    def learn(self, network: Network, sample: Sample) -> Network:
        """A copy of ``network`` that has learned ``sample``; the sample joins :attr:`samples`."""
        trained = copy_network(network)
        self._teach(trained, sample, self.samples)
        self.samples.append(sample)
        return trained

    def relearn(self, base: Network) -> Network:
        """A copy of ``base`` that has learned every sample in order (after a delete or a relabel)."""
        trained = copy_network(base)
        for k, sample in enumerate(self.samples):
            self._teach(trained, sample, self.samples[:k])
        return trained

    def _teach(self, network: Network, sample: Sample, earlier: Sequence[Sample]) -> None:
        from .augment import Augmenter
        from .blas import fast_blas

        r, rng = self.recipe, self.rng
        if self._augment is None:
            self._augment = Augmenter(block=1)  # every copy of the user's digits gets its own distortion
            self._augment_replay = Augmenter(block=r.replay_block)
        images, labels = self.replay
        eye = np.eye(network.sizes[-1], dtype=network.dtype)
        x = sample.x[None, :]
        near = nearest_other_digits(images, labels, x, sample.label, r.near)
        forgotten: list[Sample] = []
        with fast_blas():
            for step in range(r.max_steps):
                if step and step % r.steps == 0:
                    forgotten = misread(network, earlier[-RECHECKED:])
                    if not forgotten and _reads(network, x, sample.label, r.sure):
                        break
                again = forgotten[:r.earlier]  # earlier samples it now reads wrong: learned like a new one
                taken = {s.id for s in again}
                others = [s for s in earlier if s.id not in taken]
                chosen = [sample] * r.copies + again * r.copies + [
                    others[i] for i in rng.choice(len(others), min(r.earlier - len(again), len(others)), replace=False)]
                mine = np.concatenate([x, self._augment(np.array([s.x for s in chosen]).reshape(-1, x.size), rng)])
                pick = np.concatenate([near, rng.integers(len(images), size=r.replay)])
                replayed = self._augment_replay(images[pick], rng) * np.float32(1 / 255)
                X = np.concatenate([mine, replayed]).astype(network.dtype, copy=False)
                Y = eye[np.concatenate([[sample.label], [s.label for s in chosen], labels[pick]]).astype(np.intp)]
                network.update_mini_batch((X, Y), r.eta)


def nearest_other_digits(images: np.ndarray, labels: np.ndarray, x: np.ndarray, label: int, n: int) -> np.ndarray:
    """Indices of the ``n`` images (uint8 rows) nearest ``x`` (a (1, 784) row in [0, 1]) in pixels,
    among those not labelled ``label``: the digits learning ``x`` is most likely to take over."""
    distances = np.square(images * np.float32(1 / 255) - x).sum(axis=1)
    distances[labels == label] = np.inf
    return np.argsort(distances)[:n]


def misread(network: Network, samples: Sequence[Sample]) -> list[Sample]:
    """The samples the network reads as another digit than their label."""
    if not samples:
        return []
    answers = np.argmax(network.feedforward(np.stack([s.x for s in samples]).astype(network.dtype)), axis=1)
    return [s for s, answer in zip(samples, answers) if answer != s.label]


def _reads(network: Network, x: np.ndarray, label: int, sure: float) -> bool:
    """Whether the network answers ``label`` for the (1, 784) row ``x`` with at least ``sure`` confidence."""
    output = network.feedforward(x.astype(network.dtype, copy=False)).ravel()
    return int(np.argmax(output)) == label and output[label] / output.sum() >= sure


def copy_network(network: Network) -> Network:
    """An independent copy with the same weights (and dtype, cost, sizes)."""
    twin = Network(network.sizes, cost=network.cost, seed=0, dtype=network.dtype)
    twin.weights = [w.copy() for w in network.weights]
    twin.biases = [b.copy() for b in network.biases]
    return twin


# -- starting with the user's model -------------------------------------------------------------------

def open_recognizer(model=None, store: SampleStore | None = None):
    """The Recognizer the app starts with, and one-line warnings for files that were set aside.

    With ``model`` that model answers; otherwise the personal model when
    there is one, else the shipped model.  A corrupt samples file or personal
    model is moved aside (renamed, never deleted) and the shipped model
    answers.  Raises ModelError when ``model`` (or the shipped model) cannot
    be loaded, UnreadableStore when the samples file cannot be read.
    """
    from .model_io import ModelError, network_from, read_model_file
    from .recognizer import Recognizer

    store = store if store is not None else SampleStore()
    samples, warnings = store.load_or_set_aside("starting without your samples"
                                                + (" and with the shipped model" if model is None else ""))
    if model is None and store.model_path.is_file():
        try:
            data = read_model_file(store.model_path)
            personal = data["record"].get("personal")
            base = _base_model(personal.get("base_model") if isinstance(personal, dict) else None)
            return Recognizer(network_from(data), store.model_path, data["record"], store=store,
                              learner=Learner(samples), base_path=base), warnings
        except ModelError as err:
            warnings.append(_set_aside(store.model_path, err, "starting with the shipped model"))
    recognizer = Recognizer.load(model)
    recognizer.store, recognizer._learner = store, Learner(samples)
    return recognizer, warnings


def _base_model(recorded) -> Path:
    """The model a personal model was learned from: the one recorded when it is still there, else the
    shipped model (the one recorded, or one gone since, as after a new install)."""
    try:
        if isinstance(recorded, str) and Path(recorded).is_file():
            return Path(recorded)
    except (OSError, ValueError):  # a name too long, a folder we may not look in, a NUL byte
        pass
    from .model_io import default_model_path

    return default_model_path()


def _set_aside(path: Path, why, then: str) -> str:
    """Move ``path`` aside; the one-line warning that says so (the caller shows it)."""
    return f"{why}; moved it to {move_aside(path).name}, {then}"
