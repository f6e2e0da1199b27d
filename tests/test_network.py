"""digitapp.network: the maths checked against independent oracles.

The oracles are a numerical (central-difference) gradient of the cost, the
book's update formula written out here from ``backprop``, and small problems
whose answer is known.  ``Network`` here is chapter 3's (``network2``: the
cross-entropy cost, N(0, 1/n_in) weights), the same class as ``network``'s
with other defaults; the tests of chapter 1's defaults use ``network.Network``.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

from conftest import blobs, params, synthetic
from digitapp import network
from digitapp.activations import ACTIVATIONS, Softmax
from digitapp.network import (COSTS, CrossEntropyCost, LogLikelihoodCost, QuadraticCost, sigmoid,
                              sigmoid_prime)
from digitapp.network2 import Network

COST_NAMES = sorted(COSTS)
ACTIVATION_NAMES = sorted(ACTIVATIONS)


def one_hot_column(j, n):
    y = np.zeros((n, 1))
    y[j] = 1.0
    return y


def cost_of(net, x, y):
    return net.cost.fn(net.feedforward(x), y)


def numerical_gradient(net, x, y, eps=1e-6):
    """Central differences of the cost for every weight and bias: the oracle for backprop."""
    grads_b, grads_w = [], []
    for params, grads in ((net.biases, grads_b), (net.weights, grads_w)):
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                keep = p[idx]
                p[idx] = keep + eps
                plus = cost_of(net, x, y)
                p[idx] = keep - eps
                minus = cost_of(net, x, y)
                p[idx] = keep
                g[idx] = (plus - minus) / (2 * eps)
            grads.append(g)
    return grads_b, grads_w


def as_pairs(X, labels, n_out):
    return [(x.reshape(-1, 1), one_hot_column(int(j), n_out)) for x, j in zip(X, labels)]


# ---------------------------------------------------------------- gradients

@pytest.mark.parametrize("cost", COST_NAMES)
@pytest.mark.parametrize("sizes", [[4, 3], [4, 5, 3], [3, 4, 4, 2]])
def test_backprop_matches_the_numerical_gradient(cost, sizes):
    net = Network(sizes, cost=cost, seed=1, dtype=np.float64)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((sizes[0], 1))
    y = one_hot_column(1, sizes[-1])
    nabla_b, nabla_w = net.backprop(x, y)
    num_b, num_w = numerical_gradient(net, x, y)
    for analytic, numeric in zip(nabla_b + nabla_w, num_b + num_w):
        assert analytic.shape == numeric.shape
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cost", COST_NAMES)
def test_cost_derivative_matches_the_numerical_derivative(cost):
    net = Network([2, 5], cost=cost, seed=0)
    a = np.array([[0.1], [0.35], [0.5], [0.8], [0.97]])
    y = one_hot_column(3, 5)
    eps = 1e-7
    numeric = np.zeros_like(a)
    for i in range(len(a)):
        up, down = a.copy(), a.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = (net.cost.fn(up, y) - net.cost.fn(down, y)) / (2 * eps)
    np.testing.assert_allclose(net.cost_derivative(a, y), numeric, rtol=1e-6)


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_output_delta_is_the_chain_rule(cost):
    """delta = dC/da * sigma'(z) (chapter 2, BP1)."""
    z = np.array([[-3.0], [-0.2], [0.0], [1.5], [4.0]])
    a = sigmoid(z)
    y = one_hot_column(2, 5)
    expected = COSTS[cost].derivative(a, y) * sigmoid_prime(z)
    np.testing.assert_allclose(COSTS[cost].delta(z, a, y), expected, rtol=1e-10)


@pytest.mark.parametrize("y", [[0.2, 0.0, 0.5, 0.3], [0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
def test_log_likelihood_gradient_for_targets_that_are_not_one_hot(y):
    net = Network([3, 5, 4], cost="log-likelihood", activation="tanh", seed=7)
    x, y = np.array([[0.3], [-1.2], [0.8]]), np.array(y).reshape(4, 1)
    nabla_b, nabla_w = net.backprop(x, y)
    num_b, num_w = numerical_gradient(net, x, y)
    for analytic, numeric in zip(nabla_b + nabla_w, num_b + num_w):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    batch_b, _ = net.backprop_batch(x.T, y.T)
    np.testing.assert_allclose(batch_b[0], nabla_b[0], rtol=1e-12, atol=1e-15)


def test_softmax_output_delta_is_the_chain_rule():
    """delta = J^T dC/da with the softmax's Jacobian J = diag(a) - a a^T (BP1 for a layer that is not elementwise)."""
    z = np.array([[-3.0, -0.2, 0.0, 1.5, 4.0]])
    a = Softmax.fn(z)
    y = np.eye(5)[[2]]
    jacobian = np.diag(a[0]) - np.outer(a[0], a[0])
    expected = jacobian.T @ LogLikelihoodCost.derivative(a, y)[0]
    np.testing.assert_allclose(LogLikelihoodCost.delta(z, a, y)[0], expected, rtol=1e-10)


# ---------------------------------------------------------------- update_mini_batch

@pytest.mark.parametrize("cost", COST_NAMES)
@pytest.mark.parametrize("lmbda", [0.0, 2.5])
@pytest.mark.parametrize("form", ["pairs", "arrays"])
def test_update_mini_batch_is_the_sum_of_backprop(cost, lmbda, form):
    sizes = [6, 5, 4, 3]
    net = Network(sizes, cost=cost, seed=3, dtype=np.float64)
    oracle = copy.deepcopy(net)
    X, labels = synthetic(7, 6, 3, seed=4)
    Y = np.eye(3)[labels]
    eta, n = 0.7, 50
    batch = as_pairs(X, labels, 3) if form == "pairs" else (X, Y)

    net.update_mini_batch(batch, eta, lmbda, n)

    # the book's update, written out from backprop
    sum_b = [np.zeros(b.shape) for b in oracle.biases]
    sum_w = [np.zeros(w.shape) for w in oracle.weights]
    for x, y in zip(X, Y):
        db, dw = oracle.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
        sum_b = [s + d for s, d in zip(sum_b, db)]
        sum_w = [s + d for s, d in zip(sum_w, dw)]
    m = len(X)
    expected_w = [(1 - eta * lmbda / n) * w - (eta / m) * s for w, s in zip(oracle.weights, sum_w)]
    expected_b = [b - (eta / m) * s for b, s in zip(oracle.biases, sum_b)]
    for got, want in zip(net.weights + net.biases, expected_w + expected_b):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)
    assert any(not np.allclose(a, b) for a, b in zip(net.weights, oracle.weights))

    # the clear batched reference and the book's per-example update take the same step
    batched, book = copy.deepcopy(oracle), copy.deepcopy(oracle)
    nabla_b, nabla_w = batched.backprop_batch(X, Y)
    for total, expected in zip(nabla_b + nabla_w, sum_b + sum_w):
        np.testing.assert_allclose(total, expected, rtol=0, atol=1e-12)
    batched.apply_gradient(nabla_b, nabla_w, eta, m, lmbda, n)
    book.update_mini_batch_per_example(batch, eta, lmbda, n)
    for other in (batched, book):
        for got, want in zip(other.weights + other.biases, expected_w + expected_b):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_update_mini_batch_does_not_modify_the_batch():
    net = Network([6, 4, 3], seed=0)
    X, labels = synthetic(5, 6, 3)
    Y = np.eye(3)[labels]
    X0, Y0 = X.copy(), Y.copy()
    net.update_mini_batch((X, Y), 1.0, 1.0, 10)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


def test_learns_linearly_separable_blobs():
    X, labels = blobs()
    net = Network([2, 8, 3], seed=0)
    before = net.evaluate((X[400:], labels[400:])) / 200
    net.SGD((X[:400], labels[:400]), 15, 10, 1.0)
    after = net.evaluate((X[400:], labels[400:])) / 200
    assert after >= 0.97 and after > before


def test_learns_xor():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (800, 2))
    labels = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    net = Network([2, 10, 2], seed=3)
    net.SGD((X[:600], labels[:600]), 60, 10, 2.0)
    assert net.evaluate((X[600:], labels[600:])) / 200 >= 0.9


# ---------------------------------------------------------------- feedforward

@pytest.fixture(scope="module")
def net784():
    return Network([784, 16, 10], seed=0)


def test_feedforward_column_and_batch_agree(net784):
    rng = np.random.default_rng(0)
    X = rng.random((5, 784))
    batch = net784.feedforward(X)
    assert batch.shape == (5, 10)
    for i in range(5):
        column = net784.feedforward(X[i].reshape(784, 1))
        assert column.shape == (10, 1)
        np.testing.assert_allclose(batch[i], column.ravel(), rtol=1e-12)


def test_feedforward_is_the_layer_formula(net784):
    x = np.random.default_rng(1).random((784, 1))
    a = x
    for w, b in zip(net784.weights, net784.biases):
        a = 1 / (1 + np.exp(-(w @ a + b)))
    np.testing.assert_allclose(net784.feedforward(x), a, rtol=1e-12)


@pytest.mark.parametrize("shape", [(784,), (783,), (785,), (784, 2), (1, 783), (10, 1), (784, 1, 1), (1, 784, 1), ()])
def test_feedforward_refuses_other_shapes(net784, shape):
    with pytest.raises(ValueError, match="784"):
        net784.feedforward(np.zeros(shape))


def test_sigmoid_never_overflows():
    z = np.array([-1000.0, -745.0, -50.0, 0.0, 50.0, 745.0, 1000.0])
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        sp = sigmoid_prime(z)
        big = Network([3, 2], seed=0)
        big.weights[0][:] = 1e3
        out = big.feedforward(np.array([[1.0], [-1.0], [5.0]]))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert np.all((s >= 0) & (s <= 1)) and np.all(np.isfinite(sp)) and sp[3] == 0.25
    assert np.all(np.isfinite(out))


# ---------------------------------------------------------------- construction

@pytest.mark.parametrize("large, expected_std", [(False, 1 / np.sqrt(400)), (True, 1.0)])
def test_initial_weight_scale(large, expected_std):
    net = Network([400, 300, 10], seed=0)
    if large:
        net.large_weight_initializer()
    w = net.weights[0]
    assert w.shape == (300, 400)
    assert w.std() == pytest.approx(expected_std, rel=0.03)
    assert abs(w.mean()) < 0.02 * expected_std * 10
    assert net.weights[1].std() == pytest.approx(1.0 if large else 1 / np.sqrt(300), rel=0.15)
    assert net.biases[0].shape == (300, 1) and net.biases[0].std() == pytest.approx(1.0, rel=0.2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameters_have_the_requested_dtype(dtype):
    net = Network([5, 4, 3], seed=0, dtype=dtype)
    assert all(p.dtype == dtype for p in net.weights + net.biases)
    assert net.feedforward(np.zeros((2, 5), dtype)).dtype == dtype


@pytest.mark.parametrize("kwargs", [
    dict(sizes=[784]),
    dict(sizes=[]),
    dict(sizes=[784, 0, 10]),
    dict(sizes=[784, -3, 10]),
    dict(sizes=[784, 10], cost="hinge"),
    dict(sizes=[784, 10], cost=object),
    dict(sizes=[3, 4, 1], cost="log-likelihood"),
])
def test_bad_constructor_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        Network(**kwargs)


def test_bad_training_arguments_raise_value_error():
    net = Network([6, 3], seed=0)
    X, labels = synthetic(10)
    with pytest.raises(ValueError, match="6 values"):
        net.SGD((X[:, :5], labels), 1, 5, 0.5)
    with pytest.raises(ValueError):
        net.SGD([], 1, 5, 0.5)
    with pytest.raises(ValueError, match="evaluation_data"):
        net.SGD((X, labels), 1, 5, 0.5, monitor_evaluation_accuracy=True)


@pytest.mark.parametrize("cost, name", [(QuadraticCost, "quadratic"), (CrossEntropyCost, "cross-entropy"),
                                        (LogLikelihoodCost, "log-likelihood")])
def test_cost_is_a_class_or_its_name(cost, name):
    assert Network([3, 2], cost=cost).cost is cost
    assert Network([3, 2], cost=name).cost is cost
    assert repr(Network([784, 30, 10], cost=cost)) == f"Network([784, 30, 10], cost={cost.__name__}, dtype=float64)"


def test_same_seed_same_network_and_no_global_random_state():
    np.random.seed(99)
    before = np.random.get_state()[1].copy()
    a, b, c = Network([6, 5, 3], seed=42), Network([6, 5, 3], seed=42), Network([6, 5, 3], seed=43)
    X, labels = synthetic(40)
    a.SGD((X, labels), 2, 4, 0.5)
    b.SGD((X, labels), 2, 4, 0.5)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    for p, q in zip(params(a), params(b)):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(c.weights[0], Network([6, 5, 3], seed=42).weights[0])


def test_sgd_takes_pairs_or_arrays_and_leaves_them_untouched():
    X, labels = synthetic(40)
    pairs = as_pairs(X, labels, 3)
    snapshot = [(x.copy(), y.copy()) for x, y in pairs]
    a, b = Network([6, 4, 3], seed=2), Network([6, 4, 3], seed=2)
    a.SGD(pairs, 2, 10, 0.5)
    b.SGD((X, labels), 2, 10, 0.5)
    for p, q in zip(params(a), params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12)
    for (x, y), (x0, y0) in zip(pairs, snapshot):
        np.testing.assert_array_equal(x, x0)
        np.testing.assert_array_equal(y, y0)


def test_sgd_monitors_and_returns_the_four_lists_of_chapter_3(capsys):
    X, labels = synthetic(60)
    evaluation = [(x.reshape(-1, 1), int(j)) for x, j in zip(X[:20], labels[:20])]
    net = Network([6, 5, 3], seed=0)
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = net.SGD(
        as_pairs(X, labels, 3), 3, 10, 0.5, lmbda=0.1, evaluation_data=evaluation,
        monitor_evaluation_cost=True, monitor_evaluation_accuracy=True,
        monitor_training_cost=True, monitor_training_accuracy=True)
    assert len(evaluation_cost) == len(evaluation_accuracy) == len(training_cost) == len(training_accuracy) == 3
    # the last epoch's figures are the trained network's
    assert evaluation_accuracy[-1] == net.evaluate(evaluation)
    assert training_accuracy[-1] == net.evaluate((X, labels))
    assert evaluation_cost[-1] == pytest.approx(net.total_cost(evaluation, 0.1))
    assert training_cost[-1] == pytest.approx(net.total_cost((X, labels), 0.1))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 0 training complete"
    assert out[1] == f"Cost on training data: {training_cost[0]}"
    assert out[2] == f"Accuracy on training data: {training_accuracy[0]} / 60"
    assert out[4] == f"Accuracy on evaluation data: {evaluation_accuracy[0]} / 20"
    assert len(out) == 15


def test_sgd_prints_test_accuracy_per_epoch_as_chapter_1(capsys):
    X, labels = synthetic(50)
    test_data = [(x.reshape(-1, 1), int(j)) for x, j in zip(X[:10], labels[:10])]
    net = Network([6, 5, 3], seed=0)
    assert net.SGD(as_pairs(X, labels, 3), 2, 10, 3.0, test_data=test_data) == ([], [], [], [])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("Epoch 0: ") and out[0].endswith(" / 10")
    assert out[1] == f"Epoch 1: {net.evaluate(test_data)} / 10"


# ---------------------------------------------------------------- evaluation

def test_evaluate_counts_the_right_answers():
    net = Network([6, 5, 4], seed=0)
    X = np.random.default_rng(3).random((25, 6))
    predicted = np.array([int(np.argmax(net.feedforward(x.reshape(6, 1)))) for x in X])
    labels = predicted.copy()
    wrong = [0, 4, 7, 19]
    labels[wrong] = (labels[wrong] + 1) % 4
    expected = 25 - len(wrong)
    assert net.evaluate((X, labels)) == expected
    assert net.evaluate([(x.reshape(6, 1), int(j)) for x, j in zip(X, labels)]) == expected
    assert net.evaluate([(x.reshape(6, 1), one_hot_column(j, 4)) for x, j in zip(X, labels)]) == expected
    assert net.evaluate((X, np.eye(4)[labels])) == expected


@pytest.mark.parametrize("cost", COST_NAMES)
@pytest.mark.parametrize("lmbda", [0.0, 3.0])
def test_total_cost_is_the_mean_cost_plus_l2(cost, lmbda):
    net = Network([6, 4, 3], cost=cost, seed=0)
    X, labels = synthetic(9)
    mean = np.mean([net.cost.fn(net.feedforward(x.reshape(6, 1)), one_hot_column(j, 3))
                    for x, j in zip(X, labels)])
    l2 = 0.5 * lmbda / 9 * sum(np.sum(w ** 2) for w in net.weights)
    assert net.total_cost((X, labels), lmbda) == pytest.approx(mean + l2, rel=1e-10)


# ---------------------------------------------------------------- the book's own calls

@pytest.fixture(scope="module")
def book_data(mnist_data):
    """``mnist_loader.load_data_wrapper()`` as the book calls it, cut to a small slice."""
    import mnist_loader

    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    return training_data[:1000], validation_data[:500], test_data[:500]


@pytest.mark.mnist
@pytest.mark.slow
def test_chapter_1_example_runs_as_written(book_data, capsys):
    from digitapp import network  # in place of the book's `import network`

    training_data, validation_data, test_data = book_data
    net = network.Network([784, 30, 10], seed=1)  # the book's call, seeded: 1,000 images learn unevenly
    net.SGD(training_data, epochs=3, mini_batch_size=10, eta=3.0, test_data=test_data)
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == ["Epoch 0", "Epoch 1", "Epoch 2"]
    assert out[-1] == f"Epoch 2: {net.evaluate(test_data)} / 500"
    assert net.evaluate(test_data) > 150  # it learns: chance is 50 of 500 (seeds 0-5 give 184-296)


@pytest.mark.slow
@pytest.mark.mnist
def test_chapter_3_example_runs_as_written(book_data, capsys):
    from digitapp import network2  # in place of the book's `import network2`

    training_data, validation_data, test_data = book_data
    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost)
    net.large_weight_initializer()
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = net.SGD(
        training_data, 3, 10, 0.5, lmbda=5.0, evaluation_data=validation_data,
        monitor_evaluation_accuracy=True, monitor_training_cost=True)
    assert evaluation_cost == [] and training_accuracy == []
    assert len(evaluation_accuracy) == len(training_cost) == 3
    assert training_cost[-1] < training_cost[0]
    assert evaluation_accuracy[-1] == net.evaluate(validation_data) > 200  # chance is 50 of 500
    assert "Accuracy on evaluation data: " in capsys.readouterr().out


# ---------------------------------------------------------------- every activation with every cost

@pytest.mark.parametrize("activation, cost, sizes", [
    (activation, cost, sizes) for activation in ACTIVATION_NAMES for cost in COST_NAMES
    for sizes in ([4, 5, 3], [3, 4, 4, 2], [3, 5, 1])
    if not (cost == "log-likelihood" and sizes[-1] == 1)])  # a softmax of one output is always 1
def test_backprop_matches_the_numerical_gradient_for_every_activation(activation, cost, sizes):
    net = Network(sizes, cost=cost, activation=activation, seed=5, dtype=np.float64)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((sizes[0], 1))
    y = one_hot_column(0, sizes[-1]) if sizes[-1] > 1 else np.array([[0.7]])
    nabla_b, nabla_w = net.backprop(x, y)
    num_b, num_w = numerical_gradient(net, x, y)
    for analytic, numeric in zip(nabla_b + nabla_w, num_b + num_w):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cost", COST_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_fused_update_is_backprop_batch_plus_apply_gradient_for_every_activation(activation, cost):
    net = Network([6, 5, 4, 3], cost=cost, activation=activation, seed=3, dtype=np.float64)
    batched, book = net.copy(), net.copy()
    X, labels = synthetic(7, 6, 3, seed=4)
    Y = np.eye(3)[labels]
    net.update_mini_batch((X, Y), 0.7, 2.5, 50)
    nabla_b, nabla_w = batched.backprop_batch(X, Y)
    batched.apply_gradient(nabla_b, nabla_w, 0.7, 7, 2.5, 50)
    book.update_mini_batch_per_example((X, Y), 0.7, 2.5, 50)
    for other in (batched, book):
        for got, want in zip(params(net), params(other)):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert not np.array_equal(net.weights[0], Network([6, 5, 4, 3], cost=cost, activation=activation,
                                                      seed=3).weights[0])


def test_forward_returns_every_layers_weighted_inputs_and_activations():
    net = Network([5, 4, 3, 2], activation="tanh", cost="log-likelihood", seed=0)
    X = np.random.default_rng(1).random((6, 5))
    zs, activations = net.forward(X)
    assert [z.shape for z in zs] == [(6, 4), (6, 3), (6, 2)]
    assert [a.shape for a in activations] == [(6, 5), (6, 4), (6, 3), (6, 2)] and activations[0] is X
    np.testing.assert_allclose(zs[1], activations[1] @ net.weights[1].T + net.biases[1].T)
    np.testing.assert_allclose(activations[2], np.tanh(zs[1]))
    np.testing.assert_allclose(activations[-1].sum(axis=1), 1.0)  # the softmax output
    np.testing.assert_array_equal(net.feedforward(X), activations[-1])
    np.testing.assert_allclose(net.feedforward(X[2].reshape(5, 1)).ravel(), activations[-1][2], rtol=1e-12)


# ---------------------------------------------------------------- chapter 1's defaults, initialisers, copies

def test_network_is_chapter_1s_and_network2_chapter_3s():
    one, three = network.Network([784, 30, 10], seed=0), Network([784, 30, 10], seed=0)
    assert one.cost is QuadraticCost and three.cost is CrossEntropyCost
    assert one.activation is three.activation is ACTIVATIONS["sigmoid"]
    assert one.weights[0].std() == pytest.approx(1.0, rel=0.02)                    # N(0, 1), chapter 1
    assert three.weights[0].std() == pytest.approx(1 / np.sqrt(784), rel=0.02)     # N(0, 1/n_in), chapter 3
    assert isinstance(three, network.Network)  # one class: network2's only changes the defaults
    assert repr(one) == "Network([784, 30, 10], cost=QuadraticCost, dtype=float64)"


@pytest.mark.parametrize("activation, std", [("relu", np.sqrt(2 / 400)), ("leaky-relu", np.sqrt(2 / 400)),
                                             ("elu", np.sqrt(2 / 400)), ("swish", np.sqrt(2 / 400)),
                                             ("tanh", np.sqrt(1 / 400)), ("sigmoid", 1.0)])
def test_each_activation_starts_from_weights_that_suit_it(activation, std):
    net = network.Network([400, 300, 10], activation=activation, seed=0)
    assert net.weights[0].std() == pytest.approx(std, rel=0.03)
    if std != 1.0 and activation != "tanh":
        assert not any(b.any() for b in net.biases)  # He: biases 0
    chosen = network.Network([400, 300, 10], activation=activation, seed=0, weight_initializer="default")
    assert chosen.weights[0].std() == pytest.approx(np.sqrt(1 / 400), rel=0.03)


def test_activation_is_a_class_or_its_name_and_unknown_ones_are_refused():
    relu = ACTIVATIONS["relu"]
    assert Network([3, 2], activation="ReLU").activation is relu
    assert Network([3, 2], activation="leaky_relu").activation is ACTIVATIONS["leaky-relu"]
    assert Network([3, 2], activation=relu).activation is relu
    assert repr(Network([3, 2], activation=relu)) == "Network([3, 2], cost=CrossEntropyCost, activation=ReLU, dtype=float64)"
    for bad in (dict(activation="softplus"), dict(activation=object), dict(weight_initializer="xavier"),
                dict(dtype=np.int32)):
        with pytest.raises(ValueError):
            Network([3, 2], **bad)


def test_copy_and_from_weights_build_an_independent_network_with_those_weights():
    net = Network([5, 4, 3], cost="log-likelihood", activation="elu", seed=1, dtype=np.float32)
    twin = net.copy()
    assert type(twin) is Network and twin.sizes == net.sizes and twin.dtype == np.float32
    assert twin.cost is net.cost and twin.activation is net.activation
    for p, q in zip(params(net), params(twin)):
        np.testing.assert_array_equal(p, q)
        assert not np.shares_memory(p, q)
    twin.weights[0] += 1
    assert not np.array_equal(net.weights[0], twin.weights[0])
    built = network.Network.from_weights(net.weights, net.biases, cost="log-likelihood", activation="elu")
    x = np.ones((2, 5), np.float32)
    np.testing.assert_array_equal(built.feedforward(x), net.feedforward(x))
    with pytest.raises(ValueError, match="layer 2"):
        network.Network.from_weights(net.weights, [net.biases[0], net.biases[0]])


# ---------------------------------------------------------------- one output, quiet training, BLAS

def test_one_output_takes_numbers_as_targets_and_evaluates_at_one_half():
    net = Network([2, 1], seed=0)
    net.weights[0][:] = [[1.0, 0.0]]
    net.biases[0][:] = 0.0
    X = np.array([[-2.0, 0.0], [-0.1, 5.0], [0.1, 0.0], [3.0, -1.0]])  # outputs below, below, above, above 0.5
    assert net.evaluate((X, np.array([0, 0, 1, 1]))) == 4
    assert net.evaluate((X, np.array([1, 0, 1, 0]))) == 2
    assert net.evaluate((X, np.array([0.2, 0.4, 0.9, 0.6]))) == 4  # float targets: the side of 0.5 counts
    assert net.evaluate([(x.reshape(2, 1), int(y)) for x, y in zip(X, [0, 1, 1, 1])]) == 3
    assert net.evaluate([(x.reshape(2, 1), np.array([[y]])) for x, y in zip(X, [0.0, 0.0, 0.0, 1.0])]) == 3
    _, Y = net.as_arrays((X, np.array([0, 1, 0.5, 1])))
    assert Y.shape == (4, 1) and Y[2, 0] == 0.5


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_one_output_xor_trains_to_4_of_4_with_adam(activation):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    net = network.Network([2, 8, 1], cost="cross-entropy", activation=activation, seed=1)
    net.SGD((X, y), 300, 4, 0.05, optimizer="adam", verbose=False)
    assert net.evaluate((X, y)) == 4


def test_labels_that_do_not_fit_the_outputs_are_refused():
    net = Network([2, 3], seed=0)
    X = np.zeros((2, 2))
    for labels in (np.array([0, 3]), np.array([0.5, 1.0]), np.zeros((2, 2))):
        with pytest.raises(ValueError):
            net.as_arrays((X, labels))


def test_sgd_can_be_quiet(capsys):
    X, labels = synthetic(40)
    Network([6, 4, 3], seed=0).SGD((X, labels), 3, 10, 0.5, test_data=(X, labels), verbose=False,
                                   evaluation_data=(X, labels), monitor_evaluation_accuracy=True)
    assert capsys.readouterr().out == ""


def test_sgd_runs_with_one_blas_thread(monkeypatch):
    from threadpoolctl import threadpool_info

    seen = []
    original = Network.update_mini_batch

    def spy(self, *args, **kwargs):
        seen.append({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "update_mini_batch", spy)
    X, labels = synthetic(20)
    Network([6, 4, 3], seed=0).SGD((X, labels), 1, 10, 0.5, verbose=False)
    assert seen and all(threads <= {1} for threads in seen)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_sgd_takes_an_optimizer_by_name_or_object_and_learns(optimizer):
    from digitapp.optimizers import make_optimizer

    X, labels = blobs()
    by_name, by_object = (network.Network([2, 16, 3], cost="log-likelihood", activation="relu", seed=0)
                          for _ in range(2))
    by_name.SGD((X[:400], labels[:400]), 10, 10, 0.01 if optimizer == "adam" else 0.1, lmbda=0.1,
                optimizer=optimizer, verbose=False)
    chosen = make_optimizer(optimizer)
    by_object.SGD((X[:400], labels[:400]), 10, 10, 0.01 if optimizer == "adam" else 0.1, lmbda=0.1,
                  optimizer=chosen, verbose=False)
    for p, q in zip(params(by_name), params(by_object)):
        np.testing.assert_array_equal(p, q)
    assert by_name.evaluate((X[400:], labels[400:])) / 200 >= 0.95
    with pytest.raises(ValueError, match="optimizer object"):
        by_name.update_mini_batch((X[:5], np.eye(3)[labels[:5]]), 0.1, optimizer="adam")
    with pytest.raises(ValueError, match="unknown optimizer"):
        by_name.SGD((X, labels), 1, 10, 0.1, optimizer="rmsprop")


def test_a_deep_relu_softmax_network_learns_what_a_deep_sigmoid_one_struggles_with():
    """The tutorial's circles: two rings, one inside the other."""
    rng = np.random.default_rng(0)
    radius = np.concatenate([rng.uniform(0, 0.5, 300), rng.uniform(0.7, 1.0, 300)])
    angle = rng.uniform(0, 2 * np.pi, 600)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    labels = (radius > 0.6).astype(int)
    order = rng.permutation(600)
    X, labels = X[order], labels[order]
    net = network.Network([2, 16, 16, 2], cost="log-likelihood", activation="relu", seed=2)
    net.SGD((X[:400], labels[:400]), 60, 10, 0.01, optimizer="adam", verbose=False)
    assert net.evaluate((X[400:], labels[400:])) / 200 >= 0.97


# ---------------------------------------------------------------- chapter 1's lesson on the learning rate

@pytest.mark.mnist
def test_chapter_1_learning_rate_lesson(mnist_data):
    """Chapter 1's network learns far better with eta 3.0 than with eta 0.1 (the book's exercise)."""
    (X, labels), _, (test_x, test_y) = mnist_data
    correct = {}
    for eta in (0.1, 3.0):
        net = network.Network([784, 30, 10], seed=0)
        net.SGD((X[:3000], labels[:3000]), 2, 10, eta, verbose=False)
        correct[eta] = net.evaluate((test_x[:1000], test_y[:1000]))
    assert correct[3.0] > correct[0.1] + 200, correct


def test_early_stopping_after_n_epochs_without_a_better_evaluation_accuracy(capsys):
    X, labels = synthetic(40)
    net = Network([6, 4, 3], seed=0)
    _, accuracy, _, _ = net.SGD((X, labels), 50, 10, 0.0, evaluation_data=(X, labels),
                                monitor_evaluation_accuracy=True, early_stopping_n=3)
    assert len(accuracy) == 4  # eta 0: the first epoch sets the best, three more change nothing
    assert capsys.readouterr().out.splitlines()[-1].startswith("Early-stopping")
    with pytest.raises(ValueError, match="monitor_evaluation_accuracy"):
        net.SGD((X, labels), 1, 10, 0.1, early_stopping_n=2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lmbda", [0.0, 1.0])
def test_the_apps_step_is_bit_for_bit_the_arithmetic_the_shipped_model_was_trained_with(dtype, lmbda):
    """Sigmoid, cross-entropy, plain SGD: the same floating-point operations in the same order as before the
    activations and optimizers came, so the shipped model and every benchmark figure reproduce exactly."""
    from scipy.special import expit

    net = Network([12, 7, 5, 3], seed=4, dtype=dtype)
    weights, biases = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    rng = np.random.default_rng(0)
    for _ in range(5):
        X = rng.random((10, 12)).astype(dtype)
        Y = np.eye(3, dtype=dtype)[rng.integers(0, 3, 10)]
        net.update_mini_batch((X, Y), 0.5, lmbda, 100)
        # the step as it was written: forward, delta folded with eta/m, each layer updated in place
        activations = [X]
        for b, w in zip(biases, weights):
            z = np.dot(activations[-1], w.T)
            z += b.T
            activations.append(expit(z))
        delta = activations[-1] - Y
        delta *= 0.5 / 10
        for l in range(1, 4):
            w, b, a_in = weights[-l], biases[-l], activations[-l - 1]
            if l < 3:
                delta_below = np.dot(delta, w)
                delta_below *= a_in * (1 - a_in)
            nabla_w = np.dot(delta.T, a_in)
            if lmbda:
                w *= 1.0 - 0.5 * lmbda / 100
            w -= nabla_w
            b_row = b.T
            b_row -= np.add.reduce(delta, axis=0)
            if l < 3:
                delta = delta_below
    for got, want in zip(net.weights + net.biases, weights + biases):
        assert np.array_equal(got, want)
    x = rng.random((4, 12)).astype(dtype)
    a = x
    for b, w in zip(biases, weights):
        a = expit(np.dot(a, w.T) + b.T)
    assert np.array_equal(net.feedforward(x), a)
