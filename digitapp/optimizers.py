"""How a gradient becomes a step: plain SGD (the book's), momentum and Adam.

The optimizer holds its own state (velocities, moment estimates, step
count), so a network stays plain weights and biases: two networks can share
no state by accident, and a model file never holds an optimizer.  Modelled
in spirit on scikit-learn's ``_stochastic_optimizers``: ``update_params``
takes the parameters and their gradients as matching lists and changes the
parameters in place.

Gradients are the mini-batch means ``nabla / m``.  L2 regularisation comes in
as ``decays``, one per parameter (``lmbda / n`` for weights, 0 for biases):
the term ``decay * w`` is added to the gradient, which for plain SGD is the
book's ``w -> (1 - eta lmbda / n) w - eta nabla``.  No optimizer imports
the network: the network imports this module.

``update_flat`` takes the same step on one flat array holding every
parameter (``Network.flat_parameters``: the weights, then the biases, the
network's arrays being views of it), so each pass over memory is one NumPy
call however many layers there are; its state and scratch arrays
(:meth:`Optimizer.buffer`) are flat too.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


class Optimizer:
    """The interface: ``update_params(params, grads, eta, decays)`` changes ``params`` in place."""

    name = "optimizer"

    def __repr__(self):
        return f"{type(self).__name__}()"

    def update_params(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray], eta: float,
                      decays: Sequence[float] | None = None) -> None:
        """One step for every parameter; ``grads`` are mean gradients, which may be overwritten."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the state, as a fresh optimizer would (none for plain SGD)."""

    def update_flat(self, P: np.ndarray, G: np.ndarray, eta: float, decay: float, decayed: int) -> None:
        """The same step as :meth:`update_params` on one flat array ``P`` holding every parameter.

        ``G`` holds the mean gradients in the same places and may be
        overwritten; the first ``decayed`` entries (the weights) get L2's
        ``decay``, the rest (the biases) none.  One array means one NumPy
        call per pass over memory instead of one per layer and parameter.
        This general form goes through :meth:`update_params` on two views.
        """
        self.update_params([P[:decayed], P[decayed:]], [G[:decayed], G[decayed:]], eta, [decay, 0.0])

    def buffer(self, name: str, like: np.ndarray) -> np.ndarray:
        """The optimizer's own array ``name`` shaped like ``like`` (zeros when new): state or scratch."""
        store = self.__dict__.setdefault("_buffers", {})
        array = store.get(name)
        if array is None or array.shape != like.shape or array.dtype != like.dtype:
            array = store[name] = np.zeros_like(like)
        return array


def _add_decay(optimizer: Optimizer, P: np.ndarray, G: np.ndarray, decay: float, decayed: int) -> None:
    """G[:decayed] += decay * P[:decayed] (L2's term in the gradient), through a scratch array: two passes."""
    scratch = optimizer.buffer("scratch", P)[:decayed]
    np.multiply(P[:decayed], P.dtype.type(decay), out=scratch)
    G[:decayed] += scratch


class SGD(Optimizer):
    """The book's step: ``p -> (1 - eta decay) p - eta grad``; no state.

    ``Network.update_mini_batch`` recognises it and takes the same step in
    its fused form, which is faster and stays bit for bit the app's.
    """

    name = "sgd"

    def update_params(self, params, grads, eta, decays=None):
        for p, g, decay in zip(params, grads, decays or [0.0] * len(params)):
            if decay:
                p *= 1 - eta * decay
            g *= eta
            p -= g

    def update_flat(self, P, G, eta, decay, decayed):
        if decay:
            P[:decayed] *= P.dtype.type(1 - eta * decay)
        G *= G.dtype.type(eta)
        P -= G


class Momentum(Optimizer):
    """Momentum-based gradient descent (chapter 3): ``v -> mu v - eta grad``, ``p -> p + v``.

    ``mu`` is the "momentum coefficient": 0 is plain SGD, values near 1
    let the velocity build up along directions the gradient keeps pointing.
    """

    name = "momentum"

    def __init__(self, mu: float = 0.9):
        if not 0 <= mu < 1:
            raise ValueError(f"mu must be in [0, 1), got {mu}")
        self.mu = mu
        self.reset()

    def __repr__(self):
        return f"Momentum(mu={self.mu})"

    def reset(self):
        self.velocities = {}
        self._buffers = {}

    def update_flat(self, P, G, eta, decay, decayed):
        if decay:
            _add_decay(self, P, G, decay, decayed)
        v = self.buffer("velocity", P)
        v *= P.dtype.type(self.mu)
        G *= G.dtype.type(eta)
        v -= G
        P += v

    def update_params(self, params, grads, eta, decays=None):
        for i, (p, g, decay) in enumerate(zip(params, grads, decays or [0.0] * len(params))):
            if decay:
                g += p * p.dtype.type(decay)
            v = self.velocities.get(i)
            if v is None:
                v = self.velocities[i] = np.zeros_like(p)
            v *= self.mu
            g *= eta
            v -= g
            p += v


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): steps of about ``eta`` per parameter, scaled by running moment estimates.

    m -> beta1 m + (1 - beta1) g,   v -> beta2 v + (1 - beta2) g^2,
    p -> p - eta m_hat / (sqrt(v_hat) + epsilon),  m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t).

    The step is taken in the paper's own cheaper order (its section 2): the
    bias corrections are one scalar step size and epsilon is scaled to
    match, ``p -> p - eta_t m / (sqrt(v) + epsilon_t)`` with
    ``eta_t = eta sqrt(1 - beta2^t) / (1 - beta1^t)`` and
    ``epsilon_t = epsilon sqrt(1 - beta2^t)`` (divide the paper's fraction
    above and below by sqrt(1 - beta2^t): the same number).  And the state
    kept is ``M = m / (1 - beta1)`` and ``V = v / (1 - beta2)``, so each moment
    update is two in-place passes (``M *= beta1; M += g``) and the factors
    join the scalars (:meth:`_scalars`).  :meth:`moments` gives m and v.

    Adam's cost is passes over memory, not arithmetic: its moment arrays are
    as large as the weights and are read and written every step, one NumPy
    call per operation (the square root of v alone costs about a third of
    a whole SGD step of ``[784, 100, 10]`` at batch 10; docs/networks.md).
    All in NumPy: a BLAS call here would bring SciPy's own BLAS pool, which
    a thread limit entered before it loaded would not cover (see
    :mod:`digitapp.blas`).
    """

    name = "adam"

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8):
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1 and epsilon > 0):
            raise ValueError(f"need 0 <= beta1, beta2 < 1 and epsilon > 0, got {beta1}, {beta2}, {epsilon}")
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.reset()

    def __repr__(self):
        return f"Adam(beta1={self.beta1}, beta2={self.beta2}, epsilon={self.epsilon}, t={self.t})"

    def reset(self):
        self.t = 0
        self.M: dict[int, np.ndarray] = {}
        self.V: dict[int, np.ndarray] = {}
        self._buffers = {}

    def _scalars(self) -> tuple[float, float]:
        """This step's (step size per unit of eta, epsilon) for the kept M and V: the bias corrections.

        With m = (1 - b1) M and v = (1 - b2) V the paper's eta_t m / (sqrt(v) + epsilon_t) is
        eta (1 - b1) / (1 - b1^t) * M / (c sqrt(V) + epsilon), c = sqrt((1 - b2) / (1 - b2^t)):
        the step size eta (1 - b1) / ((1 - b1^t) c) and epsilon / c, once per step.
        """
        b1, b2, t = self.beta1, self.beta2, self.t
        c = math.sqrt((1 - b2) / (1 - b2 ** t))
        return (1 - b1) / (1 - b1 ** t) / c, self.epsilon / c

    def update_flat(self, P, G, eta, decay, decayed):
        """Adam's step on every parameter at once: ten passes over one array (twelve with L2)."""
        self.t += 1
        step, epsilon = self._scalars()
        one = P.dtype.type
        if decay:
            _add_decay(self, P, G, decay, decayed)
        M, V = self.buffer("M", P), self.buffer("V", P)
        M *= one(self.beta1)       # m -> beta1 m + (1 - beta1) g
        M += G
        np.square(G, out=G)        # v -> beta2 v + (1 - beta2) g^2
        V *= one(self.beta2)
        V += G
        np.sqrt(V, out=G)          # p -> p - eta_t m / (sqrt(v) + epsilon_t), G as scratch
        G += one(epsilon)
        np.divide(M, G, out=G)
        G *= one(eta * step)
        P -= G

    def moments(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """The paper's m and v of parameter ``i`` (copies, for reading and tests)."""
        return self.M[i] * (1 - self.beta1), self.V[i] * (1 - self.beta2)

    def update_params(self, params, grads, eta, decays=None):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step, epsilon = self._scalars()
        step *= eta
        for i, (p, g, decay) in enumerate(zip(params, grads, decays or [0.0] * len(params))):
            if decay:
                g += p * p.dtype.type(decay)
            M, V = self.M.get(i), self.V.get(i)
            if M is None:
                M, V = self.M[i], self.V[i] = np.zeros_like(p), np.zeros_like(p)
            M *= b1
            M += g
            np.square(g, out=g)
            V *= b2
            V += g
            np.sqrt(V, out=g)
            g += g.dtype.type(epsilon)
            np.divide(M, g, out=g)
            g *= g.dtype.type(step)
            p -= g


#: The optimizers by name.
OPTIMIZERS = {o.name: o for o in (SGD, Momentum, Adam)}


def make_optimizer(optimizer: str | Optimizer | None) -> Optimizer:
    """A fresh optimizer for a name ("sgd", "momentum", "adam"), or ``optimizer`` itself (None: plain SGD)."""
    if optimizer is None:
        return SGD()
    if isinstance(optimizer, str):
        kind = OPTIMIZERS.get(optimizer.strip().lower())
        if kind is None:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        return kind()
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        return optimizer()
    if not callable(getattr(optimizer, "update_params", None)):
        raise ValueError(f"an optimizer needs an update_params method, got {optimizer!r}")
    return optimizer
