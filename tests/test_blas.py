"""digitapp.blas: fast_blas limits every BLAS pool inside the block and restores it after."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg  # noqa: F401  (loads SciPy's own BLAS, so there are two pools as in training)
from threadpoolctl import threadpool_info, threadpool_limits

from digitapp import blas
from digitapp.blas import blas_description, fast_blas


def blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


@pytest.fixture
def two_threads():
    """Every BLAS pool at 2 threads for the test, so a limit of 1 is visible."""
    np.ones((2, 2)) @ np.ones((2, 2))  # make sure NumPy's BLAS is loaded
    assert blas_threads(), "no BLAS library found"
    with threadpool_limits(limits=2, user_api="blas"):
        assert set(blas_threads()) == {2}
        yield


def test_fast_blas_limits_every_pool_to_one_thread_and_restores_them(two_threads):
    with fast_blas():
        assert set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}


def test_fast_blas_takes_a_thread_count(two_threads):
    with fast_blas(1):
        with fast_blas(2):
            assert set(blas_threads()) == {2}
        assert set(blas_threads()) == {1}


def test_the_limit_is_restored_after_an_exception(two_threads):
    with pytest.raises(KeyError):
        with fast_blas():
            raise KeyError("boom")
    assert set(blas_threads()) == {2}


def test_blas_description_names_each_library_and_its_threads(two_threads):
    pools = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    with fast_blas():
        text = blas_description()
    parts = text.split("; ")
    assert len(parts) == len(pools)
    for part, pool in zip(parts, pools):
        assert pool["internal_api"] in part and pool["prefix"] in part and part.endswith(": 1 threads")


def test_blas_description_without_blas(monkeypatch):
    monkeypatch.setattr(blas, "threadpool_info", lambda: [{"user_api": "openmp", "num_threads": 4}])
    assert blas_description() == "no BLAS found"


def test_blocks_in_two_threads_leave_each_other_their_limit(two_threads):
    """The learning thread leaving its block while the window's thread is inside keeps the window's limit,
    and the pools get their own settings back only when both have left."""
    import threading

    entered, leave = threading.Event(), threading.Event()

    def other():
        with fast_blas():
            entered.set()
            leave.wait(10)

    worker = threading.Thread(target=other)
    worker.start()
    entered.wait(10)
    with fast_blas():
        leave.set()
        worker.join(10)
        assert set(blas_threads()) == {1}  # the other block left first: this one's limit holds
    assert set(blas_threads()) == {2}
