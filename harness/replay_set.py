"""Build ``models/replay.npz``, what personal learning replays: ``python -m harness.replay_set``.

When the user corrects an answer, :mod:`digitapp.learning` mixes the new
sample with drawings like those the shipped model was trained on, so the
network keeps what it knew.  The app must not need the MNIST download for
that, so a compact replay set ships with the package: a class-balanced
random pick of the 50,000 MNIST training digits (never validation or test),
passed through the app's own preprocessing, plus uniform-pen redrawn copies
of another pick (the two kinds of MNIST image the shipped model was trained
on); then, as in the training mix, drawings of the hand-authored templates
(:mod:`digitapp.styled`): styled digits, and non-digits (templates,
scribbles, stray lines) and MNIST digits turned a quarter, both labelled
NO_DIGIT (-1: every output's target 0), so learning a correction never
wears away "not a digit".  Stored as uint8 pixels and int8 labels.
Needs the real MNIST and the ``train`` extra (scikit-image for the pen copies).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "models" / "replay.npz"
#: The shipped set's make-up (build's defaults and the command's): MNIST digits per class, preprocessed and
#: pen-redrawn; styled digits, non-digits and turned digits in all.
PLAIN, PEN, STYLED, NON_DIGITS, TURNED = 1200, 800, 600, 900, 200


def build(per_class_plain: int = PLAIN, per_class_pen: int = PEN, styled: int = STYLED, non_digits: int = NON_DIGITS,
          turned: int = TURNED, seed: int = 0, data_dir=None, leave_out: tuple[str, ...] = ()):
    """``(images uint8 (N, 784), labels int8 (N,))``: preprocessed training digits, pen-redrawn ones, styled
    digits, then non-digits and turned digits (label -1).  ``leave_out`` names template styles the styled
    digits are drawn without (the leave-one-style-out bench: a fold's learner must not replay them)."""
    import mnist_loader
    from digitapp.augment import pen_redrawn
    from digitapp.preprocess import preprocess_batch
    from digitapp.styled import NONE, non_digits as draw_non_digits, styled_digits, turned_digits

    (train_x, train_y), _, _ = mnist_loader.load_data(data_dir)
    rng = np.random.default_rng(seed)
    plain, pen = [], []
    for digit in range(10):
        chosen = rng.permutation(np.flatnonzero(train_y == digit))[:per_class_plain + per_class_pen]
        plain.append(chosen[:per_class_plain])
        pen.append(chosen[per_class_plain:])
    plain, pen = np.concatenate(plain), np.concatenate(pen)
    preprocessed = preprocess_batch(train_x[plain], pixels=True)
    styled_x, styled_y = styled_digits(styled, np.random.default_rng([seed, 2]), leave_out=leave_out)
    images = np.concatenate([preprocessed, pen_redrawn(preprocess_batch(train_x[pen], pixels=True), rng), styled_x,
                             draw_non_digits(non_digits, np.random.default_rng([seed, 3])),
                             turned_digits(preprocessed, train_y[plain], turned, np.random.default_rng([seed, 4]))])
    labels = np.concatenate([train_y[plain], train_y[pen], styled_y, np.full(non_digits + turned, NONE)])
    return images, labels.astype(np.int8)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=PLAIN, help="preprocessed digits per class")
    parser.add_argument("--per-class-pen", type=int, default=PEN, help="pen-redrawn digits per class")
    parser.add_argument("--styled", type=int, default=STYLED, help="styled digits drawn from the templates")
    parser.add_argument("--non-digits", type=int, default=NON_DIGITS, help="non-digits drawn from the templates")
    parser.add_argument("--turned", type=int, default=TURNED, help="MNIST digits turned a quarter (non-digits)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    images, labels = build(args.per_class, args.per_class_pen, args.styled, args.non_digits, args.turned, args.seed)
    from digitapp.files import atomic_write

    with atomic_write(args.output) as out:
        np.savez_compressed(out, images=images, labels=labels,
                            source=np.array(f"MNIST training digits 0-49,999, seed {args.seed}: "
                                            f"{args.per_class} preprocessed + {args.per_class_pen} pen-redrawn "
                                            f"per class; {args.styled} styled digits, {args.non_digits} non-digits "
                                            f"from the templates and {args.turned} turned digits (label -1) "
                                            "(python -m harness.replay_set)"))
    print(f"{args.output}: {len(images)} drawings ({(labels < 0).sum()} not digits), "
          f"{args.output.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
