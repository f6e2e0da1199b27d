"""Depth: one, two and three hidden layers on MNIST, with sigmoid neurons (the book's chapter 5) and with ReLU.

    python examples/depth.py [--small] [--epochs 10] [--out FOLDER]

Chapter 5's experiment: ``network2.Network([784, 30, 10])``, then
``[784, 30, 30, 10]`` and ``[784, 30, 30, 30, 10]`` (cross-entropy, eta 0.1,
lmbda 5.0).  Extra sigmoid layers barely help, and the book shows why: the
gradient shrinks layer by layer on the way back (the vanishing gradient),
so the early layers learn slowest.  This script prints each hidden layer's
gradient size for the freshly made networks, then trains them, and the
same depths with ReLU neurons and a softmax output, which keep the
gradient alive.
"""

from __future__ import annotations

import sys

import numpy as np
from _common import accuracy_curve, mnist, parser, plot_curves, settle, table

from digitapp import network2

DEPTHS = (1, 2, 3)


def gradient_sizes(net, X: np.ndarray, labels: np.ndarray) -> list[float]:
    """||dC/db|| of each hidden layer, averaged over examples: chapter 5's "speed of learning" per layer."""
    Y = np.eye(10, dtype=net.dtype)[labels]
    nabla_b, _ = net.backprop_batch(X.astype(net.dtype), Y)
    return [float(np.linalg.norm(nb / len(X))) for nb in nabla_b[:-1]]


def main(argv=None) -> int:
    args = settle(parser(__doc__.splitlines()[0], epochs=10).parse_args(argv))
    training, test = mnist(args.small)
    width = 30
    print(f"{len(training[0])} training images, {len(test[0])} test images, {args.epochs} epochs, "
          f"hidden layers of {width}, mini-batch 10")
    kinds = {"sigmoid, cross-entropy": dict(activation="sigmoid", cost="cross-entropy"),
             "relu, softmax": dict(activation="relu", cost="log-likelihood")}
    print("\nthe gradient of each hidden layer's biases, before training (first layer first):")
    for kind, options in kinds.items():
        for depth in DEPTHS[1:]:
            net = network2.Network([784, *[width] * depth, 10], seed=args.seed, **options)
            sizes = gradient_sizes(net, training[0][:1000], training[1][:1000])
            print(f"  {kind:24} {depth} hidden: " + ", ".join(f"{s:.4f}" for s in sizes))
    curves = {}
    for kind, options in kinds.items():
        for depth in DEPTHS:
            net = network2.Network([784, *[width] * depth, 10], seed=args.seed, **options)
            curves[f"{kind}, {depth} hidden"] = accuracy_curve(net, training, test, args.epochs, 10, 0.1,
                                                               lmbda=5.0)
    table("test accuracy by depth", curves)
    plot_curves(curves, "Depth: 1, 2 and 3 hidden layers", args.out / "depth.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
