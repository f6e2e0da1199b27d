"""Does the confidence the app shows mean something?  Accuracy by confidence on the MNIST test set.

Run from the repository root:  python -m bench.confidence [--model PATH]

The test images go through the app's preprocessing, as in training; the
confidence is the one the app shows: ``Recognizer.predict_input(x).confidence``.
Images no output claims (the strongest raw output below
digitapp.recognizer.NONE_BELOW) are the app's "not a digit" and get their
own row.  The thresholds are chosen on validation data by
``python -m bench.thresholds``, never from this table.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import mnist_loader
from digitapp.blas import fast_blas
from digitapp.preprocess import preprocess_batch
from digitapp.recognizer import NONE_BELOW, UNSURE_BELOW, WEAK_BELOW, Recognizer

BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.99), (0.99, 1.01))


def confidence_table(recognizer: Recognizer, images: np.ndarray, labels: np.ndarray) -> list[tuple]:
    """(low, high, count, accuracy) per confidence band of the images the app calls a digit, then
    (None, None, count, accuracy) for those it calls "not a digit", then the overall accuracy as the last row.

    ``images`` are preprocessed inputs (N, 784); each is recognised as the app recognises a drawing.
    """
    with fast_blas():
        predictions = [recognizer.predict_input(x.reshape(-1, 1)) for x in images]
    confidence = np.array([p.confidence for p in predictions])
    digit = np.array([p.is_digit for p in predictions])
    right = np.array([p.digit for p in predictions]) == labels
    rows = []
    for low, high in BANDS:
        inside = digit & (confidence >= low) & (confidence < high)
        rows.append((low, min(high, 1.0), int(inside.sum()), float(right[inside].mean()) if inside.any() else None))
    rows.append((None, None, int((~digit).sum()), float(right[~digit].mean()) if (~digit).any() else None))
    rows.append((0.0, 1.0, len(labels), float(right.mean())))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model file (default: the shipped model)")
    args = parser.parse_args(argv)
    recognizer = Recognizer.load(args.model)
    _, _, (images, labels) = mnist_loader.load_data()
    rows = confidence_table(recognizer, preprocess_batch(images), labels)
    print(f"MNIST test set, {len(labels):,} images, model {args.model or 'shipped'}; the app says "
          f"'not a digit' when the strongest output is below {NONE_BELOW:.0%}, 'not sure' when it is below "
          f"{WEAK_BELOW:.0%} or the confidence below {UNSURE_BELOW:.0%}\n")
    print(f"{'confidence':>14}{'images':>10}{'share':>9}{'accuracy':>10}")
    for low, high, count, accuracy in rows[:-1]:
        shown = f"{100 * accuracy:9.2f}%" if accuracy is not None else f"{'-':>10}"
        band = f"{low:.0%}-{high:.0%}" if low is not None else "not a digit"
        print(f"{band:>14}{count:10,}{100 * count / len(labels):8.2f}%{shown}")
    print(f"{'all':>14}{len(labels):10,}{100:8.2f}%{100 * rows[-1][3]:9.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
