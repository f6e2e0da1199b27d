"""Build ``models/replay.npz``, the MNIST digits that personal learning replays: ``python -m harness.replay_set``.

When the user corrects an answer, :mod:`digitapp.learning` mixes the new
sample with MNIST training digits so the network keeps what it knew.  The
app must not need the MNIST download for that, so a compact replay set
ships with the package: a class-balanced random pick of the 50,000 training
digits (never validation or test), passed through the app's own
preprocessing, plus uniform-pen redrawn copies of another pick (the two
kinds of image the shipped model was trained on), stored as uint8 pixels.
Needs the real MNIST and the ``train`` extra (scikit-image for the pen copies).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "models" / "replay.npz"


def build(per_class_plain: int = 300, per_class_pen: int = 200, seed: int = 0, data_dir=None):
    """``(images uint8 (N, 784), labels uint8 (N,))``: preprocessed training digits, then pen-redrawn ones."""
    import mnist_loader
    from digitapp.augment import pen_redrawn
    from digitapp.preprocess import preprocess_batch

    (train_x, train_y), _, _ = mnist_loader.load_data(data_dir)
    rng = np.random.default_rng(seed)
    plain, pen = [], []
    for digit in range(10):
        chosen = rng.permutation(np.flatnonzero(train_y == digit))[:per_class_plain + per_class_pen]
        plain.append(chosen[:per_class_plain])
        pen.append(chosen[per_class_plain:])
    plain, pen = np.concatenate(plain), np.concatenate(pen)
    images = np.concatenate([preprocess_batch(train_x[plain], pixels=True),
                             pen_redrawn(preprocess_batch(train_x[pen], pixels=True), rng)])
    labels = np.concatenate([train_y[plain], train_y[pen]]).astype(np.uint8)
    return images, labels


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=300, help="preprocessed digits per class")
    parser.add_argument("--per-class-pen", type=int, default=200, help="pen-redrawn digits per class")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    images, labels = build(args.per_class, args.per_class_pen, args.seed)
    from digitapp.files import atomic_write

    with atomic_write(args.output) as out:
        np.savez_compressed(out, images=images, labels=labels,
                            source=np.array(f"MNIST training digits 0-49,999, seed {args.seed}: "
                                            f"{args.per_class} preprocessed + {args.per_class_pen} pen-redrawn "
                                            "per class (python -m harness.replay_set)"))
    print(f"{args.output}: {len(images)} digits, {args.output.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
