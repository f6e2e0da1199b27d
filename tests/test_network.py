"""digitapp.network: the maths checked against independent oracles.

The oracles are a numerical (central-difference) gradient of the cost, the
book's update formula written out here from ``backprop``, and small problems
whose answer is known.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

from digitapp.network import COSTS, DivergenceError, EpochResult, Network, sigmoid, sigmoid_prime

COST_NAMES = sorted(COSTS)


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


def synthetic(n, n_in=6, n_out=3, seed=0):
    """(X (n, n_in) float64, labels (n,)) with labels a function of X."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in))
    labels = np.argmax(X[:, :n_out], axis=1)
    return X, labels


def as_pairs(X, labels, n_out):
    return [(x.reshape(-1, 1), one_hot_column(int(j), n_out)) for x, j in zip(X, labels)]


def params(net):
    return [w.copy() for w in net.weights] + [b.copy() for b in net.biases]


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


@pytest.mark.parametrize("cost", COST_NAMES)
def test_output_delta_is_the_chain_rule(cost):
    """delta = dC/da * sigma'(z) (chapter 2, BP1)."""
    z = np.array([[-3.0], [-0.2], [0.0], [1.5], [4.0]])
    a = sigmoid(z)
    y = one_hot_column(2, 5)
    expected = COSTS[cost].derivative(a, y) * sigmoid_prime(z)
    np.testing.assert_allclose(COSTS[cost].delta(z, a, y), expected, rtol=1e-10)


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


def test_update_mini_batch_does_not_modify_the_batch():
    net = Network([6, 4, 3], seed=0)
    X, labels = synthetic(5, 6, 3)
    Y = np.eye(3)[labels]
    X0, Y0 = X.copy(), Y.copy()
    net.update_mini_batch((X, Y), 1.0, 1.0, 10)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


@pytest.mark.parametrize("cost", COST_NAMES)
def test_per_example_method_gives_the_same_training(cost):
    X, labels = synthetic(53, 6, 3, seed=5)
    results = {}
    for method in ("matrix", "per-example"):
        net = Network([6, 5, 3], cost=cost, seed=7, dtype=np.float64)
        net.SGD((X, labels), 2, 10, 0.8, lmbda=1.0, method=method)
        results[method] = params(net)
    for a, b in zip(results["matrix"], results["per-example"]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- SGD

def test_same_seed_gives_identical_weights_whatever_the_global_random_state():
    X, labels = synthetic(40)
    runs = []
    for global_seed in (0, 12345):
        np.random.seed(global_seed)
        net = Network([6, 5, 3], seed=42)
        net.SGD((X, labels), 3, 4, 0.5)
        runs.append(params(net))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
    other = Network([6, 5, 3], seed=43)
    other.SGD((X, labels), 3, 4, 0.5)
    assert not np.array_equal(other.weights[0], runs[0][0])


def test_network_does_not_touch_the_global_random_state():
    X, labels = synthetic(30)
    np.random.seed(99)
    before = np.random.get_state()[1].copy()
    net = Network([6, 4, 3], seed=1)
    net.SGD((X, labels), 2, 5, 0.5)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("form", ["pairs", "arrays"])
def test_sgd_does_not_mutate_the_callers_data(form):
    X, labels = synthetic(30)
    if form == "pairs":
        data = as_pairs(X, labels, 3)
        snapshot = [(x.copy(), y.copy()) for x, y in data]
    else:
        data = (X, labels)
        snapshot = (X.copy(), labels.copy())

    def shifting_transform(images, rng):  # an augmentation that works in place
        images += 0.01
        return images

    net = Network([6, 4, 3], seed=0, dtype=np.float64)
    net.SGD(data, 2, 7, 0.5, evaluation_data=data, transform=shifting_transform)
    if form == "pairs":
        assert len(data) == len(snapshot)
        for (x, y), (x0, y0) in zip(data, snapshot):
            np.testing.assert_array_equal(x, x0)
            np.testing.assert_array_equal(y, y0)
    else:
        np.testing.assert_array_equal(X, snapshot[0])
        np.testing.assert_array_equal(labels, snapshot[1])


def test_sgd_returns_history_and_calls_the_callback():
    X, labels = synthetic(60)
    evaluation = (X[:20], labels[:20])
    seen, progress = [], []
    net = Network([6, 5, 3], seed=0)
    history = net.SGD((X, labels), 3, 10, 0.5, lmbda=0.1, evaluation_data=evaluation,
                      callback=seen.append, progress=lambda done, total: progress.append((done, total)))
    assert len(history) == 3 and seen == history
    assert all(isinstance(h, EpochResult) for h in history)
    assert [h.epoch for h in history] == [1, 2, 3]
    for h in history:
        assert 0.0 <= h.evaluation_accuracy <= 1.0
        assert h.evaluation_cost > 0
        assert h.training_accuracy is None and h.training_cost is None
        assert h.seconds >= 0 and h.eta == 0.5
    # the last epoch's figures are the trained network's
    assert history[-1].evaluation_accuracy == net.evaluate(evaluation) / 20
    assert history[-1].evaluation_cost == pytest.approx(net.total_cost(evaluation, 0.1))
    assert progress[:6] == [(i, 6) for i in range(1, 7)] and len(progress) == 18


def test_sgd_monitors_training_and_follows_an_eta_schedule():
    X, labels = synthetic(30)
    net = Network([6, 4, 3], seed=0)
    history = net.SGD((X, labels), 3, 10, 9.9, monitor_training=True, eta_schedule=lambda e: 1.0 / (e + 1))
    assert [h.eta for h in history] == [1.0, 0.5, 1 / 3]
    assert history[-1].training_accuracy == net.evaluate((X, labels)) / 30
    assert history[-1].training_cost == pytest.approx(net.total_cost((X, labels)))
    assert all(h.evaluation_accuracy is None for h in history)


def test_sgd_accepts_the_books_pairs_and_evaluation_pairs():
    X, labels = synthetic(40)
    pairs = as_pairs(X, labels, 3)
    test_pairs = [(x.reshape(-1, 1), int(j)) for x, j in zip(X, labels)]
    a, b = Network([6, 4, 3], seed=2), Network([6, 4, 3], seed=2)
    ha = a.SGD(pairs, 2, 10, 0.5, evaluation_data=test_pairs)
    hb = b.SGD((X, labels), 2, 10, 0.5, evaluation_data=(X, labels))
    for p, q in zip(params(a), params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12)
    assert ha[-1].evaluation_accuracy == hb[-1].evaluation_accuracy


@pytest.mark.parametrize("eta", [1e300, np.inf])
def test_huge_eta_raises_divergence_error(eta):
    X, labels = synthetic(20, 5, 2)
    net = Network([5, 5, 5, 2], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError, match="eta"):
            net.SGD((X, labels), 3, 5, eta)


def test_nan_input_raises_divergence_error():
    X, labels = synthetic(20)
    X[3, 2] = np.nan
    net = Network([6, 4, 3], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError):
            net.SGD((X, labels), 1, 5, 0.5)


@pytest.mark.parametrize("method", ["matrix", "per-example"])
def test_learns_linearly_separable_blobs(method):
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    labels = rng.integers(0, 3, 600)
    X = centres[labels] + 0.4 * rng.standard_normal((600, 2))
    net = Network([2, 8, 3], seed=0)
    before = net.evaluate((X[400:], labels[400:])) / 200
    net.SGD((X[:400], labels[:400]), 15, 10, 1.0, method=method)
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


def test_feedforward_column_batch_and_flat_agree(net784):
    rng = np.random.default_rng(0)
    X = rng.random((5, 784))
    batch = net784.feedforward(X)
    assert batch.shape == (5, 10)
    for i in range(5):
        column = net784.feedforward(X[i].reshape(784, 1))
        flat = net784.feedforward(X[i])
        assert column.shape == (10, 1) and flat.shape == (10,)
        np.testing.assert_allclose(flat, column.ravel(), rtol=1e-12)
        np.testing.assert_allclose(batch[i], column.ravel(), rtol=1e-12)


def test_feedforward_is_the_layer_formula(net784):
    x = np.random.default_rng(1).random((784, 1))
    a = x
    for w, b in zip(net784.weights, net784.biases):
        a = 1 / (1 + np.exp(-(w @ a + b)))
    np.testing.assert_allclose(net784.feedforward(x), a, rtol=1e-12)


@pytest.mark.parametrize("shape", [(783,), (785,), (784, 2), (1, 783), (10, 1), (784, 1, 1), (1, 784, 1), ()])
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

@pytest.mark.parametrize("init, expected_std", [("scaled", 1 / np.sqrt(400)), ("normal", 1.0)])
def test_initial_weight_scale(init, expected_std):
    net = Network([400, 300, 10], init=init, seed=0)
    w = net.weights[0]
    assert w.shape == (300, 400)
    assert w.std() == pytest.approx(expected_std, rel=0.03)
    assert abs(w.mean()) < 0.02 * expected_std * 10
    assert net.weights[1].std() == pytest.approx(1 / np.sqrt(300) if init == "scaled" else 1.0, rel=0.15)
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
    dict(sizes=[784, 10], init="zeros"),
])
def test_bad_constructor_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        Network(**kwargs)


def test_bad_training_arguments_raise_value_error():
    net = Network([6, 3], seed=0)
    X, labels = synthetic(10)
    with pytest.raises(ValueError):
        net.SGD((X, labels), 1, 5, 0.5, method="fastest")
    with pytest.raises(ValueError):
        net.SGD((X[:, :5], labels), 1, 5, 0.5)
    with pytest.raises(ValueError):
        net.SGD([], 1, 5, 0.5)


def test_repr():
    net = Network([784, 30, 10], cost="quadratic", seed=0)
    text = repr(net)
    assert text.startswith("Network(") and "[784, 30, 10]" in text and "quadratic" in text


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
    np.testing.assert_array_equal(net.predict(X), predicted)


@pytest.mark.parametrize("cost", COST_NAMES)
@pytest.mark.parametrize("lmbda", [0.0, 3.0])
def test_total_cost_is_the_mean_cost_plus_l2(cost, lmbda):
    net = Network([6, 4, 3], cost=cost, seed=0)
    X, labels = synthetic(9)
    mean = np.mean([net.cost.fn(net.feedforward(x.reshape(6, 1)), one_hot_column(j, 3))
                    for x, j in zip(X, labels)])
    l2 = 0.5 * lmbda / 9 * sum(np.sum(w ** 2) for w in net.weights)
    assert net.total_cost((X, labels), lmbda) == pytest.approx(mean + l2, rel=1e-10)
