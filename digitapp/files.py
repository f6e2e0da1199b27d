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
