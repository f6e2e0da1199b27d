"""Held-out generator bench: digits from parametric curves that training never saw, read as strokes and as pictures.

Every family of :data:`harness.parametric.FAMILIES` (its own curve code and
random parameters, shared with neither the training templates, the traced
writers nor the style bench) is drawn ``--per-family`` times as a mouse
user would and read twice through the app's own paths: as strokes
(``Recognizer.predict_strokes``, the canvas) and as the picture of the same
canvas drawn with its pen (``Recognizer.predict``, Ctrl+O).  Among the
families is the one-stroke 6 with a long curved arc from the upper right.

Run from the repository root::

    python -m bench.held_out                      # 150 per family, seed 0, the shipped model
    python -m bench.held_out --per-family 300 --model PATH
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from bench.styles import digit_rows, digits_summary, model_line, parse_and_load, recognise, style_rows
from harness.parametric import FAMILIES, draw_family


def family_drawings(per_family: int, seed: int) -> list[tuple[str, int, list, float]]:
    """Every family drawn ``per_family`` times: (family name, digit, canvas strokes, pen), reproducibly."""
    out = []
    for k, (name, (digit, _)) in enumerate(FAMILIES.items()):
        for i in range(per_family):
            strokes, pen = draw_family(name, np.random.default_rng([seed, 0x6E1D, k, i]))
            out.append((name, digit, strokes, pen))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.held_out", description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=150, help="drawings per family (default: %(default)s)")
    args, recognizer = parse_and_load(parser, argv, "held_out")
    if recognizer is None:
        return 2
    if args.per_family < 1:
        print("held_out: --per-family must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    drawings = family_drawings(args.per_family, args.seed)
    print(f"Held-out generator bench: {len(FAMILIES)} families of parametric shapes x {args.per_family} drawings "
          f"(seed {args.seed}), never used in training")
    print(model_line(args, recognizer))
    for title, picture in (("as strokes (predict_strokes)", False), ("as pictures (predict)", True)):
        answers = recognise(recognizer, drawings, picture=picture)
        print(f"{title}: {digits_summary(answers)}\n")
        print("digit     n  accuracy  sure+right  sure+wrong  flagged")
        print("\n".join(digit_rows(answers)))
        print(f"\n{'family':<18}     n  accuracy  sure+right  sure+wrong  flagged  most often taken for")
        print("\n".join(style_rows(answers)))
        print()
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
