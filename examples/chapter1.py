"""Chapter 1 of Nielsen's book: the network of sigmoid neurons, and the exercises on its size and learning rate.

    python examples/chapter1.py [--small] [--epochs 30] [--out FOLDER]

``network.Network([784, 30, 10])`` is the book's (quadratic cost, N(0, 1)
weights, sigmoid neurons), trained by ``SGD(training_data, 30, 10, 3.0)``.
Then the exercises: 100 hidden neurons instead of 30, and the learning
rate from 0.1 to 30, where the book's lesson is that 0.1 learns far too
slowly and a rate around 3 is right (the quadratic cost's sigmoid outputs
learn slowly when saturated, so a small eta crawls).
"""

from __future__ import annotations

import sys

from _common import accuracy_curve, mnist, parser, plot_curves, settle, table

from digitapp import network

ETAS = (0.1, 1.0, 3.0, 10.0, 30.0)


def main(argv=None) -> int:
    args = settle(parser(__doc__.splitlines()[0], epochs=30).parse_args(argv))
    training, test = mnist(args.small)
    print(f"{len(training[0])} training images, {len(test[0])} test images, {args.epochs} epochs, mini-batch 10")

    sizes = {}
    for hidden in (30, 100):
        net = network.Network([784, hidden, 10], seed=args.seed)
        sizes[f"[784, {hidden}, 10], eta 3.0"] = accuracy_curve(net, training, test, args.epochs, 10, 3.0)
    table("the book's network, and 100 hidden neurons (test accuracy)", sizes)
    plot_curves(sizes, "Chapter 1: 30 or 100 hidden neurons", args.out / "chapter1_hidden.png")

    rates = {}
    for eta in ETAS:
        net = network.Network([784, 30, 10], seed=args.seed)
        rates[f"eta {eta:g}"] = accuracy_curve(net, training, test, args.epochs, 10, eta)
    table("the learning rate, [784, 30, 10] (test accuracy)", rates)
    plot_curves(rates, "Chapter 1: the learning rate", args.out / "chapter1_eta.png")
    best = max(rates, key=lambda k: rates[k][-1])
    print(f"\nbest after {args.epochs} epochs: {best} ({rates[best][-1]:.2f}%); "
          f"eta 0.1: {rates['eta 0.1'][-1]:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
