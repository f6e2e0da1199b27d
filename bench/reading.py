"""How fast a drawing is read, on drawings as dense as a real mouse gives.

Run from the repository root:  python -m bench.reading   (about half a minute; --count for more drawings)

A hand on a mouse gives some 70 points per digit (median), up to 200: the
window gets a motion event every few milliseconds.  This bench draws MNIST
test digits as a user would (:mod:`harness.drawn`: random size, place, pen,
slant) and then resamples every stroke so each digit has that many points
(a log-normal count with median 70, clipped to 25-200), and six-digit
numbers made of such digits (:mod:`harness.numbers`).  It times what the
app and ``digitapp predict`` call: ``predict_strokes`` (one digit, known to
be one), ``read_strokes`` (what the window calls: grouping strokes into
digits, then reading each), and ``render_normalised`` alone (the pen drawn
on an image), with one BLAS thread as the window has.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from digitapp.blas import fast_blas
from digitapp.recognizer import Recognizer
from digitapp.strokes import render_normalised
from digitapp.trace import digit_strokes
from harness.drawn import BenchError, JITTER, _resample, draw_like_a_user, load_mnist_test

MEDIAN_POINTS, MIN_POINTS, MAX_POINTS = 70, 25, 200


def point_count(rng: np.random.Generator) -> int:
    """How many points a hand gives for one digit: log-normal, median 70, 25-200."""
    return int(np.clip(round(MEDIAN_POINTS * np.exp(rng.normal(0, 0.45))), MIN_POINTS, MAX_POINTS))


def densified(strokes, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes resampled to about ``n`` points in all, spread by length, with the mouse's jitter."""
    lengths = [float(np.hypot(*np.diff(s, axis=0).T).sum()) if len(s) > 1 else 0.0 for s in strokes]
    step = max(sum(lengths) / max(n - len(strokes), 1), 0.5)
    out = []
    for s in strokes:
        mouse = _resample(np.asarray(s, float), step)
        if len(mouse) > 2:
            mouse[1:-1] += rng.normal(0, JITTER, (len(mouse) - 2, 2))
        out.append(np.round(mouse))
    return out


def dense_digits(count: int, seed: int = 0, test=None) -> list[list[list[tuple[float, float]]]]:
    """``count`` MNIST test digits drawn with a mouse's density: each a list of strokes of (x, y) points."""
    images, _ = test if test is not None else load_mnist_test()
    rng = np.random.default_rng([seed, 0x5EED])
    drawings = []
    for k in range(count):
        image = images[int(rng.integers(len(images)))]
        strokes, _ = draw_like_a_user(digit_strokes(image), np.random.default_rng([seed, k]))
        drawings.append([[tuple(p) for p in s.tolist()] for s in densified(strokes, point_count(rng), rng)])
    return drawings


def dense_numbers(count: int, digits: int = 6, seed: int = 0, test=None) -> list[list[list[tuple[float, float]]]]:
    """``count`` numbers of ``digits`` digits, each digit as dense as a mouse gives it, side by side."""
    from harness.numbers import compose

    images, labels = test if test is not None else load_mnist_test()
    rng = np.random.default_rng([seed, 0x6D16])
    numbers = []
    for _ in range(count):
        picks = rng.integers(len(images), size=digits)
        number = compose([digit_strokes(images[i]) for i in picks], [int(labels[i]) for i in picks], rng)
        strokes = [s for d in number.digits for s in densified(d, point_count(rng), rng)]
        numbers.append([[tuple(p) for p in s.tolist()] for s in strokes])
    return numbers


def latencies_ms(function, items, repeats: int) -> tuple[float, float, float, float]:
    """Median and 99th percentile of one call, in milliseconds, over every item ``repeats`` times: by the
    wall clock, and by this thread's CPU time (the reading's own cost, without the waits a busy machine adds)."""
    for item in items[:5]:
        function(item)
    wall, cpu = [], []
    for _ in range(repeats):
        for item in items:
            start, start_cpu = time.perf_counter(), time.thread_time()
            function(item)
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    return tuple(1000 * float(f(times)) for times in (wall, cpu)
                 for f in (statistics.median, lambda t: np.percentile(t, 99)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reading", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="digits drawn (default %(default)s)")
    parser.add_argument("--numbers", type=int, default=40, help="six-digit numbers drawn (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="times each is read (default %(default)s)")
    args = parser.parse_args(argv)
    try:
        test = load_mnist_test()
    except BenchError as err:
        raise SystemExit(f"python -m bench.reading: {err}")
    digits = dense_digits(args.count, test=test)
    numbers = dense_numbers(args.numbers, test=test)
    recognizer = Recognizer.load()
    points = [sum(len(s) for s in d) for d in digits]
    print(f"{len(digits)} digits: points per digit median {statistics.median(points):.0f}, "
          f"max {max(points)}; {len(numbers)} six-digit numbers of "
          f"{statistics.median([sum(len(s) for s in n) for n in numbers]):.0f} points (median)\n")
    rows = [
        ("render_normalised, one digit", lambda d: render_normalised(d), digits, args.repeats),
        ("predict_strokes, one digit", recognizer.predict_strokes, digits, args.repeats),
        ("read_strokes, one digit (the window)", recognizer.read_strokes, digits, args.repeats),
        ("read_strokes, six-digit number", recognizer.read_strokes, numbers, args.repeats),
    ]
    print(f"{'latency (ms)':40}{'median':>10}{'p99':>10}{'CPU median':>12}{'CPU p99':>10}")
    with fast_blas():
        for name, function, items, repeats in rows:
            print(f"{name:40}" + "".join(f"{v:{w}.3f}" for v, w in zip(latencies_ms(function, items, repeats),
                                                                       (10, 10, 12, 10))))
    print("\nmedian and p99 by the wall clock; CPU: this thread's CPU time, the reading's own cost (on a busy\n"
          "machine the wall clock's p99 also counts the time other processes held the cores).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
