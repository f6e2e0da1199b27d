"""The BLAS setting that is fastest for this network on small machines.

With mini-batches of 10, each matrix product is tiny: a second BLAS thread
costs more in hand-offs than it saves, and NumPy's and SciPy's separate
OpenBLAS pools fight when both are used in one loop (measured 60-130x slower
on a 2-core machine).  So training and recognition run with one BLAS thread.
"""

from __future__ import annotations

from contextlib import contextmanager

from threadpoolctl import threadpool_info, threadpool_limits


@contextmanager
def fast_blas(threads: int = 1):
    """Limit every BLAS pool in the process to ``threads`` while the block runs."""
    with threadpool_limits(limits=threads, user_api="blas"):
        yield


def blas_description() -> str:
    """One line per BLAS pool: which library and how many threads it uses."""
    return "; ".join(f"{p.get('internal_api')} {p.get('version')} ({p.get('prefix')}): "
                     f"{p.get('num_threads')} threads"
                     for p in threadpool_info() if p.get("user_api") == "blas") or "no BLAS found"
