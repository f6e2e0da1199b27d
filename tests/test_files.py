"""digitapp.files.atomic_write: the real name only ever holds a complete file."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from conftest import listing
from digitapp import files
from digitapp.files import atomic_write


@pytest.mark.parametrize("existing", [None, b"old contents"])
def test_success_writes_or_replaces(tmp_path, existing):
    target = tmp_path / "model.pkl"
    if existing is not None:
        target.write_bytes(existing)
    with atomic_write(target) as out:
        out.write(b"new ")
        out.write(b"contents")
    assert target.read_bytes() == b"new contents"
    assert listing(tmp_path) == ["model.pkl"]


def test_accepts_a_str_path_and_creates_parent_folders(tmp_path):
    target = tmp_path / "a" / "b" / "file.bin"
    with atomic_write(str(target)) as out:
        out.write(b"x")
    assert target.read_bytes() == b"x"


def test_nothing_appears_under_the_real_name_before_the_block_ends(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    with atomic_write(target) as out:
        out.write(b"new")
        out.flush()
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"


@pytest.mark.parametrize("error", [RuntimeError, OSError, KeyboardInterrupt])
def test_an_exception_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, error):
    target = tmp_path / "model.pkl"
    target.write_bytes(b"previous model")
    with pytest.raises(error):
        with atomic_write(target) as out:
            out.write(b"half a new mod")
            raise error("stopped midway")
    assert target.read_bytes() == b"previous model"
    assert listing(tmp_path) == ["model.pkl"]


def test_an_exception_on_a_new_file_leaves_nothing(tmp_path):
    target = tmp_path / "model.pkl"
    with pytest.raises(ValueError):
        with atomic_write(target) as out:
            out.write(b"partial")
            raise ValueError("boom")
    assert listing(tmp_path) == []


def test_written_file_follows_the_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "shared.bin"
        with atomic_write(target) as out:
            out.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


# ---------------------------------------------------------------- reading only regular files

@pytest.mark.parametrize("kind", ["fifo", "folder", "dev-zero", "dangling-link"])
def test_only_regular_files_are_opened(tmp_path, kind):
    target = tmp_path / "thing"
    {"fifo": lambda: os.mkfifo(target), "folder": target.mkdir, "dev-zero": lambda: target.symlink_to("/dev/zero"),
     "dangling-link": lambda: target.symlink_to(tmp_path / "nothing")}[kind]()
    with pytest.raises(OSError) as info:  # at once: a FIFO without a writer does not block
        files.open_regular(target)
    assert files.reason(info.value) in ("is a directory", "no such file or directory",
                                        "not a regular file (a device, FIFO or socket)")


def test_read_regular_file_stops_past_its_limit(tmp_path):
    path = tmp_path / "big"
    path.write_bytes(bytes(1000))
    assert files.read_regular_file(path, 1000) == bytes(1000)
    with pytest.raises(OSError) as info:
        files.read_regular_file(path, 999)
    assert "larger than" in files.reason(info.value)


def test_atomic_write_removes_old_leftovers_of_the_same_file_only(tmp_path):
    def leftover(path):
        fd, part = files.new_part_file(path)
        os.close(fd)
        return Path(part)

    old, recent, other = leftover(tmp_path / "m.pkl"), leftover(tmp_path / "m.pkl"), leftover(tmp_path / "other.pkl")
    for part in (old, other):
        os.utime(part, (time.time() - 3600, time.time() - 3600))
    assert sorted(files.part_files(tmp_path / "m.pkl")) == sorted([old, recent])
    with files.atomic_write(tmp_path / "m.pkl") as out:
        out.write(b"whole")
    assert listing(tmp_path) == sorted([recent.name, other.name, "m.pkl"])
    assert other.name.startswith(".other.pkl.") and other.name.endswith(".part")  # hidden, and says what it is


@pytest.mark.parametrize("where, words", [
    ("folder", "is a folder"), ("under-a-file", "a file is in the way"), ("in-proc", "cannot write in /proc"),
])
def test_unwritable_reason(tmp_path, where, words):
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    path = {"folder": tmp_path / "folder", "under-a-file": tmp_path / "file" / "m.pkl",
            "in-proc": Path("/proc/m.pkl")}[where]
    assert words in files.unwritable_reason(path)


def test_unwritable_reason_makes_the_folder_and_leaves_nothing_else(tmp_path):
    assert files.unwritable_reason(tmp_path / "new" / "m.pkl") is None
    assert listing(tmp_path / "new") == []
