"""The BLAS setting that is fastest for this network on small machines.

With mini-batches of 10, each matrix product is tiny: a second BLAS thread
costs more in hand-offs than it saves, and NumPy's and SciPy's separate
OpenBLAS pools fight when both are used in one loop (measured 60-130x slower
on a 2-core machine).  So training and recognition run with one BLAS thread.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from threadpoolctl import threadpool_info, threadpool_limits

# The BLAS pools are process-wide, and the window's two threads (reading and learning) both limit them.
# Each block's own exit must not undo another's limit, so the blocks inside are counted here: the limit in
# force is that of the newest block still inside, and the pools get their own settings back when the last
# block leaves.
_lock = threading.Lock()
_inside: list[tuple[object, int]] = []  # (a token per block, its thread limit), oldest first
_restorer = None  # the first block's limiter: it remembers the pools' own settings


@contextmanager
def fast_blas(threads: int = 1):
    """Limit every BLAS pool in the process to ``threads`` while the block runs (safe from any thread)."""
    global _restorer
    token = object()
    with _lock:
        _inside.append((token, threads))
        limiter = threadpool_limits(limits=threads, user_api="blas")
        if _restorer is None:
            _restorer = limiter
    try:
        yield
    finally:
        with _lock:
            _inside.remove(next(entry for entry in _inside if entry[0] is token))
            if _inside:
                threadpool_limits(limits=_inside[-1][1], user_api="blas")
            else:
                _restorer.restore_original_limits()
                _restorer = None


def blas_description() -> str:
    """One line per BLAS pool: which library and how many threads it uses."""
    return "; ".join(f"{p.get('internal_api')} {p.get('version')} ({p.get('prefix')}): "
                     f"{p.get('num_threads')} threads"
                     for p in threadpool_info() if p.get("user_api") == "blas") or "no BLAS found"
