"""The user's samples: the digits they corrected or confirmed, and the file that keeps them.

A correction is a :class:`Sample` (the 28x28 input as uint8, the strokes
when it was drawn, the label, the time).  :class:`SampleStore` keeps the
samples in the user data directory as plain JSON (no code can run on
loading), and the personal model learned from them beside it, both written
atomically; a corrupt file is moved aside, never deleted.
"""

from __future__ import annotations

import datetime
import errno
import json
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; two windows there are as before (atomic writes only)
    fcntl = None

import numpy as np

from .files import atomic_write, read_regular_file, reason, user_data_dir
from .model_io import is_utf8
from .preprocess import DIGITS, FIELD
from .strokes import KEPT_POINTS, StrokeError, clean_strokes
from .styled import NONE

SAMPLES_NAME = "my_digits.json"
PERSONAL_MODEL_NAME = "my_model.pkl"
LOCK_NAME = "my_digits.lock"
FORMAT = "digitapp-samples"
VERSION = 1
MAX_STORE_BYTES = 100 * 1024 * 1024
#: What a sample may hold besides its strokes (whose bounds are digitapp.strokes'): one table for the
#: reader, the writer, import and the API.
ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
MAX_TIME = 40
#: A sample's label: a digit 0-9, or NO_DIGIT for a drawing the user said is no digit (the training
#: set's label for non-digits: every output's target is 0).  Files from before it hold digits only.  Not
#: recognizer.NOT_A_DIGIT, which is the words of an answer, not a label.
NO_DIGIT = NONE
LABELS = range(NO_DIGIT, DIGITS)


class StoreError(Exception):
    """A samples file that cannot be used; the message is one line naming the file."""


class UnreadableStore(StoreError):
    """A samples file the system will not let us read (permissions, a disk error): not set aside,
    since the file itself may be fine."""


# -- samples ----------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _points(strokes) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Strokes as tuples of (x, y) floats, checked and thinned as every drawing is (StrokeError, a
    ValueError, for anything else); empty strokes left out."""
    return tuple(tuple(s) for s in clean_strokes(strokes) if s)


def _short(value: float) -> float | int:
    """A coordinate as the file keeps it: to a hundredth of a pixel (the mouse gives whole ones), short to
    write and quick to read back."""
    value = round(value, 2)
    return int(value) if value.is_integer() else value


def _text(value, longest: int) -> bool:
    """Whether ``value`` is a string of at most ``longest`` printable characters that UTF-8 can hold."""
    return isinstance(value, str) and len(value) <= longest and value.isprintable() and is_utf8(value)


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
        label = check_label(label)
        pixels = np.round(np.clip(np.asarray(x, np.float32), 0, 1) * 255).astype(np.uint8).reshape(FIELD, FIELD)
        return cls(label, pixels, None if strokes is None else _points(strokes), _now(), uuid.uuid4().hex)

    @property
    def x(self) -> np.ndarray:
        """The input as a (784,) float32 row in [0, 1]."""
        return self.input.reshape(-1) * np.float32(1 / 255)

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label, "time": self.time,
                "strokes": None if self.strokes is None else [[[_short(x), _short(y)] for x, y in s]
                                                               for s in self.strokes],
                "input": self.input.reshape(-1).tolist()}

    @classmethod
    def from_json(cls, data) -> "Sample":
        """The sample a JSON object describes; raises ValueError saying what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a sample is not an object")
        label, pixels, strokes = data.get("label"), data.get("input"), data.get("strokes")
        try:  # one NumPy pass, not 784 Python checks: a store of thousands of samples starts in a second
            array = np.array(pixels) if isinstance(pixels, list) and len(pixels) == FIELD * FIELD else None
        except (ValueError, OverflowError):  # ragged or out of any integer range
            array = None
        if not (array is not None and array.dtype.kind in "iu" and array.ndim == 1
                and 0 <= array.min() and array.max() <= 255):
            raise ValueError(f"a sample's input is not {FIELD * FIELD} pixels 0-255")
        if strokes is not None:
            if not (isinstance(strokes, list) and all(isinstance(s, list) for s in strokes)):
                raise ValueError("a sample's strokes are not lists of points")
            if sum(len(s) for s in strokes) > KEPT_POINTS:  # more than a sample is ever written with
                raise ValueError(f"a sample's strokes hold more than {KEPT_POINTS:,} points")
            try:
                strokes = _points(strokes)
            except StrokeError as err:
                raise ValueError(f"a sample's strokes: {err}") from None
        sample_id, time = data.get("id"), data.get("time", "")
        if not (isinstance(sample_id, str) and ID.fullmatch(sample_id)):
            raise ValueError("a sample has no id, or an id that is not 1-64 letters, digits, '-' or '_'")
        if not _text(time, MAX_TIME):
            raise ValueError(f"a sample's time is not up to {MAX_TIME} printable characters")
        return cls(check_label(label), array.astype(np.uint8).reshape(FIELD, FIELD), strokes, time, sample_id)


def check_label(label) -> int:
    """``label`` as an int of LABELS (a digit 0-9, or NO_DIGIT), or ValueError."""
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or int(label) not in LABELS:
        raise ValueError(f"a sample's label must be an int from 0 to {DIGITS - 1}, or {NO_DIGIT} for "
                         f"'not a digit', not {str(label)[:20]!r}")
    return int(label)


def label_text(label: int) -> str:
    """A label in words: '7', or 'not a digit'."""
    return "not a digit" if label == NO_DIGIT else str(label)


def without(samples: Iterable[Sample], sample_id: str) -> list[Sample]:
    """The samples but the one with id ``sample_id``."""
    return [s for s in samples if s.id != sample_id]


def relabelled(samples: Iterable[Sample], sample_id: str, label: int) -> list[Sample]:
    """The samples, the one with id ``sample_id`` now labelled ``label``."""
    return [replace(s, label=label) if s.id == sample_id else s for s in samples]


def counts(samples: Iterable[Sample]) -> dict[int, int]:
    """How many samples there are of each label (the digits 0-9, then NO_DIGIT), every label listed."""
    per_label = dict.fromkeys([*range(DIGITS), NO_DIGIT], 0)
    for sample in samples:
        per_label[sample.label] += 1
    return per_label


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
    except MemoryError:  # not the file's fault: refuse, and set nothing aside
        raise UnreadableStore(f"{path}: too large to load in the memory there is; close other programs "
                              "and try again") from None
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
    keep both, and each write is atomic.  :meth:`locked` holds an OS lock on
    a file beside them, so a change that reads, learns and writes (another
    window's, or ``digitapp my-digits``') waits for the one in progress.
    """

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder is not None else user_data_dir()
        self.path = self.folder / SAMPLES_NAME
        self.model_path = self.folder / PERSONAL_MODEL_NAME
        self.lock_path = self.folder / LOCK_NAME

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock (an advisory OS lock, released by the OS even if the process dies)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+b") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def stamp(self) -> tuple:
        """Changes whenever the samples file or the personal model is written (by anyone)."""
        def of(path: Path):
            try:
                st = path.stat()
            except OSError:
                return None
            return st.st_ino, st.st_size, st.st_mtime_ns
        return of(self.path), of(self.model_path)

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
            warnings = [set_aside(self.path, err, then)]
            if self.model_path.is_file():
                warnings.append(set_aside(self.model_path, f"{self.model_path}: trained on those samples",
                                          "so a new correction does not overwrite it"))
            return [], warnings

    def save(self, samples: Sequence[Sample]) -> list[Sample]:
        """Write the samples (none: no file at all)."""
        if samples:
            write_samples(samples, self.path)
        else:
            self.path.unlink(missing_ok=True)
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
        """Delete the samples and the personal model; returns the files removed.  (The empty lock file
        stays: removing it while another process waits on it would break the lock.)"""
        removed = []
        for path in (self.path, self.model_path):
            if path.is_file():
                path.unlink()
                removed.append(path)
        return removed


def set_aside(path: Path, why, then: str) -> str:
    """Move ``path`` aside; the one-line warning that says so (the caller shows it).  Where the folder
    cannot be written, the file stays where it is and the warning says so."""
    try:
        return f"{why}; moved it to {move_aside(path).name}, {then}"
    except OSError as err:
        return f"{why}; could not move it aside ({reason(err)}), {then}"
