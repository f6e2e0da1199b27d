"""Where the user's files live, and writing files so that a crash never leaves a half-written one."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

#: Overrides the user data directory (tests, or several profiles side by side).
USER_DIR_ENV = "DIGITAPP_USER_DIR"


def user_data_dir() -> Path:
    """The user's digitapp folder: ``$DIGITAPP_USER_DIR``, else the platform's (XDG on Linux)."""
    if os.environ.get(USER_DIR_ENV):
        return Path(os.environ[USER_DIR_ENV]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("digitapp", appauthor=False)


@contextmanager
def atomic_write(path) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` only when the block finishes without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would surprise people
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_whole(path: Path, max_bytes: int, kind: str, error: type[Exception]) -> bytes:
    """The bytes of a file read whole, refusing one larger than ``max_bytes``.

    Problems other than a missing file (FileNotFoundError passes through, so
    callers decide what a missing file means) raise ``error`` with one line
    naming the file; ``kind`` says what the file should be ("a model file").
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(f"{path}: {size} bytes is too large for {kind}")
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not {kind}") from None
    except OSError as err:
        raise error(f"{path}: cannot read it ({err.strerror})") from None
