"""A feedforward sigmoid network trained by mini-batch SGD: Nielsen's ``network.py`` and ``network2.py``.

The book's names and calls, chapter 1's ``SGD(..., test_data=...)`` and
chapter 3's costs, ``lmbda``, monitor flags and four returned lists among
them.  Stricter than the book where it is loose: the random state is the
network's own (``seed``), inputs of the wrong shape are refused rather
than broadcast, and ``update_mini_batch`` takes a whole mini-batch in one
matrix product per layer.  One input is a (784, 1) column as in the book; a
batch is an (m, 784) array with one example per row.
"""

from __future__ import annotations

from typing import Sequence

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
        """dC/da."""
        return a - y

    @staticmethod
    def delta(z, a, y):
        """The output layer's error (BP1)."""
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    """C = -[y ln a + (1 - y) ln(1 - a)] (chapter 3): no learning slowdown."""

    name = "cross-entropy"

    @staticmethod
    def fn(a, y):
        eps = np.finfo(a.dtype).eps  # keeps ln(a) and ln(1 - a) finite
        a = np.clip(a, eps, 1 - eps)
        return float(np.sum(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def derivative(a, y):
        """dC/da."""
        return (a - y) / (a * (1 - a))

    @staticmethod
    def delta(z, a, y):
        """The output layer's error: sigma'(z) cancels."""
        return a - y


#: The costs by the name a model file stores.
COSTS = {cost.name: cost for cost in (QuadraticCost, CrossEntropyCost)}


class Network:
    """A fully connected sigmoid network, ``Network([784, 100, 10])``."""

    def __init__(self, sizes: Sequence[int], cost=CrossEntropyCost, seed: int | None = None,
                 dtype=np.float64):
        """Weights N(0, 1/n_in) and biases N(0, 1) (chapter 3's default initializer).

        ``cost`` is a cost class or its name; ``seed`` makes the run
        reproducible without touching NumPy's global random state.
        """
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {list(sizes)}")
        cost = COSTS.get(cost, cost) if isinstance(cost, str) else cost
        if cost not in COSTS.values():
            raise ValueError(f"unknown cost {cost!r}; choose one of {', '.join(COSTS)}")
        self.sizes = [int(s) for s in sizes]
        self.num_layers = len(self.sizes)
        self.cost = cost
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(seed)
        self.default_weight_initializer()

    def __repr__(self):
        return f"Network({self.sizes}, cost={self.cost.__name__}, dtype={self.dtype.name})"

    def default_weight_initializer(self):
        """Weights N(0, 1/n_in), so hidden neurons do not start saturated (chapter 3)."""
        self.biases = [self.rng.standard_normal((y, 1)).astype(self.dtype) for y in self.sizes[1:]]
        self.weights = [(self.rng.standard_normal((y, x)) / np.sqrt(x)).astype(self.dtype)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def large_weight_initializer(self):
        """Weights and biases N(0, 1), as in chapter 1."""
        self.biases = [self.rng.standard_normal((y, 1)).astype(self.dtype) for y in self.sizes[1:]]
        self.weights = [self.rng.standard_normal((y, x)).astype(self.dtype)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def feedforward(self, a):
        """Output for ``a``: a (784, 1) column gives a (10, 1) column, an (m, 784) batch an (m, 10) batch."""
        a = np.asarray(a)
        if a.ndim == 2 and a.shape == (self.sizes[0], 1):
            for b, w in zip(self.biases, self.weights):
                a = sigmoid(np.dot(w, a) + b)
            return a
        if a.ndim == 2 and a.shape[1] == self.sizes[0]:
            for b, w in zip(self.biases, self.weights):
                a = sigmoid(np.dot(a, w.T) + b.T)
            return a
        raise ValueError(f"feedforward expects a ({self.sizes[0]}, 1) column or an (m, {self.sizes[0]}) "
                         f"batch, got shape {a.shape}")

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float, lmbda: float = 0.0,
            evaluation_data=None, monitor_evaluation_cost: bool = False,
            monitor_evaluation_accuracy: bool = False, monitor_training_cost: bool = False,
            monitor_training_accuracy: bool = False, test_data=None):
        """Train by mini-batch stochastic gradient descent, printing progress as the book does.

        ``training_data`` is a list of ``(x, y)`` pairs (x a (784, 1) column,
        y a (10, 1) one-hot column) or an ``(X (N, 784), labels (N,))`` tuple;
        ``evaluation_data`` and ``test_data`` the same with int labels.
        Returns chapter 3's four per-epoch lists: evaluation cost, evaluation
        accuracy (correct count), training cost, training accuracy.
        """
        if evaluation_data is None and (monitor_evaluation_cost or monitor_evaluation_accuracy):
            raise ValueError("monitoring the evaluation cost or accuracy needs evaluation_data")
        X, Y = self.as_arrays(training_data)
        evaluation = self.as_arrays(evaluation_data) if evaluation_data is not None else None
        test = self.as_arrays(test_data) if test_data is not None else None
        n = len(X)
        evaluation_cost, evaluation_accuracy = [], []
        training_cost, training_accuracy = [], []
        for j in range(epochs):
            order = self.rng.permutation(n)
            for k in range(0, n, mini_batch_size):
                mini_batch = order[k:k + mini_batch_size]
                self.update_mini_batch((X[mini_batch], Y[mini_batch]), eta, lmbda, n)
            if test is not None:
                print(f"Epoch {j}: {self.evaluate(test)} / {len(test[0])}")
            else:
                print(f"Epoch {j} training complete")
            if monitor_training_cost:
                training_cost.append(self.total_cost((X, Y), lmbda))
                print(f"Cost on training data: {training_cost[-1]}")
            if monitor_training_accuracy:
                training_accuracy.append(self.evaluate((X, Y)))
                print(f"Accuracy on training data: {training_accuracy[-1]} / {n}")
            if monitor_evaluation_cost:
                evaluation_cost.append(self.total_cost(evaluation, lmbda))
                print(f"Cost on evaluation data: {evaluation_cost[-1]}")
            if monitor_evaluation_accuracy:
                evaluation_accuracy.append(self.evaluate(evaluation))
                print(f"Accuracy on evaluation data: {evaluation_accuracy[-1]} / {len(evaluation[0])}")
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def update_mini_batch(self, mini_batch, eta: float, lmbda: float = 0.0, n: int = 1):
        """One gradient step on ``mini_batch`` (the book's pairs, or an ``(X (m, 784), Y (m, 10))`` tuple), in place.

        The same step as :meth:`backprop_batch` followed by :meth:`apply_gradient`,
        fused for speed: eta/m is folded into delta once, each weight change is
        written straight into the weights, and every delta is computed from the
        old weights before that layer changes.
        """
        X, Y = mini_batch if isinstance(mini_batch, tuple) else self.as_arrays(mini_batch)
        decay = 1.0 - eta * lmbda / n
        activations = [X]  # (m, n_l) per layer
        for b, w in zip(self.biases, self.weights):
            z = np.dot(activations[-1], w.T)
            z += b.T
            activations.append(expit(z))
        delta = self.cost.delta(z, activations[-1], Y)  # z is the output layer's
        delta *= eta / len(X)
        for l in range(1, self.num_layers):
            w, b, a_in = self.weights[-l], self.biases[-l], activations[-l - 1]
            if l < self.num_layers - 1:
                delta_below = np.dot(delta, w)  # uses w before this step changes it
                delta_below *= a_in * (1 - a_in)
            nabla_w = np.dot(delta.T, a_in)
            if decay != 1.0:
                w *= decay
            w -= nabla_w
            b_row = b.T  # a (1, n_l) view, so the update lands in b
            b_row -= np.add.reduce(delta, axis=0)
            if l < self.num_layers - 1:
                delta = delta_below

    def update_mini_batch_per_example(self, mini_batch, eta: float, lmbda: float = 0.0, n: int = 1):
        """The book's own update: ``backprop`` one example at a time, summed."""
        X, Y = mini_batch if isinstance(mini_batch, tuple) else self.as_arrays(mini_batch)
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in zip(X, Y):
            delta_nabla_b, delta_nabla_w = self.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.apply_gradient(nabla_b, nabla_w, eta, len(X), lmbda, n)

    def apply_gradient(self, nabla_b, nabla_w, eta: float, m: int, lmbda: float = 0.0, n: int = 1):
        """w -> (1 - eta*lmbda/n) w - (eta/m) nabla_w;  b -> b - (eta/m) nabla_b (chapter 3)."""
        for w, nw in zip(self.weights, nabla_w):
            w *= 1 - eta * lmbda / n
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

    def backprop_batch(self, X, Y):
        """``backprop`` for a whole mini-batch, summed: X (m, 784), Y (m, 10) give ``(nabla_b, nabla_w)``.

        The clear form of what :meth:`update_mini_batch` computes: a forward
        pass, a backward pass, and the sums of the per-example gradients
        (``delta.T @ a`` adds up the m outer products in one product).
        """
        activations, zs = [X], []
        for b, w in zip(self.biases, self.weights):
            zs.append(np.dot(activations[-1], w.T) + b.T)
            activations.append(sigmoid(zs[-1]))
        delta = self.cost.delta(zs[-1], activations[-1], Y)
        nabla_b, nabla_w = [None] * (self.num_layers - 1), [None] * (self.num_layers - 1)
        for l in range(1, self.num_layers):
            if l > 1:
                delta = np.dot(delta, self.weights[-l + 1]) * sigmoid_prime(zs[-l])
            nabla_b[-l] = delta.sum(axis=0).reshape(-1, 1)
            nabla_w[-l] = np.dot(delta.T, activations[-l - 1])
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations, y):
        """dC/da for the network's cost (chapter 1's quadratic: ``a - y``)."""
        return self.cost.derivative(output_activations, y)

    def evaluate(self, test_data) -> int:
        """How many examples of ``test_data`` (pairs or an ``(X, labels)`` tuple) come out right."""
        X, Y = self.as_arrays(test_data)
        return self.correct(self.feedforward(X), Y)

    def total_cost(self, data, lmbda: float = 0.0) -> float:
        """Mean cost over ``data`` plus the L2 term 0.5 (lmbda/n) sum w^2, as in chapter 3."""
        X, Y = self.as_arrays(data)
        return self.cost_of(self.feedforward(X), Y, lmbda)

    @staticmethod
    def correct(A, Y) -> int:
        """How many of the outputs ``A`` (N, 10) have their largest value where ``Y`` (N, 10) has its 1."""
        return int(np.sum(np.argmax(A, axis=1) == np.argmax(Y, axis=1)))

    def cost_of(self, A, Y, lmbda: float = 0.0) -> float:
        """:meth:`total_cost` of outputs ``A`` (N, 10) already computed for targets ``Y`` (N, 10)."""
        cost = self.cost.fn(A, Y) / len(A)
        return cost + 0.5 * (lmbda / len(A)) * sum(float(np.sum(np.square(w, dtype=np.float64)))
                                                   for w in self.weights)

    def as_arrays(self, data) -> tuple[np.ndarray, np.ndarray]:
        """The book's ``(x, y)`` pairs (y an int or a one-hot column) or an ``(X, labels)`` tuple, as arrays.

        Returns ``(X (N, n_in), Y (N, n_out) one-hot)`` in the network's dtype.
        """
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
            X, labels = data
        else:
            pairs = list(data)
            X = np.stack([np.asarray(x).reshape(-1) for x, _ in pairs]) if pairs else np.zeros((0, n_in))
            labels = np.array([np.asarray(y).reshape(-1) if np.ndim(y) else int(y) for _, y in pairs])
        if X.ndim != 2 or X.shape[1] != n_in or len(X) == 0 or len(labels) != len(X):
            raise ValueError(f"expected N >= 1 examples of {n_in} values each with N labels, "
                             f"got inputs of shape {np.shape(X)} and {len(labels)} labels")
        labels = np.asarray(labels)
        Y = labels.astype(self.dtype) if labels.ndim == 2 else np.eye(n_out, dtype=self.dtype)[labels]
        return X.astype(self.dtype, copy=False), Y


def shares(outputs: np.ndarray) -> np.ndarray:
    """Each output's share of all of them (the app's "confidence" is the winner's): the outputs scaled
    to sum to 1, in their own dtype.  Sigmoid outputs are each in (0, 1) on their own, so the shares say
    how clearly one digit stands out, not whether any digit is there."""
    return outputs / outputs.sum()
