"""Momentum and Adam against plain SGD on MNIST: the same network, three ways of turning a gradient into a step.

    python examples/optimizers.py [--small] [--epochs 10] [--out FOLDER]

``net.SGD(..., optimizer="sgd" | "momentum" | "adam")`` on
``Network([784, 100, 10], activation="relu", cost="log-likelihood")``.
Each optimizer has its own learning rate, as in the tutorials: SGD 0.1,
momentum 0.02 (with mu 0.9 its steps build up to about 10x that), Adam
0.001 (its steps are about eta per weight, whatever the gradient's size).
Prints and plots the test accuracy and the training cost after each epoch.
"""

from __future__ import annotations

import sys

import numpy as np
from _common import mnist, parser, plot_curves, settle, table

from digitapp import network
from digitapp.optimizers import Adam, Momentum

RUNS = {"sgd, eta 0.1": ("sgd", 0.1), "momentum 0.9, eta 0.02": (Momentum(mu=0.9), 0.02),
        "adam, eta 0.001": (Adam(), 0.001)}


def main(argv=None) -> int:
    args = settle(parser(__doc__.splitlines()[0], epochs=10).parse_args(argv))
    training, test = mnist(args.small)
    print(f"{len(training[0])} training images, {len(test[0])} test images, {args.epochs} epochs, "
          "Network([784, 100, 10]), relu, softmax + log-likelihood, mini-batch 10")
    accuracy, cost = {}, {}
    for label, (optimizer, eta) in RUNS.items():
        net = network.Network([784, 100, 10], cost="log-likelihood", activation="relu", seed=args.seed,
                              dtype=np.float32)
        _, correct, training_cost, _ = net.SGD(training, args.epochs, 10, eta, evaluation_data=test,
                                               monitor_evaluation_accuracy=True, monitor_training_cost=True,
                                               optimizer=optimizer, verbose=False)
        accuracy[label] = [100 * n / len(test[0]) for n in correct]
        cost[label] = training_cost
    table("test accuracy by optimizer", accuracy)
    table("training cost by optimizer", cost, unit=" ")
    plot_curves(accuracy, "Optimizers: test accuracy", args.out / "optimizers_accuracy.png")
    plot_curves(cost, "Optimizers: training cost", args.out / "optimizers_cost.png", ylabel="training cost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
