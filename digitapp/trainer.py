"""The training loop around ``Network.update_mini_batch``: what ``digitapp train`` runs.

``Network.SGD`` is the book's loop, for reading and for small experiments.
Training the shipped model needs more than it should hold: the training set
kept as uint8 pixels (a quarter of float32's memory) and turned into floats
one mini-batch at a time, a fresh random distortion of every image each
epoch, prepared on a second thread while the current epoch trains, a
learning rate that changes per epoch, a progress report, a divergence check
and a per-epoch record of costs and accuracies.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import Softmax
from .network import Network
from .optimizers import SGD as PlainSGD, make_optimizer

#: Training accuracy and cost are measured on at most this many training examples: cheap and telling.
MONITORED = 10_000


class DivergenceError(ArithmeticError):
    """Training produced NaN or infinite weights."""


@dataclass
class EpochResult:
    """What one epoch of training measured; accuracies are fractions of 1."""

    epoch: int
    seconds: float
    eta: float
    training_cost: float | None = None
    training_accuracy: float | None = None
    evaluation_cost: float | None = None
    evaluation_accuracy: float | None = None


def as_floats(X: np.ndarray, dtype) -> np.ndarray:
    """uint8 pixels as floats in [0, 1] of ``dtype``; float images pass through."""
    return X * np.dtype(dtype).type(1 / 255) if X.dtype == np.uint8 else X


def targets(labels: np.ndarray, n_out: int, dtype, softmax: bool = False) -> np.ndarray:
    """(N, n_out) one-hot rows for the labels; a negative label ("none of these") gets all zeros, or with a
    ``softmax`` output (whose outputs always add up to 1) 1/n_out each: no digit more than another."""
    Y = np.zeros((len(labels), n_out), dtype)
    labels = np.asarray(labels)
    known = np.flatnonzero(labels >= 0)
    Y[known, labels[known]] = 1
    if softmax:
        Y[labels < 0] = 1 / n_out
    return Y


@dataclass
class Distillation:
    """A trained network (the teacher) whose outputs make up ``share`` of a new network's targets.

    A one-hot target says only which digit a drawing is; a larger network's
    outputs also say how much it looks like the others (this 7 is nearly a
    1, that drawing is barely a digit), on every fresh distortion.  A small
    network can learn more from that than from the labels alone (knowledge
    distillation; Hinton, Vinyals and Dean, 2015, who also soften both
    networks' softmax with a temperature: not done here, since softening
    sigmoid outputs would pull a non-digit's ten outputs towards 0.5).
    """

    teacher: Network
    share: float = 0.5

    #: Images per forward pass: one large product is fast, and the memory stays small.
    CHUNK = 8192

    def targets(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """``Y`` blended with the teacher's outputs for ``X`` (uint8 pixels or floats)."""
        net = self.teacher
        outputs = np.empty_like(Y)
        for k in range(0, len(X), self.CHUNK):
            outputs[k:k + self.CHUNK] = net.feedforward(as_floats(X[k:k + self.CHUNK], net.dtype))
        return (1 - self.share) * Y + self.share * outputs


def train(network: Network, images: np.ndarray, labels: np.ndarray, epochs: int, mini_batch_size: int,
          eta: Callable[[int], float], lmbda: float = 0.0, *, evaluation_data=None,
          monitor_training: bool = False, augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
          per_example: bool = False, progress: Callable[[int, int], None] | None = None,
          on_epoch: Callable[[EpochResult], None] | None = None, optimizer=None,
          distillation: Distillation | None = None) -> list[EpochResult]:
    """Train ``network`` in place by mini-batch SGD; return one EpochResult per epoch.

    ``images`` is (N, 784), uint8 pixels or floats in [0, 1], never modified;
    ``labels`` (N,) ints; a negative label (a drawing that is no digit) trains all outputs towards 0 (towards
    1/n each with a softmax output).  ``eta(epoch)`` gives each epoch's learning rate.
    ``optimizer`` is None (the book's step, the app's recipe bit for bit), a
    name ("sgd", "momentum", "adam") or an optimizer object, whose state then
    carries over from epoch to epoch.
    ``augment(X, rng)`` returns distorted copies of an epoch's images.
    ``per_example`` runs the book's per-example ``backprop`` instead of the
    matrix form.  ``distillation`` blends its teacher's outputs for each
    epoch's distorted images into the targets.  ``progress(done, total)`` is called about 100 times an
    epoch.  Shuffles and distortions draw from ``network.rng``, so a seeded
    network trains the same way every time.  Raises DivergenceError.
    """
    if images.ndim != 2 or images.shape[1] != network.sizes[0] or len(images) != len(labels) or not len(images):
        raise ValueError(f"expected N >= 1 images of {network.sizes[0]} values and N labels, "
                         f"got images {images.shape} and {len(labels)} labels")
    X = np.ascontiguousarray(images, dtype=np.uint8 if images.dtype == np.uint8 else network.dtype)
    Y = targets(labels, network.sizes[-1], network.dtype, softmax=network.output_activation is Softmax)
    if optimizer is not None:
        optimizer = make_optimizer(optimizer)
        if type(optimizer) is PlainSGD:
            optimizer = None  # the same step, fused
    n = len(X)
    monitored = (as_floats(X[:MONITORED], network.dtype), labels[:MONITORED]) if monitor_training else None
    update = network.update_mini_batch_per_example if per_example else network.update_mini_batch

    def prepare_epoch():
        """The epoch's shuffled (and, with ``augment``, distorted) copy of the data."""
        order = network.rng.permutation(n)
        X_epoch = X[order]
        if augment is not None:
            X_epoch = np.ascontiguousarray(augment(X_epoch, network.rng), dtype=X.dtype)
        if distillation is not None:
            return X_epoch, distillation.targets(X_epoch, Y[order])
        return X_epoch, Y[order]

    history = []
    starts = range(0, n, mini_batch_size)
    every = max(1, len(starts) // 100)
    # The next epoch is prepared on a second thread while this one trains: NumPy releases the
    # GIL inside its array loops, so on a 2-core machine shuffling and distorting cost little.
    with ThreadPoolExecutor(max_workers=1) as prefetch:
        upcoming = prefetch.submit(prepare_epoch)
        for j in range(epochs):
            start = time.perf_counter()
            X_epoch, Y_epoch = upcoming.result()
            if j + 1 < epochs:
                upcoming = prefetch.submit(prepare_epoch)
            rate = float(eta(j))
            for i, k in enumerate(starts):
                update((as_floats(X_epoch[k:k + mini_batch_size], network.dtype), Y_epoch[k:k + mini_batch_size]),
                       rate, lmbda, n, optimizer)
                if progress is not None and (i + 1) % every == 0:
                    progress(i + 1, len(starts))
            history.append(measure(network, j, start, rate, lmbda, monitored, evaluation_data))
            if on_epoch is not None:
                on_epoch(history[-1])
    return history


def measure(network: Network, j: int, start: float, eta: float, lmbda: float, training, evaluation) -> EpochResult:
    """Check for divergence, then measure cost and accuracy on what the caller asked for."""
    if not all(np.isfinite(w).all() for w in network.weights):
        raise DivergenceError(f"training diverged in epoch {j + 1} (weights became NaN or infinite); "
                              "try a smaller eta")
    result = EpochResult(epoch=j + 1, seconds=time.perf_counter() - start, eta=eta)
    if training is not None:
        result.training_cost, result.training_accuracy = cost_and_accuracy(network, training, lmbda)
    if evaluation is not None:
        result.evaluation_cost, result.evaluation_accuracy = cost_and_accuracy(network, evaluation, lmbda)
    return result


def cost_and_accuracy(network: Network, data, lmbda: float) -> tuple[float, float]:
    """``network.total_cost(data, lmbda)`` and the fraction ``network.evaluate`` gets right, from one forward pass."""
    X, Y = network.as_arrays(data)
    A = network.feedforward(X)
    return network.cost_of(A, Y, lmbda), network.correct(A, Y) / len(X)
