"""Where the user's files live, and writing files so that a crash never leaves a half-written one."""

from __future__ import annotations

import errno
import glob
import os
import stat
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

#: Overrides the user data directory (tests, or several profiles side by side).
USER_DIR_ENV = "DIGITAPP_USER_DIR"
#: Temporary files of an unfinished write end in this; older than LEFTOVER_AGE_S they are leftovers.
PART_SUFFIX = ".part"
LEFTOVER_AGE_S = 600


def user_data_dir() -> Path:
    """The user's digitapp folder: ``$DIGITAPP_USER_DIR``, else the platform's (XDG on Linux)."""
    if os.environ.get(USER_DIR_ENV):
        return Path(os.environ[USER_DIR_ENV]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("digitapp", appauthor=False)


@contextmanager
def atomic_write(path) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` only when the block finishes without error.

    A device, FIFO or socket at ``path`` is never replaced, and an OSError
    names ``path`` (not the temporary file, and not None as a failed write
    would), so every message says which file could not be written.
    """
    path = Path(path)
    try:
        special = _special_file(path)
        if special:
            raise OSError(errno.EINVAL, f"is {special}; not replaced", str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(path)
        fd, tmp = new_part_file(path)
    except OSError as err:
        raise _naming(err, path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would surprise people
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _naming(err, path) from None
        raise


def _naming(err: OSError, path: Path) -> OSError:
    """The same error, naming ``path``."""
    return OSError(err.errno, err.strerror or str(err), str(path))  # OSError() picks the subclass by errno


def _special_file(path: Path) -> str | None:
    """'a device', 'a FIFO' or 'a socket' when ``path`` is one (a link to one is only a link), else None."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def same_file(a, b) -> bool:
    """Whether ``a`` and ``b`` are one file (through links and different spellings), the second maybe not yet there."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def output_problem(path, keep: Iterable = ()) -> str | None:
    """Why ``path`` must not be written as a command's or the window's output, or None when it may.

    Not one of ``keep`` (the command's inputs, the app's own files), not a
    device, FIFO or socket, and somewhere :func:`atomic_write` can write.
    """
    path = Path(path)
    if not str(path).strip():
        return "an empty file name"
    for other in keep:
        if same_file(path, other):
            return f"would replace {other}"
    special = _special_file(path)
    if special:
        return f"is {special}, not a file to write"
    return unwritable_reason(path)


def new_part_file(path: Path) -> tuple[int, str]:
    """Create the temporary file of a write of ``path``, ``.NAME.<random>.part`` beside it: (fd, its path)."""
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX)


def part_files(path: Path) -> Iterator[Path]:
    """The temporary files that writes of ``path`` made (see :func:`new_part_file`), finished or not."""
    return path.parent.glob(f".{glob.escape(path.name)}.*{PART_SUFFIX}")


def remove_leftovers(path, age_s: float = LEFTOVER_AGE_S) -> None:
    """Delete what an interrupted :func:`atomic_write` of ``path`` left; recent ones may be another writer's."""
    path = Path(path)
    now = time.time()
    try:
        for part in part_files(path):
            if now - part.lstat().st_mtime > age_s and part.is_file():
                part.unlink(missing_ok=True)
    except OSError:
        pass  # a folder we cannot list or clean is reported by the write itself


def open_regular(path) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file (a FIFO would block, /dev/zero never ends)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file (a device, FIFO or socket)", str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path, max_bytes: int) -> bytes:
    """The bytes of a regular file, or OSError(EFBIG) when it holds more than ``max_bytes``."""
    with open_regular(path) as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise OSError(errno.EFBIG, f"larger than {max_bytes // 2**20} MB", str(path))
    return raw


def reason(err: OSError) -> str:
    """An OSError in a few lower-case words, without the file name (the caller says which file)."""
    words = err.strerror or type(err).__name__
    return words[:1].lower() + words[1:]


def unwritable_reason(path) -> str | None:
    """Why ``path`` cannot be written the way :func:`atomic_write` does, or None when it can.

    Makes missing folders and writes a probe file beside ``path``, so the
    answer holds for read-only file systems and for root too.
    """
    path = Path(path)
    if path.is_dir():
        return "is a folder, not a file"
    if path.exists() and not path.is_file():
        return "is not a regular file"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = new_part_file(path)
        os.close(fd)
        os.unlink(probe)
    except (FileExistsError, NotADirectoryError):
        return f"cannot make the folder {path.parent} (a file is in the way)"
    except OSError as err:
        return f"cannot write in {path.parent} ({reason(err)})"
    return None
