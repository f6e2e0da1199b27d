"""Two circles, one inside the other: a deep sigmoid network crawls where a ReLU network learns the boundary.

    python examples/circles.py [--small] [--epochs 150] [--out FOLDER]

The data is made with NumPy (as scikit-learn's ``make_circles``, factor
0.8): points on an inner circle (label 1) and an outer one (label 0), with
noise, split 80/20 into training and test.  The tutorial's network has
three hidden layers; with sigmoid neurons and plain SGD it is still near a
coin toss after 50 epochs (the vanishing gradient of chapter 5), with ReLU
it draws the circle, and Adam's per-weight step sizes rescue the sigmoid.
"""

from __future__ import annotations

import sys

import numpy as np
from _common import parser, plot_boundaries, settle

from digitapp import network


def make_circles(n: int, noise: float = 0.05, factor: float = 0.8, seed: int = 0):
    """``(X (n, 2), y (n,))``: half the points on a circle of radius ``factor`` (y = 1), half on radius 1."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(np.arange(n) % 2 == 0, factor, 1.0)
    X = np.column_stack([radius * np.cos(angles), radius * np.sin(angles)]) + rng.normal(0, noise, (n, 2))
    return X, (radius == factor).astype(float)


RUNS = {"sigmoid, SGD": dict(activation="sigmoid", optimizer="sgd", eta=0.1),
        "relu, SGD": dict(activation="relu", optimizer="sgd", eta=0.05),
        "sigmoid, Adam": dict(activation="sigmoid", optimizer="adam", eta=0.01),
        "relu, Adam": dict(activation="relu", optimizer="adam", eta=0.01)}


def main(argv=None) -> int:
    args = settle(parser(__doc__.splitlines()[0], epochs=150).parse_args(argv))
    epochs = 50 if args.small else args.epochs
    X, y = make_circles(400 if args.small else 1000, seed=args.seed)
    split = len(X) * 4 // 5
    training, test = (X[:split], y[:split]), (X[split:], y[split:])
    print(f"circles: {split} training and {len(X) - split} test points, Network([2, 8, 8, 8, 1]), "
          f"cross-entropy, mini-batch 10, {epochs} epochs\n")
    print(f"{'run':16}{'training':>10}{'test':>10}")
    nets = {}
    for label, run in RUNS.items():
        net = network.Network([2, 8, 8, 8, 1], cost="cross-entropy", activation=run["activation"], seed=args.seed)
        net.SGD(training, epochs, 10, run["eta"], optimizer=run["optimizer"], verbose=False)
        nets[label] = net
        print(f"{label:16}{100 * net.evaluate(training) / split:9.2f}%{100 * net.evaluate(test) / len(test[0]):9.2f}%")
    titles = {label: f"{label}: test {100 * net.evaluate(test) / len(test[0]):.0f}%" for label, net in nets.items()}
    plot_boundaries(titles, nets, X, y, args.out / "circles.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
