"""Activation functions as small classes with ``fn`` and ``prime``, in the style of the book's cost classes.

Each class is used as it is, never instantiated: ``Network([784, 30, 10],
activation=ReLU)`` or ``activation="relu"``.  ``fn(z)`` is the activation,
``prime(z)`` its derivative, and ``prime_from(z, a)`` the same derivative
from the activation ``a = fn(z)`` the forward pass already holds (cheaper
for sigmoid and tanh).  ``initializer`` names the weight initialiser that
suits the function: N(0, 1/n_in) ("default", chapter 3) for the S-shaped
ones, He's N(0, 2/n_in) ("he") for the ReLU family, whose half-zero outputs
would otherwise shrink the signal layer by layer.  All of them keep the
dtype of ``z``.

:class:`Softmax` is an output layer only (the book's chapter 3 and
network3): it is not elementwise, and its derivative is folded into
:class:`~digitapp.network.LogLikelihoodCost`'s ``delta``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit  # a ufunc: never overflows and calls no BLAS


class Sigmoid:
    """sigma(z) = 1 / (1 + e^-z), the book's neuron."""

    name = "sigmoid"
    initializer = "default"
    elementwise = True
    fn = staticmethod(expit)

    @staticmethod
    def prime(z):
        s = expit(z)
        return s * (1 - s)

    @staticmethod
    def prime_from(z, a):
        return a * (1 - a)


class Tanh:
    """tanh(z): a sigmoid stretched to (-1, 1), centred on 0."""

    name = "tanh"
    initializer = "default"
    elementwise = True
    fn = staticmethod(np.tanh)

    @staticmethod
    def prime(z):
        t = np.tanh(z)
        return 1 - t * t

    @staticmethod
    def prime_from(z, a):
        return 1 - a * a


class ReLU:
    """max(0, z): no saturation for z > 0, so deep networks keep learning."""

    name = "relu"
    initializer = "he"
    elementwise = True

    @staticmethod
    def fn(z):
        return np.maximum(z, 0)

    @staticmethod
    def prime(z):
        return (z > 0).astype(z.dtype)

    @staticmethod
    def prime_from(z, a):
        return (z > 0).astype(z.dtype)


class LeakyReLU:
    """z for z > 0, else ``slope`` z: a ReLU whose neurons never go fully silent."""

    name = "leaky-relu"
    initializer = "he"
    elementwise = True
    slope = 0.01

    @classmethod
    def fn(cls, z):
        return np.where(z > 0, z, z * z.dtype.type(cls.slope))

    @classmethod
    def prime(cls, z):
        return np.where(z > 0, z.dtype.type(1), z.dtype.type(cls.slope))

    @classmethod
    def prime_from(cls, z, a):
        return cls.prime(z)


class ELU:
    """z for z > 0, else alpha (e^z - 1): smooth at 0 and negative outputs near -alpha."""

    name = "elu"
    initializer = "he"
    elementwise = True
    alpha = 1.0

    @classmethod
    def fn(cls, z):
        return np.where(z > 0, z, z.dtype.type(cls.alpha) * np.expm1(np.minimum(z, 0)))

    @classmethod
    def prime(cls, z):
        return np.where(z > 0, z.dtype.type(1), z.dtype.type(cls.alpha) * np.exp(np.minimum(z, 0)))

    @classmethod
    def prime_from(cls, z, a):
        return np.where(z > 0, z.dtype.type(1), a + z.dtype.type(cls.alpha))


class Swish:
    """z sigma(z) (also called SiLU): a smooth ReLU that dips slightly below 0."""

    name = "swish"
    initializer = "he"
    elementwise = True

    @staticmethod
    def fn(z):
        return z * expit(z)

    @staticmethod
    def prime(z):
        s = expit(z)
        return s * (1 + z * (1 - s))

    @staticmethod
    def prime_from(z, a):
        return Swish.prime(z)


class Softmax:
    """e^z_j / sum_k e^z_k over the last axis: outputs that are a probability distribution (output layer only)."""

    name = "softmax"
    elementwise = False

    @staticmethod
    def fn(z):
        # the shift changes nothing but overflow; the ufuncs' own reduce, as np.max and np.sum cost
        # more than the arithmetic on a mini-batch's (10, 10) outputs
        e = z - np.maximum.reduce(z, axis=-1, keepdims=True)
        np.exp(e, out=e)
        e /= np.add.reduce(e, axis=-1, keepdims=True)
        return e


#: The hidden-layer activations by the name a model file stores.
ACTIVATIONS = {a.name: a for a in (Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Swish)}


def activation_named(activation):
    """The activation class for a name ("relu", "leaky_relu", ...), or ``activation`` itself when it has
    ``fn`` and ``prime`` (a class of the table or one of the caller's own); ValueError otherwise."""
    if isinstance(activation, str):
        found = ACTIVATIONS.get(activation.strip().lower().replace("_", "-"))
    else:
        found = activation if hasattr(activation, "fn") and hasattr(activation, "prime") else None
    if found is None:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    return found
