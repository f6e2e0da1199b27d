"""Numbers benchmark: several digits in one drawing, read as strokes and as pictures.

Digits drawn as a person draws them (MNIST validation digits, the last 10,000 training images, traced into strokes,
:mod:`harness.drawn`, and the hand-made digits of :mod:`harness.shapes`) are
written side by side into 2-8 digit numbers (:mod:`harness.numbers`: one pen,
height and slant per number with a little variation, baseline drift, gaps
from touching to wide).  Each number is read twice with what the app and
``digitapp predict`` use: ``Recognizer.read_strokes`` on its strokes and
``Recognizer.read`` on the rendered picture (dark ink on white).  Each digit
is also read alone (its own strokes; its own picture with the same pen) to
compare.  Another source of digit templates (a style bench's) can be added
in :func:`templates`.

    python -m bench.numbers                 # 500 numbers, seed 0, the shipped model
    python -m bench.numbers --count 2000 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from harness.drawn import BenchError

SHAPES_SHARE = 0.1   # share of the digits that are the hand-made shapes


def templates(count: int, seed: int, data_dir=None):
    """Digit templates and labels: MNIST validation digits traced into strokes, and the hand-made shapes."""
    from harness.numbers import load_mnist_validation, mnist_templates, shape_templates

    shapes, shape_labels = shape_templates()
    n_shapes = round(SHAPES_SHARE * count)
    mnist, mnist_labels = mnist_templates(count - n_shapes, seed, load_mnist_validation(data_dir))
    repeats = -(-n_shapes // len(shapes)) if n_shapes else 0
    return (mnist + (shapes * repeats)[:n_shapes],
            np.concatenate([mnist_labels, np.tile(shape_labels, repeats)[:n_shapes]]).astype(np.int64))


def matches(truth: str, read: str) -> int:
    """Digits read right: position by position when the count is right, else the longest common subsequence."""
    if len(truth) == len(read):
        return sum(a == b for a, b in zip(truth, read))
    table = np.zeros((len(truth) + 1, len(read) + 1), np.int64)
    for i, a in enumerate(truth):
        for j, b in enumerate(read):
            table[i + 1, j + 1] = table[i, j] + 1 if a == b else max(table[i, j + 1], table[i + 1, j])
    return int(table[-1, -1])


def measure(recognizer, numbers, how: str) -> dict:
    """Read every number ``how`` ('strokes' or 'images'): counts, digits right, alone, seconds per reading."""
    exact = right_count = digits = in_number = alone = declined = 0
    times, alone_times = {}, []
    failures = []
    for number in numbers:
        if how == "strokes":
            source = number.strokes
            start = time.perf_counter()
            reading = recognizer.read_strokes(source)
            seconds = time.perf_counter() - start
            digit_strokes = [[[tuple(p) for p in s.tolist()] for s in d] for d in number.digits]
            start = time.perf_counter()
            alone_digits = [recognizer.predict_strokes(d).digit for d in digit_strokes]
        else:
            picture = number.render()
            start = time.perf_counter()
            reading = recognizer.read(picture)
            seconds = time.perf_counter() - start
            pictures = [number.render([i]) for i in range(len(number.labels))]
            start = time.perf_counter()
            alone_digits = [recognizer.predict(p).digit for p in pictures]
        alone_times.append((time.perf_counter() - start) / len(number.labels))
        times.setdefault(len(number.labels), []).append(seconds)
        text = reading.text
        exact += text == number.text
        declined += len(reading) > 1 and not reading.is_number  # shown as "not a number" (no piece surely a digit)
        right_count += len(text) == len(number.text)
        digits += len(number.labels)
        in_number += matches(number.text, text)
        alone += sum(a == b for a, b in zip(alone_digits, number.labels))
        if text != number.text:
            failures.append((number, text))
    n = len(numbers)
    return {"exact": exact / n, "right_count": right_count / n, "declined": declined / n,
            "per_digit": in_number / digits,
            "alone": alone / digits, "times": times, "alone_time": float(np.median(alone_times)), "failures": failures, "digits": digits}


def report(results: dict, count: int, digits: int) -> str:
    lines = [f"{count:,} numbers of 2-8 digits ({digits:,} digits)",
             "",
             f"{'read as':<10}{'exact':>9}{'right count':>13}{'per digit':>11}{'alone':>9}{'gap':>8}"
             f"{'6 digits: median ms':>21}{'p90 ms':>8}{'1 digit alone ms':>18}{'no number':>11}"]
    for how, r in results.items():
        six = np.array(r["times"].get(6, [np.nan])) * 1000
        lines.append(f"{how:<10}{100 * r['exact']:>8.2f}%{100 * r['right_count']:>12.2f}%"
                     f"{100 * r['per_digit']:>10.2f}%{100 * r['alone']:>8.2f}%"
                     f"{100 * (r['per_digit'] - r['alone']):>+7.2f}{np.median(six):>21.2f}{np.percentile(six, 90):>8.2f}"
                     f"{1000 * r['alone_time']:>18.2f}{100 * r['declined']:>10.2f}%")
    lines += ["", "exact: the whole number read right; right count: as many digits as written; per digit: digits",
              "read right in the number (by position, or the longest common run when the count is off); alone:",
              "the same digits read one by one; gap: per digit minus alone, in points. Times: one reading of a",
              "6-digit number, and one digit read alone with predict_strokes / predict (median), 1 BLAS thread.",
              "no number: numbers the window and predict call 'not a number', since no piece is surely a digit."]
    return "\n".join(lines)


def failure_sheet(failures, path: Path, limit: int = 24) -> Path | None:
    """The first misread numbers as pictures, each titled 'written -> read'."""
    if not failures:
        return None
    from PIL import Image, ImageDraw

    tiles = []
    for number, text in failures[:limit]:
        image = number.render().convert("RGB")
        image.thumbnail((600, 120))
        tile = Image.new("RGB", (600, 140), "white")
        tile.paste(image, (0, 18))
        ImageDraw.Draw(tile).text((4, 2), f"{number.text} -> {text or '(nothing)'}", fill=(200, 0, 0))
        tiles.append(tile)
    sheet = Image.new("RGB", (1200, 140 * -(-len(tiles) // 2)), "white")
    for k, tile in enumerate(tiles):
        sheet.paste(tile, (600 * (k % 2), 140 * (k // 2)))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.numbers", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="numbers to write (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the set (default 0)")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    parser.add_argument("--data-dir", type=Path, default=None, help="MNIST folder (default: the loader's)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out",
                        help="folder for the sheets of misread numbers (default: bench/out)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from digitapp.blas import fast_blas
    from digitapp.model_io import ModelError
    from digitapp.recognizer import Recognizer
    from harness.numbers import LENGTHS, make_numbers

    try:
        recognizer = Recognizer.load(args.model)
        mean_length = (LENGTHS[0] + LENGTHS[1]) / 2
        shapes, labels = templates(int(args.count * mean_length * 1.2), args.seed, args.data_dir)
    except (ModelError, BenchError) as err:
        print(f"bench.numbers: {err}", file=sys.stderr)
        return 1
    numbers = make_numbers(args.count, shapes, labels, args.seed)
    results = {}
    with fast_blas(1):
        for how in ("strokes", "images"):
            results[how] = measure(recognizer, numbers, how)
            sheet = failure_sheet(results[how]["failures"], args.out / f"numbers_failures_{how}.png")
            if sheet:
                print(f"misread numbers ({how}): {sheet}", file=sys.stderr)
    print(report(results, len(numbers), results["strokes"]["digits"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
