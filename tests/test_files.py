"""digitapp.files.atomic_write: the real name only ever holds a complete file."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import listing
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


class Refused(Exception):
    pass


def test_read_whole(tmp_path):
    from digitapp.files import read_whole

    path = tmp_path / "f.bin"
    path.write_bytes(b"12345")
    assert read_whole(path, 5, "a thing", Refused) == b"12345"
    with pytest.raises(Refused, match="6 bytes is too large for a thing"):
        path.write_bytes(b"123456")
        read_whole(path, 5, "a thing", Refused)
    with pytest.raises(Refused, match="is a directory, not a thing"):
        read_whole(tmp_path, 10**6, "a thing", Refused)
    with pytest.raises(FileNotFoundError):  # the caller decides what a missing file means
        read_whole(tmp_path / "none", 5, "a thing", Refused)
