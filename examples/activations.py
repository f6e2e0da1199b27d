"""Activation functions compared on MNIST: sigmoid, tanh, ReLU, leaky ReLU, ELU and swish.

    python examples/activations.py [--small] [--epochs 10] [--out FOLDER]

The same network, ``Network([784, 100, 100, 10], activation=...)`` with a
softmax output and the log-likelihood cost, trained the same way (plain
SGD, eta 0.1, mini-batch 10) for each activation; each starts from the
weights that suit it (He's for the ReLU family).  Also draws every
activation and its derivative: the sigmoid's slope is at most 0.25 and
vanishes for large |z|, ReLU's is 1 wherever the neuron is on.
"""

from __future__ import annotations

import sys

import numpy as np
from _common import accuracy_curve, mnist, parser, plot_curves, pyplot, save, settle, table

from digitapp import network


def plot_functions(path) -> None:
    """Each activation and its derivative over z in [-4, 4]."""
    plt = pyplot()
    z = np.linspace(-4, 4, 401)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, activation in network.ACTIVATIONS.items():
        left.plot(z, activation.fn(z), label=name)
        right.plot(z, activation.prime(z), label=name)
    left.set(title="activation f(z)", xlabel="z")
    right.set(title="derivative f'(z)", xlabel="z")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    left.legend(fontsize="small")
    save(fig, path)


def main(argv=None) -> int:
    args = settle(parser(__doc__.splitlines()[0], epochs=10).parse_args(argv))
    plot_functions(args.out / "activation_functions.png")
    training, test = mnist(args.small)
    print(f"{len(training[0])} training images, {len(test[0])} test images, {args.epochs} epochs, "
          "Network([784, 100, 100, 10]), softmax + log-likelihood, SGD eta 0.1, mini-batch 10")
    curves = {}
    for name in network.ACTIVATIONS:
        net = network.Network([784, 100, 100, 10], cost="log-likelihood", activation=name, seed=args.seed,
                              dtype=np.float32)
        curves[name] = accuracy_curve(net, training, test, args.epochs, 10, 0.1)
    table("test accuracy by activation", curves)
    plot_curves(curves, "Activations: the same network, the same training", args.out / "activations.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
