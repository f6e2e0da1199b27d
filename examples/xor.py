"""XOR: the problem one layer of neurons cannot solve and one hidden layer can, with its decision boundary.

    python examples/xor.py [--small] [--out FOLDER]

Four points, one output: ``Network([2, 4, 1], cost="cross-entropy")``
takes 0/1 targets and ``evaluate`` counts an output >= 0.5 as 1.  A network
without a hidden layer (``[2, 1]``) draws one straight line and gets at
most 3 of 4 right; the hidden layer bends the boundary around the points.
"""

from __future__ import annotations

import sys

import numpy as np
from _common import parser, plot_boundaries, settle

from digitapp import network

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0], dtype=float)


def main(argv=None) -> int:
    args = settle(parser(__doc__.splitlines()[0], epochs=2000).parse_args(argv))
    epochs = 300 if args.small else args.epochs  # four points: an epoch is one step
    nets = {"[2, 1]: no hidden layer": network.Network([2, 1], cost="cross-entropy", seed=args.seed),
            "[2, 4, 1], tanh": network.Network([2, 4, 1], cost="cross-entropy", activation="tanh", seed=args.seed),
            "[2, 4, 1], sigmoid": network.Network([2, 4, 1], cost="cross-entropy", seed=args.seed)}
    print(f"XOR, {epochs} steps of Adam (eta 0.05) on all four points\n")
    print(f"{'network':26}{'outputs for (0,0) (0,1) (1,0) (1,1)':>40}{'right':>8}")
    for label, net in nets.items():
        net.SGD((X, y), epochs, 4, 0.05, optimizer="adam", verbose=False)
        outputs = net.feedforward(X).ravel()
        print(f"{label:26}{'  '.join(f'{o:6.3f}' for o in outputs):>40}{net.evaluate((X, y)):>6} / 4")
    titles = {label: f"{label}: {net.evaluate((X, y))}/4" for label, net in nets.items()}
    plot_boundaries(titles, nets, X, y, args.out / "xor.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
