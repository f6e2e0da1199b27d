"""A feedforward sigmoid network trained by mini-batch SGD, as in Nielsen's book.

The names follow chapters 1-3 of *Neural Networks and Deep Learning*:
``feedforward``, ``SGD``, ``update_mini_batch``, ``backprop``, ``evaluate``,
``cost_derivative``, ``nabla_b``, ``nabla_w``, ``delta``, ``zs``, ``eta``,
``lmbda``.  ``backprop`` is the book's per-example algorithm, kept as the
reference; ``update_mini_batch`` computes the same sum for a whole
mini-batch at once with matrix products, which is many times faster.

Shapes: a single input is a (784, 1) column as in the book; a batch is an
(N, 784) array with one example per row.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy.special import expit  # a ufunc: never overflows and calls no BLAS


def sigmoid(z):
    """The logistic function, safe for any z (no overflow warnings)."""
    return expit(z)


def sigmoid_prime(z):
    """Derivative of the sigmoid."""
    s = expit(z)
    return s * (1 - s)


class QuadraticCost:
    """C = 0.5 ||a - y||^2 (chapter 1)."""

    name = "quadratic"

    @staticmethod
    def fn(a, y):
        return 0.5 * float(np.sum((a - y) ** 2))

    @staticmethod
    def derivative(a, y):
        return a - y

    @staticmethod
    def delta(z, a, y):
        """Output error; ``a * (1 - a)`` is sigmoid_prime(z), reused rather than recomputed."""
        return (a - y) * (a * (1 - a))


class CrossEntropyCost:
    """C = -[y ln a + (1 - y) ln(1 - a)] (chapter 3): no learning slowdown."""

    name = "cross-entropy"

    @staticmethod
    def fn(a, y):
        eps = np.finfo(np.asarray(a).dtype).eps if np.asarray(a).dtype.kind == "f" else 1e-12
        a = np.clip(a, eps, 1 - eps)
        return float(np.sum(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def derivative(a, y):
        return (a - y) / (a * (1 - a))

    @staticmethod
    def delta(z, a, y):
        return a - y


COSTS = {cost.name: cost for cost in (QuadraticCost, CrossEntropyCost)}
INITS = ("scaled", "normal")


class DivergenceError(ArithmeticError):
    """Training produced NaN or infinite weights."""


@dataclass
class EpochResult:
    """What SGD measured after one epoch."""

    epoch: int
    seconds: float
    eta: float
    training_cost: float | None = None
    training_accuracy: float | None = None
    evaluation_cost: float | None = None
    evaluation_accuracy: float | None = None


def as_arrays(data, n_out: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Turn the book's list of ``(x, y)`` pairs, or an ``(X, y)`` tuple, into ``(X (N, n_in), labels)``.

    Labels come back as ints when ``y`` was an int or a one-hot column, so
    both the training and the evaluation forms of the book are accepted.
    """
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
        X, y = data
        y = np.asarray(y)
        if y.ndim == 2:
            y = y.argmax(axis=1)
        return np.asarray(X), y.astype(np.int64)
    pairs = list(data)
    if not pairs:
        raise ValueError("no data: the training or evaluation set is empty")
    X = np.stack([np.asarray(x).reshape(-1) for x, _ in pairs])
    y = np.array([int(np.argmax(t)) if np.ndim(t) else int(t) for _, t in pairs])
    return X, y


def one_hot(labels: np.ndarray, n: int, dtype=np.float64) -> np.ndarray:
    """(N, n) rows with a 1 at each label."""
    Y = np.zeros((len(labels), n), dtype=dtype)
    Y[np.arange(len(labels)), labels] = 1
    return Y


class Network:
    """A fully connected sigmoid network, ``Network([784, 100, 10])``."""

    def __init__(self, sizes: Sequence[int], cost: str = "cross-entropy", init: str = "scaled",
                 seed: int | None = None, dtype=np.float64):
        """Random weights ~ N(0, 1/n_in) (``init="scaled"``) or N(0, 1) (``"normal"``, the book's ch. 1).

        Biases are N(0, 1).  ``seed`` makes the run reproducible; no global
        random state is touched.
        """
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {list(sizes)}")
        if cost not in COSTS:
            raise ValueError(f"unknown cost {cost!r}; choose one of {', '.join(COSTS)}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
        self.sizes = [int(s) for s in sizes]
        self.num_layers = len(self.sizes)
        self.cost = COSTS[cost]
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(seed)
        self.record: dict = {}  # how the network was trained, filled in by model_io
        self.biases = [self.rng.standard_normal((y, 1)).astype(self.dtype) for y in self.sizes[1:]]
        self.weights = [
            (self.rng.standard_normal((y, x)) / (math.sqrt(x) if init == "scaled" else 1.0)).astype(self.dtype)
            for x, y in zip(self.sizes[:-1], self.sizes[1:])
        ]

    def __repr__(self):
        return f"Network({self.sizes}, cost={self.cost.name!r}, dtype={self.dtype.name})"

    def astype(self, dtype) -> "Network":
        """The same network with its parameters in ``dtype`` (float32 trains faster)."""
        self.dtype = np.dtype(dtype)
        self.biases = [b.astype(self.dtype) for b in self.biases]
        self.weights = [w.astype(self.dtype) for w in self.weights]
        return self

    # ------------------------------------------------------------ forward

    def feedforward(self, a):
        """Output for ``a``: a (784, 1) column gives a (10, 1) column, an (N, 784) batch an (N, 10) batch.

        A flat (784,) vector is treated as one example and gives a flat (10,).
        Anything else is refused, never silently broadcast.
        """
        a = np.asarray(a)
        n_in = self.sizes[0]
        if a.ndim == 1 and a.shape[0] == n_in:
            return self.feedforward(a.reshape(n_in, 1)).reshape(-1)
        if a.ndim == 2 and a.shape == (n_in, 1):
            for b, w in zip(self.biases, self.weights):
                a = sigmoid(w @ a + b)
            return a
        if a.ndim == 2 and a.shape[1] == n_in:
            for b, w in zip(self.biases, self.weights):
                a = sigmoid(a @ w.T + b.T)
            return a
        raise ValueError(
            f"feedforward expects a ({n_in}, 1) column or an (N, {n_in}) batch, got shape {a.shape}"
        )

    # ------------------------------------------------------------ training

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float, lmbda: float = 0.0,
            evaluation_data=None, callback: Callable[[EpochResult], None] | None = None,
            monitor_training: bool = False, method: str = "matrix",
            eta_schedule: Callable[[int], float] | None = None,
            transform: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[EpochResult]:
        """Train by mini-batch stochastic gradient descent; return one EpochResult per epoch.

        ``training_data`` is the book's list of ``(x, y)`` pairs or an
        ``(images (N, 784), labels (N,))`` tuple, images as floats in [0, 1]
        or as uint8 pixels (compact: a quarter of the memory); it is never modified.
        ``eta_schedule(epoch)`` overrides ``eta`` per epoch.  ``transform(X, rng)``
        may return changed images for each epoch (data augmentation).
        ``method="per-example"`` runs the book's ``backprop`` loop instead of
        the matrix form.  ``progress(done, total)`` is called about 100 times an epoch.
        Raises DivergenceError when the weights stop being finite.
        """
        if method not in ("matrix", "per-example"):
            raise ValueError(f"unknown method {method!r}; choose 'matrix' or 'per-example'")
        X, labels = as_arrays(training_data)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"training images have {X.shape[1]} values, the network takes {self.sizes[0]}")
        # uint8 pixels (0-255) stay uint8, a quarter of float32's memory, and become floats per mini-batch.
        X = np.ascontiguousarray(X, dtype=np.uint8 if X.dtype == np.uint8 else self.dtype)
        Y = one_hot(labels, self.sizes[-1], self.dtype)
        evaluation = as_arrays(evaluation_data) if evaluation_data is not None else None
        n = len(X)

        def prepare_epoch():
            """The epoch's shuffled (and, with ``transform``, distorted) copy of the data."""
            order = self.rng.permutation(n)
            X_epoch = X[order]
            if transform is not None:
                X_epoch = np.ascontiguousarray(transform(X_epoch, self.rng), dtype=X.dtype)
            return X_epoch, Y[order]

        # Training accuracy and cost are measured on (at most) the first 10,000 examples: cheap and telling.
        monitored = (self._floats(X[:10_000]), labels[:10_000]) if monitor_training else None
        history = []
        # The next epoch is prepared on a second thread while this one trains: NumPy releases the
        # GIL inside its array loops, so on a 2-core machine shuffling and distorting cost little.
        with ThreadPoolExecutor(max_workers=1) as prefetch:
            upcoming = prefetch.submit(prepare_epoch)
            for j in range(epochs):
                start = time.perf_counter()
                X_epoch, Y_epoch = upcoming.result()
                if j + 1 < epochs:
                    upcoming = prefetch.submit(prepare_epoch)
                rate = float(eta_schedule(j)) if eta_schedule else float(eta)
                self._train_epoch(X_epoch, Y_epoch, mini_batch_size, rate, lmbda, method, progress)
                history.append(self._end_epoch(j, start, rate, lmbda, monitored, evaluation))
                if callback is not None:
                    callback(history[-1])
        return history

    def _train_epoch(self, X, Y, mini_batch_size, eta, lmbda, method, progress):
        n = len(X)
        update = self.update_mini_batch if method == "matrix" else self._update_mini_batch_per_example
        batches = range(0, n, mini_batch_size)
        every = max(1, len(batches) // 100)
        for i, k in enumerate(batches):
            update((self._floats(X[k:k + mini_batch_size]), Y[k:k + mini_batch_size]), eta, lmbda, n)
            if progress is not None and (i + 1) % every == 0:
                progress(i + 1, len(batches))

    def _floats(self, X):
        """Pixels as the network's floats in [0, 1]; float input passes through untouched."""
        return X * self.dtype.type(1 / 255) if X.dtype == np.uint8 else X

    def _end_epoch(self, j, start, eta, lmbda, training, evaluation) -> EpochResult:
        """Check for divergence and measure what the caller asked for."""
        if not all(np.isfinite(w).all() for w in self.weights):
            raise DivergenceError(
                f"training diverged in epoch {j + 1} (weights became NaN or infinite); try a smaller eta"
            )
        result = EpochResult(epoch=j + 1, seconds=time.perf_counter() - start, eta=eta)
        if training is not None:
            result.training_cost = self.total_cost(training, lmbda)
            result.training_accuracy = self.evaluate(training) / len(training[0])
        if evaluation is not None:
            result.evaluation_cost = self.total_cost(evaluation, lmbda)
            result.evaluation_accuracy = self.evaluate(evaluation) / len(evaluation[0])
        return result

    def update_mini_batch(self, mini_batch, eta: float, lmbda: float = 0.0, n: int = 1):
        """One gradient step on ``mini_batch``: the book's pairs, or an ``(X (m, 784), Y (m, 10))`` tuple.

        The step is the book's: w -> (1 - eta*lmbda/n) w - (eta/m) sum(nabla_w),
        b -> b - (eta/m) sum(nabla_b), the sums running over the examples.  Here
        the examples are the rows of X, so each layer's deltas for the whole
        mini-batch form one (m, n_l) array and ``delta.T @ a`` adds up the
        per-example outer products in a single matrix product.  Every delta is
        computed from the old weights before any weight changes.
        """
        X, Y = self._batch_arrays(mini_batch)
        decay = 1.0 - eta * lmbda / n
        activations = [X]  # (m, n_l) per layer
        for b, w in zip(self.biases, self.weights):
            z = activations[-1] @ w.T
            z += b.T
            activations.append(expit(z, out=z))
        # The costs' delta needs only a (a * (1 - a) is sigmoid_prime(z)); eta/m is folded in once.
        delta = self.cost.delta(None, activations[-1], Y)
        delta *= eta / len(X)
        for l in range(1, self.num_layers):
            w, b, a_in = self.weights[-l], self.biases[-l], activations[-l - 1]
            if l < self.num_layers - 1:
                delta_below = delta @ w  # uses w before this step changes it
                delta_below *= a_in * (1 - a_in)
            nabla_w = delta.T @ a_in
            if decay != 1.0:
                w *= decay
            w -= nabla_w
            b_row = b.T  # a (1, n_l) view, so the update lands in b
            b_row -= np.add.reduce(delta, axis=0)
            if l < self.num_layers - 1:
                delta = delta_below

    def _update_mini_batch_per_example(self, mini_batch, eta, lmbda=0.0, n=1):
        """The book's update: sum ``backprop`` over the examples one at a time."""
        X, Y = self._batch_arrays(mini_batch)
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        for x, y in zip(X, Y):
            delta_nabla_b, delta_nabla_w = self.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self._step(nabla_b, nabla_w, len(X), eta, lmbda, n)

    def _batch_arrays(self, mini_batch):
        if isinstance(mini_batch, tuple) and len(mini_batch) == 2 and isinstance(mini_batch[0], np.ndarray):
            return mini_batch
        X = np.stack([np.asarray(x, dtype=self.dtype).reshape(-1) for x, _ in mini_batch])
        Y = np.stack([np.asarray(y, dtype=self.dtype).reshape(-1) for _, y in mini_batch])
        return X, Y

    def _step(self, nabla_b, nabla_w, m, eta, lmbda, n):
        """w -> (1 - eta*lmbda/n) w - (eta/m) nabla_w;  b -> b - (eta/m) nabla_b, in place."""
        decay = 1.0 - eta * lmbda / n
        for w, nw in zip(self.weights, nabla_w):
            if decay != 1.0:
                w *= decay
            w -= (eta / m) * nw
        for b, nb in zip(self.biases, nabla_b):
            b -= (eta / m) * nb

    def backprop(self, x, y):
        """Gradient of the cost for one example: ``(nabla_b, nabla_w)``, layer by layer.

        ``x`` is a (784, 1) column and ``y`` a (10, 1) column, as in the book.
        """
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # feedforward
        activation = x
        activations = [x]  # all the activations, layer by layer
        zs = []  # all the z vectors, layer by layer
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations, y):
        """dC/da for the network's cost."""
        return self.cost.derivative(output_activations, y)

    # ------------------------------------------------------------ evaluation

    def predict(self, X, batch: int = 10_000) -> np.ndarray:
        """The digit the network picks for each row of ``X`` (N, 784)."""
        X = np.asarray(X)
        return np.concatenate([self.feedforward(X[i:i + batch]).argmax(axis=1)
                               for i in range(0, len(X), batch)]) if len(X) else np.zeros(0, int)

    def evaluate(self, test_data) -> int:
        """How many examples of ``test_data`` (pairs or an ``(X, labels)`` tuple) come out right."""
        X, labels = as_arrays(test_data)
        return int(np.sum(self.predict(X) == labels))

    def total_cost(self, data, lmbda: float = 0.0) -> float:
        """Mean cost over ``data`` plus the L2 term, as in chapter 3."""
        X, labels = as_arrays(data)
        A = self.feedforward(np.asarray(X, dtype=self.dtype))
        cost = self.cost.fn(A, one_hot(labels, self.sizes[-1], A.dtype)) / len(X)
        cost += 0.5 * (lmbda / len(X)) * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in self.weights)
        return cost
