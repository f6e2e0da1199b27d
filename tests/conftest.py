"""Shared fixtures and helpers, and the rule that CI runs every test it can.

Tests that need something outside Python (a virtual display, the real
MNIST files) skip on a developer's machine that lacks it, but fail when
DIGITAPP_REQUIRE_ALL_TESTS is set, as .ci/run does: a skipped test is not a
passed one.  Such tests carry a marker (``gui``, ``mnist``) so they can be
chosen or left out with ``-m``; the check below keeps markers and fixtures
in step.  The hand-made digits the tests draw are in :mod:`harness.shapes`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import struct
from pathlib import Path

import numpy as np
import pytest

from harness.display import VirtualDisplay, missing_tools
from harness.window import pump

REQUIRE_ALL = bool(os.environ.get("DIGITAPP_REQUIRE_ALL_TESTS"))


def skip_or_fail(reason: str):
    """Skip locally; fail in CI, where everything must be there."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (DIGITAPP_REQUIRE_ALL_TESTS is set, so this may not be skipped)")
    pytest.skip(reason)


#: A test that takes one of these fixtures must carry the marker, and a test with the marker must take it.
MARKER_OF_FIXTURE = {"mnist_data": "mnist", "display": "gui"}


def pytest_collection_modifyitems(items):
    """Refuse a test whose markers do not say what it needs, so ``-m 'not gui'`` etc. can be trusted."""
    wrong = []
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, marker in MARKER_OF_FIXTURE.items():
            if (fixture in fixtures) != (item.get_closest_marker(marker) is not None):
                wrong.append(f"{item.nodeid}: {'takes' if fixture in fixtures else 'does not take'} "
                             f"the {fixture!r} fixture, so it {'needs' if fixture in fixtures else 'may not carry'} "
                             f"@pytest.mark.{marker}")
    if wrong:
        raise pytest.UsageError("\n".join(wrong))


@pytest.fixture(autouse=True)
def user_dir(monkeypatch, tmp_path_factory) -> Path:
    """Every test gets its own empty user data directory (samples, personal model, retrained models):
    the real one of whoever runs the tests is never read or written, by this process or its children."""
    folder = tmp_path_factory.mktemp("user-data")
    monkeypatch.setenv("DIGITAPP_USER_DIR", str(folder))
    monkeypatch.setenv("DIGITAPP_CACHE_DIR", str(folder / "cache"))  # prepared training sets, too
    return folder


def listing(folder: Path) -> list[str]:
    """Every entry of ``folder``, hidden (temporary) files included; [] when it does not exist."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def assert_one_line_naming(message, *parts) -> None:
    """An expected problem told in one line, no traceback, naming each of ``parts``.

    ``message`` is an exception (its text may not have a line break or
    surrounding blanks) or what a program wrote to stderr (one line).
    """
    text = str(message)
    if isinstance(message, BaseException):
        assert text and text == text.strip(), repr(text)
    lines = text.strip().splitlines()
    assert len(lines) == 1, repr(text)
    assert "Traceback" not in text, text
    for part in parts:
        assert str(part) in lines[0], f"{part!r} not in {lines[0]!r}"


# ---------------------------------------------------------------- the real window under Xvfb

@pytest.fixture(scope="session")
def display():
    """A private Xvfb, made the DISPLAY of this process for the session."""
    missing = missing_tools()
    if missing:
        skip_or_fail(f"GUI tests need {' and '.join(missing)} (apt install xvfb xdotool)")
    server = VirtualDisplay().start()
    saved = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = server.name
    yield server.name
    if saved is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = saved
    server.stop()


@pytest.fixture(scope="session")
def recognizer():
    """The shipped model; a test that changes it works on a copy."""
    from digitapp.recognizer import Recognizer

    return Recognizer.load()


class FakeDialogs:
    """Answers the app's dialogs from queues and records the errors, so nothing blocks."""

    def __init__(self, root=None):
        self.root = root
        self.open_paths: list = []
        self.save_paths: list = []
        self.errors: list[tuple[str, str]] = []

    def ask_open_path(self):
        return self.open_paths.pop(0) if self.open_paths else None

    def ask_save_path(self, initial):
        return self.save_paths.pop(0) if self.save_paths else None

    def error(self, title, message):
        self.errors.append((title, message))


@pytest.fixture
def app(display, recognizer):
    """The app's window, shown and focused, on the shipped model."""
    import tkinter as tk

    from digitapp.gui.app import App

    root = tk.Tk(className="digitapp")
    window = App(root, recognizer, FakeDialogs(root))
    pump(root, 30.0, until=root.winfo_viewable)  # a state, not a time: a loaded machine maps it late
    assert root.winfo_viewable(), "the window was not shown within 30 s"
    root.focus_force()
    pump(root, 0.05)
    yield window
    root.destroy()


@pytest.fixture(scope="session")
def mnist_data():
    """The real MNIST split, or a skip (a failure in CI) when the files are not on this machine."""
    import mnist_loader

    data_dir = mnist_loader.default_data_dir()
    if any(mnist_loader._find(data_dir, name) is None for name in mnist_loader.FILES):
        skip_or_fail(f"real MNIST not in {data_dir}; run 'digitapp fetch-data'")
    return mnist_loader.load_data(data_dir, fetch_missing=False)


PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


def closed_port_url() -> str:
    """A local URL nothing listens on: a mirror that refuses at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No npm on PATH, the mirrors on a closed local port, no proxies: no MNIST source is reachable."""
    import mnist_loader

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(mnist_loader, "HTTP_MIRRORS", (closed_port_url(),))
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)


# ---------------------------------------------------------------- tiny MNIST files the tests write

N_TRAIN, N_TEST = 60, 12


def idx_images(images: np.ndarray) -> bytes:
    """An IDX image file: uint8 (n, rows, cols)."""
    n, rows, cols = images.shape
    return struct.pack(">IIII", 2051, n, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray) -> bytes:
    """An IDX label file: uint8 (n,)."""
    return struct.pack(">II", 2049, len(labels)) + labels.astype(np.uint8).tobytes()


def mnist_files(train_images, train_labels, test_images, test_labels) -> dict[str, bytes]:
    """The four MNIST files' contents, by name, for these arrays."""
    return {
        "train-images-idx3-ubyte": idx_images(train_images),
        "train-labels-idx1-ubyte": idx_labels(train_labels),
        "t10k-images-idx3-ubyte": idx_images(test_images),
        "t10k-labels-idx1-ubyte": idx_labels(test_labels),
    }


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def write_files(folder: Path, raw: dict[str, bytes], gz: bool = False) -> Path:
    """Write each file (gzipped, with a .gz name, if ``gz``) into ``folder``; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in raw.items():
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return folder


@pytest.fixture
def trust_files(monkeypatch):
    """``trust_files(raw)``: for this test, mnist_loader expects exactly these files' SHA-256."""
    import mnist_loader

    def trust(raw: dict[str, bytes]) -> dict[str, bytes]:
        monkeypatch.setattr(mnist_loader, "EXPECTED_SHA256", {name: sha256(content) for name, content in raw.items()})
        return raw

    return trust


@pytest.fixture
def tiny(trust_files):
    """Tiny random MNIST (60 training, 12 test images) whose files mnist_loader trusts in this test.

    ``{"raw": file contents by name, "arrays": (train images, train labels, test images, test labels)}``.
    """
    rng = np.random.default_rng(0)
    train_images = rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8)
    train_images[0, 0, 0], train_images[0, 0, 1] = 0, 255  # the extremes are present
    test_images = rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8)
    train_labels = np.arange(N_TRAIN, dtype=np.uint8) % 10
    test_labels = rng.integers(0, 10, N_TEST).astype(np.uint8)
    arrays = (train_images, train_labels, test_images, test_labels)
    return {"raw": trust_files(mnist_files(*arrays)), "arrays": arrays}


# -- small learning problems for the network and trainer tests ------------------------------------

def synthetic(n, n_in=6, n_out=3, seed=0):
    """(X (n, n_in) float64, labels (n,)) with labels a function of X."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in))
    return X, np.argmax(X[:, :n_out], axis=1)


def blobs(n=600, seed=0):
    """Three well-separated 2-D blobs: (X (n, 2), labels (n,)); a network must learn them to >= 97%."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    labels = rng.integers(0, 3, n)
    return centres[labels] + 0.4 * rng.standard_normal((n, 2)), labels


def params(net):
    """Copies of a network's weights and biases."""
    return [w.copy() for w in net.weights] + [b.copy() for b in net.biases]

