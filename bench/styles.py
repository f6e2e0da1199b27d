"""Style benchmark: common ways of writing each digit, many outside MNIST's habits, drawn by many writers.

Every style of :data:`harness.styles.STYLES` (a 1 with a flag and a base, a
curled 9, a round 6, a crossed 7, ...) is drawn ``--per-style`` times with a
writer's variation (slant, rotation, size, wobble, jitter, pen) on the
app's canvas and recognised through the app's own path,
``Recognizer.predict_strokes``.  These templates are not the ones training
uses (digitapp/templates.py), so this measures reading other writers.

Run from the repository root::

    python -m bench.styles                  # 80 drawings per style, seed 0, the shipped model
    python -m bench.styles --per-style 200 --model PATH
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from harness.styles import CANVAS, NON_DIGITS, STYLES, draw_non_digit, draw_style


@dataclass
class Answers:
    """What the recognizer said about a set of drawings: one entry per drawing."""

    names: np.ndarray                 # style or shape name
    labels: np.ndarray                # true digit, -1 for a non-digit
    predicted: np.ndarray             # the strongest output's digit (-1 if blank)
    sure: np.ndarray                  # Prediction.is_sure
    not_digit: np.ndarray             # the verdict was "not a digit"
    confidence: np.ndarray = field(repr=False)
    strongest: np.ndarray = field(repr=False)

    @property
    def right(self) -> np.ndarray:
        return self.predicted == self.labels

    def subset(self, mask: np.ndarray) -> "Answers":
        return Answers(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))


def recognise(recognizer, drawings: list[tuple], picture: bool = False) -> Answers:
    """Each (name, label, strokes) through ``recognizer.predict_strokes``, as the app does; or, with
    ``picture``, each (name, label, strokes, pen) drawn on the canvas with its pen and read as a picture
    (``recognizer.predict``, as a saved drawing opened with Ctrl+O is)."""
    from digitapp.blas import fast_blas
    from digitapp.strokes import render_strokes

    columns = {k: [] for k in ("predicted", "sure", "not_digit", "confidence", "strongest")}
    with fast_blas():
        for _, _, strokes, *pen in drawings:
            if picture:
                p = recognizer.predict(render_strokes([s.tolist() for s in strokes], (CANVAS, CANVAS), pen[0]),
                                       ink="light")
            else:
                p = recognizer.predict_strokes([s.tolist() for s in strokes])
            columns["predicted"].append(-1 if p.digit is None else p.digit)
            columns["sure"].append(p.is_sure)
            columns["not_digit"].append(not p.is_digit)
            columns["confidence"].append(p.confidence)
            columns["strongest"].append(p.strongest)
    return Answers(np.array([d[0] for d in drawings]), np.array([d[1] for d in drawings]),
                   *(np.array(v) for v in columns.values()))


def style_drawings(per_style: int, seed: int) -> list[tuple[str, int, list]]:
    """Every style drawn ``per_style`` times: (style name, digit, strokes), reproducibly."""
    return [(name, style.digit, draw_style(name, np.random.default_rng([seed, k, i])))
            for k, (name, style) in enumerate(STYLES.items()) for i in range(per_style)]


def non_digit_drawings(per_shape: int, seed: int) -> list[tuple[str, int, list]]:
    """Every non-digit shape drawn ``per_shape`` times: (shape name, -1, strokes)."""
    return [(name, -1, draw_non_digit(name, np.random.default_rng([seed, 1000 + k, i]))[0])
            for k, name in enumerate(NON_DIGITS) for i in range(per_shape)]


def parse_and_load(parser: argparse.ArgumentParser, argv, prog: str):
    """The command line, with the options every drawing bench has (the writers' seed and the model),
    and that model: ``(args, Recognizer)``, or ``(args, None)`` after a one-line error on stderr."""
    parser.add_argument("--seed", type=int, default=0, help="seed for the writers' variation (default: %(default)s)")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    args = parser.parse_args(argv)
    return args, load_recognizer(args.model, prog)


def model_line(args, recognizer) -> str:
    from digitapp.model_io import default_model_path

    return f"model: {args.model or default_model_path()}; {thresholds_text(recognizer)}\n"


def load_recognizer(path, prog: str):
    """The model at ``path`` (the shipped one if None), or None after a one-line error on stderr."""
    from digitapp.model_io import ModelError
    from digitapp.recognizer import Recognizer

    try:
        return Recognizer.load(path)
    except ModelError as err:
        print(f"{prog}: {err}", file=sys.stderr)
        return None


def thresholds_text(recognizer) -> str:
    return (f"'not a digit' when the strongest output < {recognizer.none_below:g}, 'not sure' when it is "
            f"< {recognizer.weak_below:g} or the confidence < {recognizer.unsure_below:g}")


def pct(values) -> str:
    values = np.asarray(values)
    return f"{100 * values.mean():6.1f}%" if len(values) else "     -"


def digits_summary(a: Answers) -> str:
    """Accuracy, and answered-sure-and-right / sure-and-wrong / flagged shares."""
    return (f"accuracy {pct(a.right).strip()}; answered with confidence and right {pct(a.sure & a.right).strip()}, "
            f"with confidence and wrong {pct(a.sure & ~a.right).strip()}; flagged {pct(~a.sure).strip()} "
            f"(of which 'not a digit' {pct(a.not_digit).strip()})")


def report(a: Answers) -> str:
    lines = [f"all {len(a.labels)} drawings: {digits_summary(a)}", "",
             "digit     n  accuracy  sure+right  sure+wrong  flagged", *digit_rows(a)]
    lines += ["", f"{'style':<18}     n  accuracy  sure+right  sure+wrong  flagged  most often taken for"]
    lines += style_rows(a)
    matrix = np.zeros((10, 10), np.int64)
    known = a.predicted >= 0
    np.add.at(matrix, (a.labels[known], a.predicted[known]), 1)
    lines += ["", "confusion matrix (rows: true digit, columns: strongest output; '.' is 0)",
              "true  " + "".join(f"{c:>6}" for c in range(10))]
    for d in range(10):
        lines.append(f"{d:>4}  " + "".join(f"{(str(v) if v else '.'):>6}" for v in matrix[d]))
    return "\n".join(lines)


def digit_rows(a: Answers) -> list[str]:
    """One line per digit: n, accuracy, sure+right, sure+wrong, flagged."""
    lines = []
    for d in range(10):
        s = a.subset(a.labels == d)
        lines.append(f"{d:>5} {len(s.labels):>5}   {pct(s.right)}     {pct(s.sure & s.right)}     "
                     f"{pct(s.sure & ~s.right)}  {pct(~s.sure)}")
    return lines


def style_rows(a: Answers) -> list[str]:
    """One line per style (or shape) name: n, accuracy, sure+right, sure+wrong, flagged, most often taken for."""
    lines = []
    for name in dict.fromkeys(a.names):
        s = a.subset(a.names == name)
        wrong = s.predicted[~s.right]
        taken = ", ".join(f"{v} ({c})" for v, c in sorted(zip(*np.unique(wrong, return_counts=True)),
                                                        key=lambda vc: -vc[1])[:2]) or "-"
        lines.append(f"{name:<18} {len(s.labels):>5}   {pct(s.right)}     {pct(s.sure & s.right)}     "
                     f"{pct(s.sure & ~s.right)}  {pct(~s.sure)}  {taken}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.styles", description=__doc__.splitlines()[0])
    parser.add_argument("--per-style", type=int, default=80, help="drawings per style (default: %(default)s)")
    args, recognizer = parse_and_load(parser, argv, "styles")
    if recognizer is None:
        return 2
    started = time.perf_counter()
    answers = recognise(recognizer, style_drawings(args.per_style, args.seed))
    print(f"Style bench: {len(STYLES)} styles x {args.per_style} drawings on the {CANVAS}x{CANVAS} canvas "
          f"(seed {args.seed}), through predict_strokes")
    print(model_line(args, recognizer))
    print(report(answers))
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
