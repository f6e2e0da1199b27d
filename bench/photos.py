"""Photo benchmark: digits photographed on paper against the same digits as clean pictures.

Run from the repository root:  python -m bench.photos [--split validation|test] [--seed N] [--count N]

Two splits, so the photo preprocessing's settings (ink polarity, ink
finding, crop) are chosen on photos that never report a figure:
``--split validation`` draws MNIST *validation* digits (never trained on)
and photographs them with seeds 0, 1 and 2, for choosing; the default
``--split test`` draws MNIST *test* digits and photographs them with seeds
10 and up (default 10), for reporting.  (Test seeds 0-2 were looked at when
the polarity was first chosen; they are retired.)

MNIST digits redrawn as mouse strokes (harness.drawn) are put on a
sheet at a random size and aspect (a quarter small in a big photo) and
photographed (harness.photos): paper lit unevenly (a gradient and a soft
shadow), a darker table along none, one or two edges (far from the digit,
near it or touching its ink), blurred ink, sensor noise, JPEG; a share are
light ink on a dark board.
Each photo and the clean picture of the same sheet (black on white) go
through ``Recognizer.predict``, as ``digitapp predict`` and the app's
Ctrl+O do.  The two accuracies should be close.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from bench.styles import load_recognizer
from harness.drawn import make_drawn_digits
from harness.photos import make_photo_pair

LIGHT_INK_SHARE = 0.2   # chalk on a board: light ink on dark, photographed the same way
SPLITS = {"validation": (0, 1, 2), "test": (10, 11, 12, 13, 14, 15, 16, 17, 18, 19)}  # the seeds of each split
PHOTO_STREAM = {"test": 0xF0, "validation": 0xF1}  # the photos' random streams differ between the splits too


def pictures(count: int, seed: int, split: str = "test"):
    """(label, clean picture, photo, light ink?, case) for ``count`` drawn MNIST digits of ``split`` (MNIST
    validation or test digits); ``case`` says what the photo has (harness.photos.photograph)."""
    if split == "validation":
        from harness.numbers import load_mnist_validation

        drawings, _ = make_drawn_digits(count, seed, test=load_mnist_validation())
    else:
        drawings, _ = make_drawn_digits(count, seed)
    for i, drawing in enumerate(drawings):
        rng = np.random.default_rng([seed, PHOTO_STREAM[split], i])
        ink = np.asarray(drawing.render(), np.float32) / 255
        case: dict = {}
        clean, photo = make_photo_pair(ink, rng, case=case)
        light = rng.random() < LIGHT_INK_SHARE
        if light:
            clean, photo = (Image.eval(im, lambda v: 255 - v) for im in (clean, photo))
        yield drawing.label, clean, photo, light, case


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.photos", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="digits (default: %(default)s)")
    parser.add_argument("--split", choices=sorted(SPLITS), default="test",
                        help="validation: MNIST validation digits, seeds 0-2, for choosing settings; "
                             "test: MNIST test digits, seeds 10-19, for reporting (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=None,
                        help="a seed of the split (default: its first, 0 or 10)")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    parser.add_argument("--save", type=Path, default=None, metavar="DIR",
                        help="also write the first 20 photos there as JPEG, with their clean twins as PNG")
    args = parser.parse_args(argv)
    seeds = SPLITS[args.split]
    if args.seed is None:
        args.seed = seeds[0]
    elif args.seed not in seeds:
        parser.error(f"seed {args.seed} is not in the {args.split} split (its seeds: "
                     f"{', '.join(map(str, seeds))})")
    from digitapp.blas import fast_blas
    from digitapp.model_io import default_model_path

    recognizer = load_recognizer(args.model, "photos")
    if recognizer is None:
        return 2
    started = time.perf_counter()
    rows = []
    seconds = 0.0
    with fast_blas():
        for i, (label, clean, photo, light, case) in enumerate(pictures(args.count, args.seed, args.split)):
            t0 = time.perf_counter()
            c, p = recognizer.predict(clean), recognizer.predict(photo)
            seconds += time.perf_counter() - t0
            rows.append((label, c.digit == label, p.digit == label, c.is_sure and c.digit == label,
                         p.is_sure and p.digit == label, p.is_sure and p.digit != label, light, max(photo.size),
                         case["edges"], "near" in case["places"], "touching" in case["places"], case["gradient"],
                         case["small"]))
            if args.save is not None and i < 20:
                args.save.mkdir(parents=True, exist_ok=True)
                photo.save(args.save / f"photo{i:02d}_{label}.jpg", quality=90)
                clean.save(args.save / f"clean{i:02d}_{label}.png")
    a = np.array(rows, dtype=float)
    label, clean_ok, photo_ok, clean_sure, photo_sure, photo_wrong, light, side, edges, near, touching, darkest, \
        small = a.T
    print(f"Photo bench, {args.split} split: {len(a)} MNIST {args.split} digits redrawn as strokes, photographed "
          f"on paper (seed {args.seed}); model {args.model or default_model_path()}\n")
    print(f"{'':24}{'clean':>9}{'photo':>9}")
    print(f"{'accuracy':24}{100 * clean_ok.mean():8.1f}%{100 * photo_ok.mean():8.1f}%")
    print(f"{'sure and right':24}{100 * clean_sure.mean():8.1f}%{100 * photo_sure.mean():8.1f}%")
    print(f"{'photo: sure and wrong':24}{'':9}{100 * photo_wrong.mean():8.1f}%")
    print()
    print(f"{'subset':24}{'n':>6}{'clean':>9}{'photo':>9}")
    subsets = [("dark ink on paper", light == 0), ("light ink on a board", light == 1),
               ("photo side < 300 px", side < 300), ("photo side 300-600 px", (side >= 300) & (side < 600)),
               ("photo side >= 600 px", side >= 600), ("no table", edges == 0), ("table along 1 edge", edges == 1),
               ("table along 2 edges", edges == 2), ("a band near the ink", (near == 1) & (touching == 0)),
               ("a band touching the ink", touching == 1), ("strong gradient (<45%)", darkest < 0.45),
               ("small digit, big photo", small == 1)]
    for name, mask in subsets:
        if mask.any():
            print(f"{name:24}{int(mask.sum()):6}{100 * clean_ok[mask].mean():8.1f}%{100 * photo_ok[mask].mean():8.1f}%")
    print(f"\n{1000 * seconds / (2 * len(a)):.1f} ms per picture to recognise; done in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
