"""Training and recognition speed of Network([784, 100, 10]) on the real MNIST, in one run.

Run from the repository root:  python -m bench.speed   (about 2 minutes; --quick for a shorter run)

Prints seconds per training epoch (50,000 images) for the book's per-example
backprop loop, the matrix-form mini-batch update, PyTorch on the CPU when it
is installed, and the matrix products alone (the floor for this algorithm),
at mini-batch sizes 10, 32 and 128; the cost of data augmentation; the peak
memory of `digitapp train` with the default recipe; and evaluation and
recognition latency.  Everything runs with one BLAS thread, the setting
`digitapp train` uses (see digitapp/blas.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import mnist_loader
from digitapp.augment import Augmenter
from digitapp.blas import blas_description, fast_blas
from digitapp.network2 import Network  # chapter 3 defaults (cross-entropy, N(0, 1/n_in)), as `digitapp train`
from digitapp.trainer import train
from digitapp.recognizer import Recognizer
from digitapp.strokes import CANVAS_SIDE, render_strokes

SIZES = [784, 100, 10]
BATCHES = (10, 32, 128)


def epoch_seconds(X, labels, batch, method="matrix", dtype=np.float32, limit=None, transform=None,
                  epochs=2) -> float:
    """Mean seconds of SGD's epochs after the first, as SGD measures them (scaled up from ``limit`` images).

    Later epochs are the steady state: the first also converts the data and shuffles it before the
    prefetching thread can.
    """
    n = len(X) if limit is None else min(limit, len(X))
    network = Network(SIZES, seed=0, dtype=dtype)
    history = train(network, X[:n], labels[:n], epochs, batch, lambda epoch: 0.5, 1.0,
                    per_example=method == "per-example", augment=transform)
    return statistics.mean(h.seconds for h in history[1:]) * len(X) / n


def matmul_seconds(X, batch, dtype=np.float32, sizes=SIZES) -> float:
    """The matrix products of one epoch alone (the floor): per layer one forward product and one weight
    gradient, and below the output layer one backward delta (for [784, 100, 10]: five products)."""
    rng = np.random.default_rng(0)
    Ws = [(rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(dtype)
          for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    X = X.astype(dtype, copy=False)
    deltas = [np.ones((batch, n), dtype) for n in sizes[1:]]
    start = time.perf_counter()
    for k in range(0, len(X), batch):
        a = [X[k:k + batch]]
        for W in Ws:
            a.append(a[-1] @ W.T)
        m = len(a[0])
        for l in range(len(Ws) - 1, -1, -1):
            if l > 0:
                deltas[l][:m] @ Ws[l]
            deltas[l][:m].T @ a[l]
    return time.perf_counter() - start


def torch_epoch_seconds(X, labels, batch) -> float | None:
    """PyTorch's CPU autograd on the same network, cost and batch, float32, one thread; None if absent."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    X_t, Y_t = torch.from_numpy(np.ascontiguousarray(X, np.float32)), torch.from_numpy(np.eye(10, dtype=np.float32)[labels])
    model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.Sigmoid(), torch.nn.Linear(100, 10))
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05, weight_decay=1e-5)
    cost = torch.nn.BCEWithLogitsLoss(reduction="sum")  # sigmoid outputs with cross-entropy, as in the book
    start = time.perf_counter()
    order = torch.randperm(len(X_t))
    for k in range(0, len(X_t), batch):
        idx = order[k:k + batch]
        optimiser.zero_grad()
        cost(model(X_t[idx]), Y_t[idx]).backward()
        optimiser.step()
    return time.perf_counter() - start


def train_peak_mb() -> tuple[float, float]:
    """Peak resident memory (MB) and seconds of `digitapp train` with the default recipe, cut to 1 epoch."""
    with tempfile.TemporaryDirectory() as tmp:
        # VmHWM, not ru_maxrss: after fork and exec, ru_maxrss still counts the parent's (large) memory.
        code = ("import sys; from digitapp.train import main; code = main(sys.argv[1:]); "
                "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
                "print('PEAK', int(hwm.split()[1]) / 1024); sys.exit(code)")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code, "--epochs", "1", "--no-plot",
                               "--output", str(Path(tmp) / "m.pkl")], capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"digitapp train failed: {done.stderr.strip().splitlines()[-1]}")
    peak = [line for line in done.stdout.splitlines() if line.startswith("PEAK")][-1]
    return float(peak.split()[1]), seconds


def latencies_ms(function, repeats) -> tuple[float, float]:
    """Median and 99th percentile, in milliseconds."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), 1000 * float(np.percentile(times, 99))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="time the per-example path on 5,000 images (default 20,000) and scale up")
    parser.add_argument("--no-train-memory", action="store_true", help="skip the `digitapp train` memory run")
    args = parser.parse_args(argv)

    (X, labels), _, (test_x, test_y) = mnist_loader.load_data()
    slow_limit = 5_000 if args.quick else 20_000
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, NumPy {np.__version__}")
    with fast_blas():
        print(f"BLAS while timing: {blas_description()}")
        print(f"Network({SIZES}), cross-entropy, 50,000 MNIST images per epoch, float32 unless noted\n")
        print(f"{'seconds per epoch':34}" + "".join(f"{'batch ' + str(b):>12}" for b in BATCHES))
        rows = {}
        rows["per-example backprop (book), float64"] = [
            epoch_seconds(X, labels, b, "per-example", np.float64, limit=slow_limit) for b in BATCHES]
        rows["matrix form, float64"] = [epoch_seconds(X, labels, b, dtype=np.float64) for b in BATCHES]
        rows["matrix form, float32 (default)"] = [epoch_seconds(X, labels, b) for b in BATCHES]
        with fast_blas(os.cpu_count() or 1):
            rows[f"  the same with {os.cpu_count()} BLAS threads"] = [epoch_seconds(X, labels, b) for b in BATCHES]
        torch_times = [torch_epoch_seconds(X, labels, b) for b in BATCHES]
        if torch_times[0] is not None:
            rows["PyTorch CPU autograd, float32"] = torch_times
        rows["matrix products alone, float32"] = [matmul_seconds(X, b) for b in BATCHES]
        for name, values in rows.items():
            print(f"{name:34}" + "".join(f"{v:12.3f}" for v in values))
        fast = rows["matrix form, float32 (default)"]
        print()
        print(f"{'matrix float32 is faster than':34}" + "".join(f"{'':>12}" for _ in BATCHES).rstrip())
        for name in ("per-example backprop (book), float64", "PyTorch CPU autograd, float32"):
            if name in rows:
                print(f"{'  ' + name.split(',')[0]:34}" + "".join(f"{o / f:11.1f}x" for o, f in zip(rows[name], fast)))
        print(f"{'  its own matrix products (ratio)':34}" + "".join(
            f"{f / m:11.2f}x" for f, m in zip(fast, rows["matrix products alone, float32"])))
        if torch_times[0] is None:
            print("PyTorch is not installed: its row is left out (pip install torch==2.13.0 to include it)")

        plain, augmented = (epoch_seconds(X, labels, 10, transform=t, epochs=3) for t in (None, Augmenter()))
        print(f"\naugmentation (batch 10, epochs 2-3): {plain:.3f} s/epoch without, {augmented:.3f} s with "
              f"({augmented / plain:.2f}x; the distortions are made on a second thread)")

        network = Recognizer.load().network
        test_x32 = test_x.astype(network.dtype)
        evaluate_ms = latencies_ms(lambda: network.evaluate((test_x32, test_y)), 20)
        recognizer = Recognizer.load()
        strokes = [[(150, 50), (205, 50), (170, 150), (145, 235)], [(125, 140), (200, 140)]]  # a 7 with a bar
        canvas = render_strokes(strokes, (CANVAS_SIDE, CANVAS_SIDE), 20)
        image_ms = latencies_ms(lambda: recognizer.predict(canvas, ink="light"), 1000)
        strokes_ms = latencies_ms(lambda: recognizer.predict_strokes(strokes), 1000)
    print(f"\n{'latency (ms)':44}{'median':>10}{'p99':>10}")
    print(f"{'evaluate the 10,000 test images':44}{evaluate_ms[0]:10.2f}{evaluate_ms[1]:10.2f}")
    print(f"{f'recognise a {CANVAS_SIDE}x{CANVAS_SIDE} canvas image':44}{image_ms[0]:10.3f}{image_ms[1]:10.3f}")
    print(f"{'recognise strokes (what the app does)':44}{strokes_ms[0]:10.3f}{strokes_ms[1]:10.3f}")

    if not args.no_train_memory:
        peak, seconds = train_peak_mb()
        print(f"\n`digitapp train` default recipe cut to 1 epoch: peak memory {peak:.0f} MB ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
