"""Shared fixtures, and the rule that CI runs every test it can.

Tests that need something outside Python (a virtual display, the real
MNIST files) skip on a developer's machine that lacks it, but fail when
DIGITAPP_REQUIRE_ALL_TESTS is set, as .ci/run does: a skipped test is not a
passed one.
"""

from __future__ import annotations

import os
import socket

import pytest

REQUIRE_ALL = bool(os.environ.get("DIGITAPP_REQUIRE_ALL_TESTS"))


def skip_or_fail(reason: str):
    """Skip locally; fail in CI, where everything must be there."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (DIGITAPP_REQUIRE_ALL_TESTS is set, so this may not be skipped)")
    pytest.skip(reason)


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
