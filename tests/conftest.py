"""Shared fixtures, and the rule that CI runs every test it can.

Tests that need something outside Python (a virtual display, the real
MNIST files) skip on a developer's machine that lacks it, but fail when
DIGITAPP_REQUIRE_ALL_TESTS is set, as .ci/run does: a skipped test is not a
passed one.
"""

from __future__ import annotations

import os

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
