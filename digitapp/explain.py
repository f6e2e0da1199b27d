"""Why the network chose a digit: its neurons' activations and an evidence map over the input.

The evidence map splits the difference between the weighted inputs of two
output neurons, ``z_j - z_k`` (the chosen digit j and the runner-up k), over
the input pixels: red (positive) pixels pushed the answer towards j, blue
(negative) ones towards k.  ``z = ln(a / (1 - a))`` is an output's log-odds,
so ``z_j - z_k`` is the log-odds of j minus those of k, the classic "weight
of evidence".  The z are used rather than the outputs ``a``: a sure answer
saturates its sigmoid, ``sigma'(z_j)`` is then ~0, and the gradient of
``a_j - a_k`` would show almost nothing but the runner-up.

Each pixel's evidence is its value times the gradient of ``z_j - z_k``
averaged along the straight path from a blank input to the drawing
(*integrated gradients*; midpoint rule with ``steps`` points):

    evidence_i = x_i * mean_t d(z_j - z_k)/dx_i (t x),   t = (0.5, 1.5, ...) / steps

so the evidence adds up to how far the drawing moved the difference from
what a blank input gives, ``sum(evidence) = (z_j - z_k)(x) - (z_j - z_k)(0)``,
to within the midpoint rule's error (exact for a one-layer network, where z
is linear in x).  With ``steps=1`` it is the plain gradient x input at x/2;
``Explanation.gradient`` is the gradient at x itself, and
``sum(x * gradient)`` is ``d/dt (z_j - z_k)(t x)`` at t = 1 (Euler's relation).

The gradients come from the network's own backprop: given the output error
``delta = e_j - e_k`` (or ``(e_j - e_k) * sigma'(z)`` for the a's) by
:class:`OutputDifference` in place of a cost's, :meth:`Network.backprop_batch`'s
first ``nabla_b`` is the first layer's error summed over the batch (BP2), and
``W_1^T`` times it is the gradient with respect to the input.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from .activations import Softmax
from .network import Network, sigmoid_prime

#: Points on the path from a blank input to the drawing (the midpoint rule's error is O(1/steps^2)).
STEPS = 32


class OutputDifference:
    """A cost-like object whose output error makes backprop differentiate ``z_j - z_k`` (or ``a_j - a_k``).

    Not a cost to train with: it has only the ``delta`` that
    :meth:`Network.backprop` and :meth:`Network.backprop_batch` ask their cost for.
    With ``softmax`` the a's are a softmax layer's, whose Jacobian mixes the
    outputs: d(a_j - a_k)/dz = a * (e - (a_j - a_k)), e = e_j - e_k.
    """

    name = "output-difference"

    def __init__(self, j: int, k: int, through_sigmoid: bool = False, softmax: bool = False):
        self.j, self.k, self.through_sigmoid, self.softmax = j, k, through_sigmoid, softmax

    def __repr__(self):
        of = "a" if self.through_sigmoid else "z"
        return f"OutputDifference({of}_{self.j} - {of}_{self.k})"

    def delta(self, z, a, y):
        """e_j - e_k, times sigma'(z) for a_j - a_k; z is an (n, 1) column or an (m, n) batch."""
        e = np.zeros(z.shape[0] if z.shape[1] == 1 else z.shape[1], z.dtype)
        e[self.j], e[self.k] = 1, -1
        column = z.shape[1] == 1
        e = e.reshape(-1, 1) if column else e.reshape(1, -1)
        if not self.through_sigmoid:
            return np.broadcast_to(e, z.shape).copy()
        if self.softmax:
            difference = a[self.j] - a[self.k] if column else a[:, [self.j]] - a[:, [self.k]]
            return a * (e - difference)
        return e * sigmoid_prime(z)


def mean_input_gradient(network: Network, X: np.ndarray, j: int, k: int,
                        through_sigmoid: bool = False) -> np.ndarray:
    """d(z_j - z_k)/dx (or d(a_j - a_k)/dx) averaged over the rows of X (m, n_in): an (n_in,) vector.

    Runs ``backprop_batch`` on a shallow copy of ``network`` whose cost is
    :class:`OutputDifference`: the copy shares the weights, so nothing is
    copied and the network itself is left as it was.
    """
    probe = copy.copy(network)
    probe.cost = OutputDifference(j, k, through_sigmoid, network.output_activation is Softmax)
    nabla_b, _ = probe.backprop_batch(X, np.zeros((len(X), network.sizes[-1]), X.dtype))
    return np.dot(network.weights[0].T, nabla_b[0]).ravel() / len(X)


@dataclass(frozen=True)
class Explanation:
    """What the network did with one input.

    ``first_layer`` holds the activations of the first layer after the input
    (the hidden layer of ``Network([784, H, 10])``) and ``layers`` those of
    every layer after the input, output last; ``output`` the raw outputs
    (sigmoid ones are not normalised: all ten can be small) and
    ``weighted_output`` their z.  ``gradient`` is d(z_digit - z_runner_up)/dx
    at the input (of the a's when ``through_sigmoid``) and ``evidence`` the
    integrated gradients, both shaped like the input given.
    """

    digit: int
    runner_up: int
    first_layer: np.ndarray = field(repr=False)
    output: np.ndarray = field(repr=False)
    weighted_output: np.ndarray = field(repr=False)
    gradient: np.ndarray = field(repr=False)
    evidence: np.ndarray = field(repr=False)
    through_sigmoid: bool = False
    layers: tuple = field(default=(), repr=False)

    @property
    def difference(self) -> float:
        """What the gradients are of: z_digit - z_runner_up, or a_digit - a_runner_up through the sigmoid."""
        values = self.output if self.through_sigmoid else self.weighted_output
        return float(values[self.digit] - values[self.runner_up])


def explain(network: Network, x: np.ndarray, digit: int | None = None, runner_up: int | None = None,
            through_sigmoid: bool = False, steps: int = STEPS) -> Explanation:
    """Explain ``network``'s answer for ``x``: a Prediction's 28x28 ``input``, or n_in values of any shape.

    ``digit`` defaults to the largest output and ``runner_up`` to the
    largest of the others, so any digit can be set against any other.
    """
    shape = np.shape(x)
    row = np.asarray(x, dtype=network.dtype).reshape(1, -1)
    if row.shape[1] != network.sizes[0]:
        raise ValueError(f"the network takes {network.sizes[0]} inputs, got an input of shape {shape}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    zs, activations = network.forward(row)
    z = zs[-1]
    output = activations[-1].ravel()
    order = np.argsort(-output, kind="stable")
    digit = int(order[0]) if digit is None else int(digit)
    runner_up = int(order[1] if order[0] == digit else order[0]) if runner_up is None else int(runner_up)
    if runner_up == digit:
        raise ValueError(f"the digit and the one it is set against must differ, got {digit} twice")
    gradient = mean_input_gradient(network, row, digit, runner_up, through_sigmoid)
    t = (np.arange(steps, dtype=network.dtype) + 0.5) / steps
    path_gradient = mean_input_gradient(network, t[:, None] * row, digit, runner_up, through_sigmoid)
    return Explanation(digit, runner_up, activations[1].ravel(), output, z.ravel(), gradient.reshape(shape),
                       (path_gradient * row.ravel()).reshape(shape), through_sigmoid,
                       tuple(a.ravel() for a in activations[1:]))
