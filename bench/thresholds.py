"""Choose the app's "not a digit" and "not sure" thresholds on validation data, never on a test set.

Run from the repository root:  python -m bench.thresholds [--model PATH]

The validation sets: MNIST's validation digits through the app's
preprocessing; MNIST validation digits redrawn as mouse strokes
(harness.drawn); digits and non-digits drawn from the *training* templates
with seeds training never used.  For every pair of thresholds it measures,
on each digit set, the share answered with confidence and right and with
confidence and wrong, and the share of non-digits flagged; it picks the
pair that flags most non-digits and answers most digits while keeping
every digit set's confident-and-wrong share at most --max-wrong.  The
chosen pair goes into digitapp/recognizer.py (NONE_BELOW, UNSURE_BELOW).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

NONE_GRID = np.round(np.arange(0.05, 0.91, 0.05), 2)
UNSURE_GRID = np.round(np.arange(0.40, 0.96, 0.05), 2)
SEED = 20261122  # seeds no training run uses


def outputs_of(network, X: np.ndarray) -> np.ndarray:
    """The ten raw sigmoid outputs for each row of X (N, 784): (N, 10)."""
    from digitapp.blas import fast_blas

    with fast_blas():
        return np.concatenate([network.feedforward(X[k:k + 2000].astype(network.dtype))
                               for k in range(0, len(X), 2000)])


def validation_sets(count: int = 2000) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (inputs (N, 784) floats, labels (N,), -1 for a non-digit)."""
    import mnist_loader
    from digitapp.preprocess import preprocess_batch
    from digitapp.styled import NONE, input_of, non_digits, styled_digits
    from harness.drawn import make_drawn_digits

    _, (val_x, val_y), _ = mnist_loader.load_data()
    drawings, drawn_y = make_drawn_digits(count, SEED, test=(val_x, val_y))
    drawn = np.stack([input_of(d.strokes) for d in drawings]).astype(np.float32) / 255
    styled_x, styled_y = styled_digits(count, np.random.default_rng([SEED, 2]))
    none_x = non_digits(count, np.random.default_rng([SEED, 3]))
    return {
        "MNIST validation": (preprocess_batch(val_x), val_y),
        "drawn MNIST validation": (drawn, drawn_y),
        "styled (training templates)": (styled_x / np.float32(255), styled_y),
        "non-digits (training templates)": (none_x / np.float32(255), np.full(count, NONE)),
    }


def rates(outputs: np.ndarray, labels: np.ndarray, weak_below: float, unsure_below: float):
    """(sure and right, sure and wrong, flagged) shares, as Prediction decides them."""
    digit = outputs.argmax(axis=1)
    strongest = outputs.max(axis=1)
    share = strongest / outputs.sum(axis=1)
    sure = (strongest >= weak_below) & (share >= unsure_below)
    right = digit == labels
    return float((sure & right).mean()), float((sure & ~right).mean()), float((~sure).mean())


def not_digit_share(outputs: np.ndarray, none_below: float) -> float:
    return float((outputs.max(axis=1) < none_below).mean())


def choose_none_below(results: dict, weak_below: float, max_not_digit: float) -> float:
    """The highest NONE_BELOW (at most weak_below) that calls at most max_not_digit of any digit set "not a digit"."""
    digit_sets = [outputs for outputs, labels in results.values() if (labels >= 0).any()]
    fits = [float(v) for v in NONE_GRID if v <= weak_below
            and all(not_digit_share(outputs, v) <= max_not_digit for outputs in digit_sets)]
    return max(fits) if fits else float(NONE_GRID[0])


def choose(results: dict, max_wrong: float):
    """The (none_below, unsure_below) with most flagged non-digits plus answered digits, within max_wrong."""
    best, best_score = None, -1.0
    for none_below in NONE_GRID:
        for unsure_below in UNSURE_GRID:
            score, ok = 0.0, True
            for outputs, labels in results.values():
                sure_right, sure_wrong, flagged = rates(outputs, labels, none_below, unsure_below)
                if (labels < 0).all():
                    score += flagged
                else:
                    ok &= sure_wrong <= max_wrong
                    score += sure_right / (len(results) - 1)
            if ok and score > best_score:
                best, best_score = (float(none_below), float(unsure_below)), score
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.thresholds", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    parser.add_argument("--count", type=int, default=2000, help="drawings per generated set (default: %(default)s)")
    parser.add_argument("--max-wrong", type=float, default=0.01,
                        help="largest confident-and-wrong share allowed on any digit set (default: %(default)s)")
    parser.add_argument("--max-not-digit", type=float, default=0.02,
                        help="largest share of any digit set called 'not a digit' (default: %(default)s)")
    args = parser.parse_args(argv)
    from digitapp.recognizer import NONE_BELOW, UNSURE_BELOW, WEAK_BELOW, Recognizer

    recognizer = Recognizer.load(args.model)
    results = {name: (outputs_of(recognizer.network, X), y) for name, (X, y) in validation_sets(args.count).items()}
    chosen = choose(results, args.max_wrong)
    print(f"model: {recognizer.path}; validation sets only\n")
    shown = {chosen, (WEAK_BELOW, UNSURE_BELOW)} if chosen else {(WEAK_BELOW, UNSURE_BELOW)}
    shown |= {(n, u) for n in (0.2, 0.35, 0.5) for u in (0.5, 0.7, 0.9)}
    print(f"{'output below':>17} {'confidence below':>16}".replace("output below", "weak: output <")
          .replace("confidence below", "or confidence <") + "  " + "  ".join(f"{k[:24]:>24}" for k in results))
    print(f"{'':>33}" + "  ".join(f"{'flagged' if (y < 0).all() else 'sure+right / sure+wrong':>24}"
                                   for _, y in results.values()))
    for none_below, unsure_below in sorted(shown):
        cells = []
        for outputs, labels in results.values():
            sure_right, sure_wrong, flagged = rates(outputs, labels, none_below, unsure_below)
            cells.append(f"{100 * flagged:23.1f}%" if (labels < 0).all()
                         else f"{100 * sure_right:13.1f}% / {100 * sure_wrong:5.2f}%")
        mark = "  <- chosen" if (none_below, unsure_below) == chosen else ""
        mark += "  (in use)" if (none_below, unsure_below) == (WEAK_BELOW, UNSURE_BELOW) else ""
        print(f"{none_below:>17.2f} {unsure_below:>14.2f}  " + "  ".join(cells) + mark)
    if chosen is None:
        print(f"\nno pair keeps confident-and-wrong at most {args.max_wrong:.1%} on every digit set")
        return 1
    none_below = choose_none_below(results, chosen[0], args.max_not_digit)
    print(f"\n'not a digit' when the strongest output is below:")
    for v in sorted({0.2, 0.35, 0.5, 0.65, none_below, NONE_BELOW}):
        cells = "  ".join(f"{name[:24]:>24} {100 * not_digit_share(o, v) if (y >= 0).any() else 100 * (o.max(axis=1) < v).mean():5.1f}%"
                          for name, (o, y) in results.items())
        print(f"{v:>6.2f}  {cells}" + ("  <- chosen" if v == none_below else "") + ("  (in use)" if v == NONE_BELOW else ""))
    print(f"\nchosen: WEAK_BELOW = {chosen[0]:g}, UNSURE_BELOW = {chosen[1]:g} (confident and wrong at most "
          f"{args.max_wrong:.1%} on every digit set), NONE_BELOW = {none_below:g} (at most {args.max_not_digit:.1%} "
          f"of every digit set called 'not a digit')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
