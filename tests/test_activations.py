"""digitapp.activations: each derivative against a numerical one, and no overflow or dtype change."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from digitapp.activations import ACTIVATIONS, Softmax, activation_named

Z = np.array([-30.0, -3.0, -0.7, -0.01, 0.013, 0.4, 2.5, 30.0])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_prime_is_the_numerical_derivative_and_prime_from_agrees(name):
    f = ACTIVATIONS[name]
    eps = 1e-6
    numeric = (f.fn(Z + eps) - f.fn(Z - eps)) / (2 * eps)
    np.testing.assert_allclose(f.prime(Z), numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(f.prime_from(Z, f.fn(Z)), f.prime(Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS) + ["softmax"])
def test_no_overflow_and_the_dtype_is_kept(name, dtype):
    f = Softmax if name == "softmax" else ACTIVATIONS[name]
    z = np.array([[-1e4, -80.0, 0.0, 80.0, 1e4]], dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")  # underflow to 0 is the right answer, and NumPy's default is silent
        out = [f.fn(z)] + ([] if name == "softmax" else [f.prime(z), f.prime_from(z, f.fn(z))])
    for a in out:
        assert a.dtype == dtype and np.isfinite(a).all()


def test_softmax_is_a_distribution_over_the_last_axis():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    a = Softmax.fn(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(a[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(a[1], [0.5, 0.5, 0.0])


def test_the_table_by_name_and_the_values_of_the_textbook():
    assert sorted(ACTIVATIONS) == ["elu", "leaky-relu", "relu", "sigmoid", "swish", "tanh"]
    assert activation_named("Leaky_ReLU") is ACTIVATIONS["leaky-relu"]
    z = np.array([-2.0, 0.5])
    np.testing.assert_allclose(ACTIVATIONS["relu"].fn(z), [0.0, 0.5])
    np.testing.assert_allclose(ACTIVATIONS["leaky-relu"].fn(z), [-0.02, 0.5])
    np.testing.assert_allclose(ACTIVATIONS["elu"].fn(z), [np.exp(-2.0) - 1, 0.5])
    np.testing.assert_allclose(ACTIVATIONS["swish"].fn(z), z / (1 + np.exp(-z)))
    np.testing.assert_allclose(ACTIVATIONS["tanh"].fn(z), np.tanh(z))
    with pytest.raises(ValueError, match="relu"):
        activation_named("softplus")
