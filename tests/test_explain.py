"""digitapp.explain: the evidence map checked against a numerical gradient, linear cases and its documented sums."""

from __future__ import annotations

import numpy as np
import pytest

from digitapp.explain import OutputDifference, explain, mean_input_gradient
from digitapp.network import sigmoid, sigmoid_prime
from digitapp.network2 import Network  # chapter 3's defaults, as the app's models
from digitapp.recognizer import Recognizer
from digitapp.strokes import CANVAS_SIDE
from harness.shapes import on_canvas


def weighted_output(net, x):
    """z of the output layer, written out here."""
    a = x.reshape(-1, 1)
    for w, b in zip(net.weights[:-1], net.biases[:-1]):
        a = sigmoid(w @ a + b)
    return (net.weights[-1] @ a + net.biases[-1]).ravel()


def difference(net, x, j, k, through_sigmoid=False):
    values = sigmoid(weighted_output(net, x)) if through_sigmoid else weighted_output(net, x)
    return values[j] - values[k]


def numerical_input_gradient(net, x, j, k, through_sigmoid, eps=1e-6):
    """Central differences of z_j - z_k (or a_j - a_k) for every input: the oracle."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + eps
        plus = difference(net, x, j, k, through_sigmoid)
        x[i] = keep - eps
        minus = difference(net, x, j, k, through_sigmoid)
        x[i] = keep
        g[i] = (plus - minus) / (2 * eps)
    return g


@pytest.mark.parametrize("sizes", [[6, 4], [6, 5, 4], [6, 5, 3, 4]])
@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
@pytest.mark.parametrize("through_sigmoid", [False, True], ids=["z", "a"])
def test_gradient_matches_the_numerical_gradient(sizes, cost, through_sigmoid):
    net = Network(sizes, cost=cost, seed=3, dtype=np.float64)
    x = np.random.default_rng(4).random((sizes[0], 1))
    for j, k in [(0, 1), (3, 2), (1, 3)]:
        np.testing.assert_allclose(explain(net, x, j, k, through_sigmoid).gradient,
                                   numerical_input_gradient(net, x, j, k, through_sigmoid), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("activation", ["relu", "tanh", "swish"])
@pytest.mark.parametrize("through_softmax", [False, True], ids=["z", "a"])
def test_gradient_of_a_softmax_network_matches_the_numerical_gradient(activation, through_softmax):
    net = Network([6, 5, 3, 4], cost="log-likelihood", activation=activation, seed=3)

    def outputs(x):
        zs, activations = net.forward(x.reshape(1, -1))
        return (activations[-1] if through_softmax else zs[-1]).ravel()

    x = np.random.default_rng(4).random((6, 1))
    for j, k in [(0, 1), (3, 2)]:
        numeric = np.zeros_like(x)
        for i in range(6):
            up, down = x.copy(), x.copy()
            up[i] += 1e-6
            down[i] -= 1e-6
            numeric[i] = ((outputs(up)[j] - outputs(up)[k]) - (outputs(down)[j] - outputs(down)[k])) / 2e-6
        explanation = explain(net, x, j, k, through_sigmoid=through_softmax)
        np.testing.assert_allclose(explanation.gradient, numeric, rtol=1e-6, atol=1e-9)
        assert [a.shape for a in explanation.layers] == [(5,), (3,), (4,)]
        np.testing.assert_array_equal(explanation.layers[0], explanation.first_layer)
        np.testing.assert_array_equal(explanation.layers[-1], explanation.output)


def test_the_batch_gradient_is_the_mean_of_the_per_example_ones():
    net = Network([6, 5, 4], seed=3, dtype=np.float64)
    X = np.random.default_rng(4).random((5, 6))
    each = [numerical_input_gradient(net, x.copy(), 2, 0, False).ravel() for x in X]
    np.testing.assert_allclose(mean_input_gradient(net, X, 2, 0), np.mean(each, axis=0), rtol=1e-6)


def test_one_layer_gives_the_closed_form_and_its_sum_is_the_change_from_blank():
    """z = Wx + b is linear: d(z_j - z_k)/dx = w_j - w_k and sum(evidence) = (z_j - z_k)(x) - (z_j - z_k)(0)."""
    net = Network([784, 10], seed=5, dtype=np.float64)
    x = np.random.default_rng(6).random((28, 28))
    w = net.weights[0]
    for j, k in [(2, 7), (9, 0)]:
        e = explain(net, x, j, k, steps=3)
        np.testing.assert_allclose(e.gradient.ravel(), w[j] - w[k], rtol=1e-12)
        np.testing.assert_allclose(e.evidence, x * e.gradient, rtol=1e-12)
        change = difference(net, x, j, k) - difference(net, np.zeros_like(x), j, k)
        assert e.evidence.sum() == pytest.approx(change, rel=1e-10)
        assert e.difference == pytest.approx(difference(net, x, j, k), rel=1e-12)


def test_one_layer_through_the_sigmoid_gives_the_closed_form():
    """a = sigma(Wx + b): d(a_j - a_k)/dx = sigma'(z_j) w_j - sigma'(z_k) w_k."""
    net = Network([12, 10], seed=5, dtype=np.float64)
    x = np.random.default_rng(6).random((12, 1))
    z = (net.weights[0] @ x + net.biases[0]).ravel()
    w = net.weights[0]
    for j, k in [(2, 7), (9, 0)]:
        expected = sigmoid_prime(z[j]) * w[j] - sigmoid_prime(z[k]) * w[k]
        np.testing.assert_allclose(explain(net, x, j, k, through_sigmoid=True).gradient.ravel(), expected,
                                   rtol=1e-12)


def test_a_nearly_linear_hidden_layer_gives_the_linear_answer():
    """Tiny first-layer weights, zero biases: sigma(z) ~ 1/2 + z/4, so d(z2_j - z2_k)/dx ~ (w2_j - w2_k) W1 / 4."""
    net = Network([784, 20, 10], seed=7, dtype=np.float64)
    net.weights[0] *= 1e-4
    net.biases[0][:] = 0
    x = np.random.default_rng(8).random((28, 28))
    e = explain(net, x, digit=3, runner_up=5)
    w1, w2 = net.weights
    expected = ((w2[3] - w2[5]) @ w1 / 4).reshape(28, 28)
    np.testing.assert_allclose(e.gradient, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    change = difference(net, x, 3, 5) - difference(net, np.zeros_like(x), 3, 5)
    assert e.evidence.sum() == pytest.approx(change, rel=1e-4)


@pytest.mark.parametrize("through_sigmoid", [False, True], ids=["z", "a"])
def test_sum_of_evidence_is_the_rate_of_change_when_the_drawing_is_scaled(through_sigmoid):
    """Euler: sum(x * grad f(x)) = d/dt f(t x) at t = 1, for any network."""
    net = Network([784, 30, 10], seed=9, dtype=np.float64)
    rng = np.random.default_rng(10)
    x = rng.random((28, 28)) * (rng.random((28, 28)) > 0.7)
    e = explain(net, x, through_sigmoid=through_sigmoid)
    t = 1e-5
    j, k = e.digit, e.runner_up
    rate = (difference(net, (1 + t) * x, j, k, through_sigmoid)
            - difference(net, (1 - t) * x, j, k, through_sigmoid)) / (2 * t)
    assert (x * e.gradient).sum() == pytest.approx(rate, rel=1e-6)
    assert e.difference == pytest.approx(difference(net, x, j, k, through_sigmoid))


def test_one_step_is_gradient_times_input_halfway():
    net = Network([784, 30, 10], seed=9, dtype=np.float64)
    x = np.random.default_rng(10).random((28, 28))
    e, half = explain(net, x, 4, 1, steps=1), explain(net, x / 2, 4, 1)
    np.testing.assert_allclose(e.evidence, x * half.gradient, rtol=1e-12)


@pytest.mark.parametrize("steps, rel", [(32, 0.03), (256, 1e-3)])
@pytest.mark.slow
def test_the_evidence_adds_up_to_the_change_from_a_blank_input(steps, rel):
    """Integrated gradients: sum(evidence) = (z_j - z_k)(x) - (z_j - z_k)(0), to within the midpoint rule's error."""
    recognizer = Recognizer.load()
    net = recognizer.network
    for d in range(10):
        x = recognizer.predict_strokes(on_canvas(d, CANVAS_SIDE)).input.astype(np.float64)
        e = explain(net, x, steps=steps)
        change = difference(net, x, e.digit, e.runner_up) - difference(net, np.zeros_like(x), e.digit, e.runner_up)
        assert e.evidence.sum() == pytest.approx(change, rel=rel)
        assert change > 0


@pytest.mark.slow
def test_the_shipped_model_on_drawn_digits():
    """Defaults: the largest output against the runner-up; outputs, first layer and shapes as documented."""
    recognizer = Recognizer.load()
    net = recognizer.network
    for d in range(10):
        prediction = recognizer.predict_strokes(on_canvas(d, CANVAS_SIDE))
        e = explain(net, prediction.input)
        x = prediction.input.reshape(-1, 1).astype(net.dtype)
        raw = net.feedforward(x).ravel()
        assert e.digit == prediction.digit == d
        np.testing.assert_allclose(e.output, raw, rtol=1e-6)
        assert e.runner_up == int(np.argsort(-raw)[1])
        np.testing.assert_allclose(e.first_layer, sigmoid(net.weights[0] @ x + net.biases[0]).ravel(), rtol=1e-5)
        assert e.first_layer.shape == (net.sizes[1],)
        assert e.gradient.shape == e.evidence.shape == (28, 28)
        assert e.evidence[prediction.input == 0].max() == 0  # no ink, no evidence
        assert e.evidence.sum() > 0, d  # the ink, taken together, speaks for the digit drawn
        assert e.evidence[e.evidence > 0].sum() > 0 > e.evidence[e.evidence < 0].sum()  # and some against it


def test_the_network_is_left_as_it_was():
    net = Network([10, 6, 4], seed=12, dtype=np.float64)
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    cost = net.cost
    explain(net, np.ones(10))
    assert net.cost is cost
    for kept, now in zip(before, net.weights + net.biases):
        np.testing.assert_array_equal(kept, now)


def test_any_digit_against_any_other_and_bad_inputs():
    net = Network([10, 6, 4], seed=13, dtype=np.float64)
    x = np.linspace(0, 1, 10)
    a, b = explain(net, x, 1, 2), explain(net, x, 2, 1)
    np.testing.assert_allclose(a.evidence, -b.evidence)
    assert (a.digit, a.runner_up) == (1, 2)
    with pytest.raises(ValueError, match="differ"):
        explain(net, x, 2, 2)
    with pytest.raises(ValueError, match="10 inputs"):
        explain(net, np.zeros((28, 28)))


@pytest.mark.parametrize("through_sigmoid, expected", [
    (False, [0, 1, -1]),
    (True, [0, sigmoid_prime(1.0), -sigmoid_prime(-2.0)]),
])
def test_output_difference_delta(through_sigmoid, expected):
    z = np.array([[0.0], [1.0], [-2.0]])
    np.testing.assert_allclose(OutputDifference(1, 2, through_sigmoid).delta(z, None, None).ravel(), expected)
