"""Non-digit benchmark: letters, signs, shapes and scribbles should be flagged, digits accepted.

Every shape of :data:`harness.styles.NON_DIGITS` is drawn ``--per-shape``
times with a writer's variation and recognised through
``Recognizer.predict_strokes``.  "Flagged" means ``Prediction.is_sure`` is
False (the app says "not a digit" or "not sure").  Beside it, the style
bench's digits show the other side of the thresholds: answered with
confidence and right, and with confidence and wrong.  None of these
drawings is used in training (digitapp/templates.py has its own).

Run from the repository root::

    python -m bench.non_digits              # 60 drawings per shape, seed 0, the shipped model
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from bench.styles import (digits_summary, model_line, non_digit_drawings, parse_and_load, pct,
                          recognise, style_drawings)
from digitapp.templates import NON_DIGITS as TRAINED_SHAPES
from harness.styles import NON_DIGITS


#: Bench shapes whose kind training has under another name (its own drawings, never these).
TRAINED_KIND = {"smiley": "face", "dash": "minus", "cross": "times", "coil": "loops", "scribble": "scribble",
                "zigzag": "w"}


def report(shapes, digits) -> str:
    lines = [f"non-digits, {len(shapes.labels)} drawings: flagged {pct(~shapes.sure).strip()} "
             f"('not a digit' {pct(shapes.not_digit).strip()}, 'not sure' {pct(~shapes.sure & ~shapes.not_digit).strip()})",
             f"digits (style bench), {len(digits.labels)} drawings: {digits_summary(digits)}", "",
             f"{'shape':<10}  n  flagged  not a digit  a kind in training  taken for (when answered)"]
    for name in NON_DIGITS:
        s = shapes.subset(shapes.names == name)
        answered = s.predicted[s.sure]
        taken = ", ".join(f"{v} ({c})" for v, c in sorted(zip(*np.unique(answered, return_counts=True)),
                                                        key=lambda vc: -vc[1])[:3]) or "-"
        trained = "yes" if TRAINED_KIND.get(name, name) in TRAINED_SHAPES or name == "scribble" else "no"
        lines.append(f"{name:<10}{len(s.labels):>3}  {pct(~s.sure)}     {pct(s.not_digit)}  {trained:>10}"
                     f"          {taken}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.non_digits", description=__doc__.splitlines()[0])
    parser.add_argument("--per-shape", type=int, default=60, help="drawings per shape (default: %(default)s)")
    parser.add_argument("--per-style", type=int, default=40, help="digit drawings per style (default: %(default)s)")
    args, recognizer = parse_and_load(parser, argv, "non_digits")
    if recognizer is None:
        return 2
    started = time.perf_counter()
    shapes = recognise(recognizer, non_digit_drawings(args.per_shape, args.seed))
    digits = recognise(recognizer, style_drawings(args.per_style, args.seed + 1))
    print(f"Non-digit bench: {len(NON_DIGITS)} shapes x {args.per_shape} drawings (seed {args.seed}), "
          f"through predict_strokes")
    print(model_line(args, recognizer))
    print(report(shapes, digits))
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
