"""digitapp.optimizers: each step against one computed by hand from the textbook formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import synthetic
from digitapp.network import Network
from digitapp.optimizers import SGD, Adam, Momentum, Optimizer, make_optimizer


def test_sgd_is_the_books_step_with_l2():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    SGD().update_params([w], [g.copy()], eta=0.1, decays=[0.2])
    np.testing.assert_allclose(w, [(1 - 0.1 * 0.2) * 1.0 - 0.1 * 0.5, (1 - 0.1 * 0.2) * -2.0 - 0.1 * 0.25])


def test_momentum_two_steps_by_hand():
    w, opt = np.array([1.0, -1.0]), Momentum(mu=0.5)
    opt.update_params([w], [np.array([0.2, 0.4])], eta=0.1)
    np.testing.assert_allclose(w, [1.0 - 0.02, -1.0 - 0.04])            # v = -eta g
    opt.update_params([w], [np.array([0.2, -0.4])], eta=0.1, decays=[0.5])
    # v = mu v - eta (g + decay w), w = w + v
    v = [0.5 * -0.02 - 0.1 * (0.2 + 0.5 * 0.98), 0.5 * -0.04 - 0.1 * (-0.4 + 0.5 * -1.04)]
    np.testing.assert_allclose(w, [0.98 + v[0], -1.04 + v[1]])
    np.testing.assert_allclose(opt.velocities[0], v)


def test_adam_three_steps_against_the_papers_algorithm():
    b1, b2, eps, eta = 0.9, 0.999, 1e-8, 0.01
    grads = [np.array([0.3, -1.0, 1e-4]), np.array([0.1, -0.5, 2e-4]), np.array([-0.2, 0.0, 0.0])]
    w, opt = np.array([0.5, 0.5, 0.5]), Adam(b1, b2, eps)
    p, m, v = w.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads, start=1):
        opt.update_params([w], [g.copy()], eta)
        m = b1 * m + (1 - b1) * g            # Kingma and Ba (2015), Algorithm 1
        v = b2 * v + (1 - b2) * g * g
        p = p - eta * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose(w, p, rtol=1e-12, atol=1e-15)
    assert opt.t == 3
    np.testing.assert_allclose(opt.moments(0)[0], m, rtol=1e-12)
    np.testing.assert_allclose(opt.moments(0)[1], v, rtol=1e-12)
    opt.reset()
    assert opt.t == 0 and not opt.M


def test_adams_flat_step_is_the_papers_section_2_form_with_one_step_size():
    """eta_t = eta sqrt(1 - b2^t) / (1 - b1^t) and epsilon_t = epsilon sqrt(1 - b2^t), on one flat array with L2."""
    b1, b2, eps, eta, decay = 0.9, 0.999, 1e-3, 0.01, 0.1  # a large epsilon, so its scaling shows
    rng = np.random.default_rng(1)
    P, opt = rng.standard_normal(7), Adam(b1, b2, eps)
    p, m, v = P.copy(), np.zeros(7), np.zeros(7)
    for t in range(1, 6):
        g = rng.standard_normal(7) * 1e-3
        opt.update_flat(P, g.copy(), eta, decay, 4)  # the first 4 are weights: L2 adds decay * p
        g = g + decay * np.where(np.arange(7) < 4, p, 0.0)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        eta_t, eps_t = eta * math.sqrt(1 - b2 ** t) / (1 - b1 ** t), eps * math.sqrt(1 - b2 ** t)
        p = p - eta_t * m / (np.sqrt(v) + eps_t)
        np.testing.assert_allclose(P, p, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 2e-3)])
def test_adam_stays_the_papers_over_many_steps(dtype, rtol):
    rng = np.random.default_rng(0)
    b1, b2, eps, eta = 0.9, 0.999, 1e-8, 0.001
    w, opt = np.zeros((4, 3), dtype), Adam(b1, b2, eps)
    p, m, v = np.zeros((4, 3)), np.zeros((4, 3)), np.zeros((4, 3))
    for t in range(1, 317):
        g = rng.standard_normal((4, 3)) * rng.choice([1e-3, 1.0, 30.0])
        opt.update_params([w], [g.astype(dtype)], eta, [0.0])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - eta * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    assert w.dtype == dtype
    np.testing.assert_allclose(w, p, rtol=rtol, atol=rtol * 1e-3)
    np.testing.assert_allclose(opt.moments(0)[1], v, rtol=rtol)


def test_adam_l2_adds_decay_times_w_to_the_gradient():
    w, opt = np.array([2.0]), Adam()
    plain_w = np.array([2.0])
    opt.update_params([w], [np.array([0.1])], 0.01, decays=[0.05])
    Adam().update_params([plain_w], [np.array([0.1 + 0.05 * 2.0])], 0.01)
    np.testing.assert_allclose(w, plain_w, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", [Momentum, Adam])
def test_steps_keep_the_dtype(make, dtype):
    w = np.ones((3, 2), dtype)
    opt = make()
    for _ in range(3):
        opt.update_params([w], [np.full((3, 2), 0.1, dtype)], 0.1, [0.01])
    assert w.dtype == dtype and np.isfinite(w).all()


@pytest.mark.parametrize("lmbda", [0.0, 2.0])
@pytest.mark.parametrize("make", [SGD, Momentum, Adam])
def test_the_network_hands_its_optimizer_the_mean_gradients(make, lmbda):
    """update_mini_batch with an optimizer = backprop_batch / m, then the optimizer's own step; state stays in it."""
    net = Network([6, 5, 3], cost="cross-entropy", activation="relu", seed=0)
    reference = net.copy()
    X, labels = synthetic(8)
    Y = np.eye(3)[labels]
    ours, theirs = make(), make()
    for _ in range(3):
        net.update_mini_batch((X, Y), 0.05, lmbda, 40, ours)
        nabla_b, nabla_w = reference.backprop_batch(X, Y)
        theirs.update_params(reference.weights + reference.biases, [g / 8 for g in nabla_w + nabla_b], 0.05,
                             [lmbda / 40] * 2 + [0.0] * 2)
    for p, q in zip(net.weights + net.biases, reference.weights + reference.biases):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
    assert set(vars(net)) == set(vars(reference))  # no optimizer state on the network
    book, book_optimizer = Network([6, 5, 3], cost="cross-entropy", activation="relu", seed=0), make()
    for _ in range(3):
        book.update_mini_batch_per_example((X, Y), 0.05, lmbda, 40, book_optimizer)
    for p, q in zip(net.weights + net.biases, book.weights + book.biases):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)


def test_make_optimizer_names_classes_and_objects():
    assert isinstance(make_optimizer(None), SGD) and isinstance(make_optimizer("sgd"), SGD)
    assert isinstance(make_optimizer("Momentum"), Momentum) and isinstance(make_optimizer(Adam), Adam)
    adam = Adam(beta1=0.8)
    assert make_optimizer(adam) is adam
    assert make_optimizer("adam") is not make_optimizer("adam")  # a name gives fresh state
    for bad in ("rmsprop", 3):
        with pytest.raises(ValueError):
            make_optimizer(bad)
    for bad in (dict(mu=1.0), dict(mu=-0.1)):
        with pytest.raises(ValueError):
            Momentum(**bad)
    with pytest.raises(ValueError):
        Adam(beta2=1.0)
    assert repr(Momentum()) == "Momentum(mu=0.9)" and repr(SGD()) == "SGD()" and "Adam(beta1=0.8" in repr(adam)
    assert issubclass(Adam, Optimizer) and math.isfinite(Adam().epsilon)


@pytest.mark.parametrize("make", [SGD, Momentum, Adam])
def test_the_flat_step_is_the_list_step(make):
    """update_flat on one array (weights first, biases after) takes the same steps as update_params."""
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
    flat = np.concatenate([w.ravel(), b.ravel()])
    listed, flat_one = make(), make()
    for _ in range(3):
        gw, gb = rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
        listed.update_params([w, b], [gw.copy(), gb.copy()], 0.05, [0.1, 0.0])
        flat_one.update_flat(flat, np.concatenate([gw.ravel(), gb.ravel()]), 0.05, 0.1, w.size)
    np.testing.assert_allclose(flat, np.concatenate([w.ravel(), b.ravel()]), rtol=1e-12, atol=1e-15)


def test_flat_parameters_keep_the_values_and_become_the_networks_arrays():
    net = Network([5, 4, 3], activation="relu", seed=1)
    before = [p.copy() for p in net.weights + net.biases]
    flat = net.flat_parameters()
    assert flat.shape == (5 * 4 + 4 * 3 + 4 + 3,) and net.flat_parameters() is flat
    for p, q in zip(net.weights + net.biases, before):
        np.testing.assert_array_equal(p, q)
        assert p.base is flat
    flat[:] = 0
    assert not net.weights[0].any() and not net.biases[1].any()
