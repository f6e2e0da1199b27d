"""Epoch time of each activation, cost and optimizer against the app's sigmoid + SGD, on the real MNIST.

Run from the repository root:  python -m bench.networks   (about a minute; --repeats for steadier figures)

One epoch is 50,000 MNIST images in mini-batches of 10, float32, one BLAS
thread (the setting `digitapp train` and `Network.SGD` use), through
``Network.update_mini_batch`` on a pre-shuffled copy of the data as the
trainer feeds it.  The configurations run in turn, ``--repeats`` times
each, interleaved so a busy machine slows them alike; the table gives
each one's fastest epoch and its ratio to sigmoid + cross-entropy + SGD,
and the matrix products of an epoch alone (the GEMM floor, timed between
them).  Below the table, issue 19's three targets as ratios from this one
run: sigmoid + SGD within 1.4x of the floor, Adam within 1.3x of SGD's
epoch, ReLU + softmax within 1.1x of sigmoid's.  When Numba is installed
(it is not a dependency of digitapp) a row shows Adam's step as one
compiled pass, for comparison with NumPy's one pass per operation.

``--flat`` compares momentum and Adam stepping on each weight and bias
array (as before the parameters were one flat array) with the same on one
flat array, interleaved with plain SGD in one process.

``--passes`` times each of Adam's in-place NumPy passes alone on arrays of
the network's parameter count (what its step costs, pass by pass, against
one SGD step of the same network).

``--accuracy`` instead trains each activation x optimizer x depth for a fixed
budget (``--epochs``, default 2, of the 50,000 training images; softmax
outputs with the log-likelihood cost; eta 0.1 for SGD, 0.02 with momentum
0.9, 0.001 for Adam) and prints the accuracy on the 10,000 test images, so a
learner sees what each choice does.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import mnist_loader
from bench.speed import matmul_seconds
from digitapp.blas import blas_description, fast_blas
from digitapp.network import Network
from digitapp.optimizers import Adam, make_optimizer

#: (label, activation, cost, optimizer); the first is the app's and the yardstick.
CONFIGURATIONS = [
    ("sigmoid, cross-entropy, sgd", "sigmoid", "cross-entropy", "sgd"),
    ("sigmoid, cross-entropy, momentum", "sigmoid", "cross-entropy", "momentum"),
    ("sigmoid, cross-entropy, adam", "sigmoid", "cross-entropy", "adam"),
    ("relu, log-likelihood, sgd", "relu", "log-likelihood", "sgd"),
    ("relu, log-likelihood, adam", "relu", "log-likelihood", "adam"),
    ("tanh, log-likelihood, sgd", "tanh", "log-likelihood", "sgd"),
]


FLOOR = "matrix products alone (GEMM floor)"
FUSED = "sigmoid, cross-entropy, adam as one pass"
#: (what, (numerator, denominator), limit): issue 19's speed targets.
TARGETS = [("sigmoid + SGD epoch / GEMM floor", (CONFIGURATIONS[0][0], FLOOR), 1.4),
           ("Adam epoch / SGD epoch", (CONFIGURATIONS[2][0], CONFIGURATIONS[0][0]), 1.3),
           ("ReLU + softmax epoch / sigmoid epoch (SGD)", (CONFIGURATIONS[3][0], CONFIGURATIONS[0][0]), 1.1)]


def fused_adam() -> Adam | None:
    """Adam whose flat step is one loop compiled by Numba (the same arithmetic), or None without Numba.

    For comparison only: it shows what NumPy's one pass per operation costs
    against one pass for the whole step.
    """
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(error_model="numpy")
    def step(P, G, M, V, beta1, beta2, scale, epsilon, decay, decayed):
        for i in range(decayed):
            G[i] += decay * P[i]
        for i in range(P.size):
            M[i] = beta1 * M[i] + G[i]
            V[i] = beta2 * V[i] + G[i] * G[i]
            P[i] -= scale * M[i] / (np.sqrt(V[i]) + epsilon)

    class FusedAdam(Adam):
        def update_flat(self, P, G, eta, decay, decayed):
            self.t += 1
            scale, epsilon = self._scalars()
            one = P.dtype.type
            step(P, G, self.buffer("M", P), self.buffer("V", P), one(self.beta1), one(self.beta2),
                 one(eta * scale), one(epsilon), one(decay), decayed)

    tiny, one = np.zeros(2, np.float32), np.float32(1e-8)
    step(tiny, tiny.copy(), tiny.copy(), tiny.copy(), one, one, one, one, one, 1)  # compiled here, not timed
    return FusedAdam()


def epoch_seconds(network: Network, optimizer, X: np.ndarray, Y: np.ndarray, batch: int, eta: float) -> float:
    """Seconds for one epoch of ``update_mini_batch`` over a fresh shuffle of (X, Y)."""
    order = network.rng.permutation(len(X))
    X_epoch, Y_epoch = X[order], Y[order]
    start = time.perf_counter()
    for k in range(0, len(X), batch):
        network.update_mini_batch((X_epoch[k:k + batch], Y_epoch[k:k + batch]), eta, 1.0, len(X), optimizer)
    return time.perf_counter() - start


#: A learning rate per optimizer that suits each of the activations here (not tuned per cell).
ETAS = {"sgd": 0.1, "momentum": 0.02, "adam": 0.001}


def accuracy_table(X, labels, test, epochs: int, width: int) -> None:
    """Test accuracy after ``epochs`` epochs for each activation x optimizer x depth."""
    activations, optimizers, depths = ("sigmoid", "tanh", "relu"), ("sgd", "momentum", "adam"), (1, 2, 3)
    print(f"test accuracy (%) after {epochs} epochs of 50,000 images, batch 10, softmax + log-likelihood, "
          f"hidden layers of {width}; eta {', '.join(f'{o} {e}' for o, e in ETAS.items())}\n")
    print(f"{'activation':12}{'optimizer':10}" + "".join(f"{f'{d} hidden':>10}" for d in depths))
    for activation in activations:
        for optimizer in optimizers:
            cells = []
            for depth in depths:
                network = Network([784, *[width] * depth, 10], cost="log-likelihood", activation=activation,
                                  seed=0, dtype=np.float32, weight_initializer=None if activation != "sigmoid" else "default")
                network.SGD((X, labels), epochs, 10, ETAS[optimizer], optimizer=optimizer, verbose=False)
                cells.append(100 * network.evaluate(test) / len(test[0]))
            print(f"{activation:12}{optimizer:10}" + "".join(f"{c:10.2f}" for c in cells), flush=True)


class PerArray:
    """An optimizer seen without ``update_flat``: the network hands it one gradient per weight and bias array
    (the step before the parameters were one flat array), for comparing the two."""

    def __init__(self, inner):
        self.inner = inner

    def update_params(self, *args):
        self.inner.update_params(*args)


def optimizer_paths(X: np.ndarray, Y: np.ndarray, sizes: list[int], batch: int, repeats: int) -> None:
    """Momentum and Adam per array against the same on one flat array, interleaved with SGD in one process."""
    def fresh():
        return Network(sizes, cost="cross-entropy", seed=0, dtype=np.float32, weight_initializer="default")

    runs = {"sgd": (fresh(), None, 0.1),
            "momentum, per array": (fresh(), PerArray(make_optimizer("momentum")), 0.02),
            "momentum, flat": (fresh(), make_optimizer("momentum"), 0.02),
            "adam, per array": (fresh(), PerArray(make_optimizer("adam")), 0.001),
            "adam, flat": (fresh(), make_optimizer("adam"), 0.001)}
    seconds = {label: [] for label in runs}
    with fast_blas():
        for _ in range(repeats):
            for label, (network, optimizer, eta) in runs.items():
                seconds[label].append(epoch_seconds(network, optimizer, X, Y, batch, eta))
    base = min(seconds["sgd"])
    print(f"Network({sizes}), {len(X):,} images per epoch, batch {batch}, float32, fastest of {repeats}\n")
    print(f"{'optimizer, step':24}{'s/epoch':>10}{'ratio':>8}")
    for label, values in seconds.items():
        print(f"{label:24}{min(values):10.3f}{min(values) / base:7.2f}x")


def adam_passes(X: np.ndarray, Y: np.ndarray, sizes: list[int], batch: int) -> None:
    """Each pass of Adam's flat step timed alone (fastest of 5 runs of 2,000), against one SGD mini-batch step."""
    import timeit

    network = Network(sizes, cost="cross-entropy", seed=0, dtype=np.float32, weight_initializer="default")
    P = network.flat_parameters()
    rng = np.random.default_rng(0)
    G, M = (rng.standard_normal(P.size) * 1e-3).astype(np.float32), np.zeros_like(P)
    V, T = np.abs(rng.standard_normal(P.size)).astype(np.float32) * 1e-6, np.empty_like(P)
    s = np.float32(1.0)  # the values stay as they are however often a pass is repeated
    passes = [("M *= beta1", lambda: np.multiply(M, s, out=M)), ("M += g", lambda: np.add(M, G, out=M)),
              ("g^2", lambda: np.square(G, out=T)), ("V *= beta2", lambda: np.multiply(V, s, out=V)),
              ("V += g^2", lambda: np.add(V, T, out=V)), ("sqrt(V)", lambda: np.sqrt(V, out=T)),
              ("+ epsilon", lambda: np.add(T, s, out=T)), ("M / (...)", lambda: np.divide(M, T, out=T)),
              ("* eta_t", lambda: np.multiply(T, s, out=T)), ("P -= step", lambda: np.subtract(P, T, out=T)),
              ("L2: decay * w", lambda: np.multiply(P, s, out=T)), ("L2: g += it", lambda: np.add(G, T, out=G))]
    with fast_blas():
        step = min(timeit.repeat(lambda: [network.update_mini_batch((X[k:k + batch], Y[k:k + batch]), 0.1, 1.0,
                                                                    len(X)) for k in range(0, 2000 * batch, batch)],
                                 number=1, repeat=5)) / 2000 * 1e6
        print(f"Network({sizes}): {P.size:,} float32 parameters; one SGD step (batch {batch}) {step:.1f} us\n")
        print(f"{'Adam pass (alone)':20}{'us':>8}{'of an SGD step':>16}")
        total = 0.0
        for name, run in passes:
            us = min(timeit.repeat(run, number=2000, repeat=5)) / 2000 * 1e6
            total += us
            print(f"{name:20}{us:8.1f}{us / step:15.2f}x")
        print(f"{'all twelve':20}{total:8.1f}{total / step:15.2f}x")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="epochs per configuration (default 3)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[100], help="hidden layer sizes (default 100)")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--accuracy", action="store_true", help="the accuracy table instead of the timings")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per network for --accuracy (default 2)")
    parser.add_argument("--passes", action="store_true", help="each of Adam's NumPy passes timed alone")
    parser.add_argument("--flat", action="store_true",
                        help="momentum and Adam stepping per array against one flat array (on 20,000 images)")
    args = parser.parse_args(argv)

    (X, labels), _, test = mnist_loader.load_data()
    if args.accuracy:
        accuracy_table(X, labels, test, args.epochs, args.hidden[0])
        return 0
    Y = np.eye(10, dtype=np.float32)[labels]
    sizes = [784, *args.hidden, 10]
    if args.passes:
        adam_passes(X, Y, sizes, args.batch)
        return 0
    if args.flat:
        optimizer_paths(X[:20_000], Y[:20_000], sizes, args.batch, args.repeats)
        return 0
    fused = fused_adam()
    with fast_blas():
        print(f"BLAS while timing: {blas_description()}")
        print(f"Network({sizes}), 50,000 MNIST images per epoch, batch {args.batch}, float32, "
              f"fastest of {args.repeats} epochs\n")
        runs = {label: (Network(sizes, cost=cost, activation=activation, seed=0, dtype=np.float32,
                                weight_initializer=None if activation != "sigmoid" else "default"),
                        make_optimizer(optimizer), 0.01 if optimizer == "adam" else 0.1)
                for label, activation, cost, optimizer in CONFIGURATIONS}
        if fused is not None:
            runs[FUSED] = (Network(sizes, cost="cross-entropy", seed=0, dtype=np.float32,
                                   weight_initializer="default"), fused, 0.01)
        seconds = {label: [] for label in [*runs, FLOOR]}
        for _ in range(args.repeats):
            for label, (network, optimizer, eta) in runs.items():
                seconds[label].append(epoch_seconds(network, optimizer, X, Y, args.batch, eta))
            seconds[FLOOR].append(matmul_seconds(X, args.batch, np.float32, sizes))
    fastest = {label: min(values) for label, values in seconds.items()}
    base = fastest[CONFIGURATIONS[0][0]]
    print(f"{'activation, cost, optimizer':42}{'s/epoch':>10}{'ratio':>8}")
    for label, value in fastest.items():
        print(f"{label:42}{value:10.3f}{value / base:7.2f}x")
    if fused is None:
        print(f"(Numba is not installed: the row {FUSED!r} is left out; pip install numba to include it)")
    print(f"\nissue 19's targets, ratios of the fastest epochs above:")
    for name, (top, bottom), limit in TARGETS:
        ratio = fastest[top] / fastest[bottom]
        print(f"  {name:44}{ratio:6.2f}x  (target {limit}x: {'met' if ratio <= limit else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
