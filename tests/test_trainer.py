"""digitapp.trainer: the training loop digitapp train runs around Network.update_mini_batch."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

from conftest import blobs, params, synthetic
from digitapp.network import COSTS
from digitapp.network2 import Network
from digitapp.trainer import Distillation, DivergenceError, EpochResult, train


def constant(eta):
    return lambda epoch: eta


@pytest.mark.parametrize("cost", sorted(COSTS))
def test_per_example_and_matrix_form_train_alike(cost):
    X, labels = synthetic(53, seed=5)
    results = []
    for per_example in (False, True):
        net = Network([6, 5, 3], cost=cost, seed=7)
        train(net, X, labels, 2, 10, constant(0.8), lmbda=1.0, per_example=per_example)
        results.append(params(net))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_without_augmentation_it_is_the_books_sgd():
    """Same seed, same shuffles, same steps: the loop adds plumbing, not maths."""
    X, labels = synthetic(47)
    ours, book = Network([6, 5, 3], seed=4), Network([6, 5, 3], seed=4)
    train(ours, X, labels, 3, 10, constant(0.5), lmbda=0.3)
    book.SGD((X, labels), 3, 10, 0.5, lmbda=0.3)
    for a, b in zip(params(ours), params(book)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_uint8_pixels_train_like_floats():
    X, labels = synthetic(40)
    pixels = np.rint(X * 255).astype(np.uint8)
    a, b = Network([6, 4, 3], seed=1, dtype=np.float32), Network([6, 4, 3], seed=1, dtype=np.float32)
    train(a, pixels, labels, 2, 8, constant(0.5))
    train(b, (pixels / 255).astype(np.float32), labels, 2, 8, constant(0.5))
    for p, q in zip(params(a), params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-6)


def test_same_seed_same_training_whatever_the_global_random_state():
    X, labels = synthetic(40)
    runs = []
    for global_seed in (0, 12345):
        np.random.seed(global_seed)
        net = Network([6, 5, 3], seed=42)
        train(net, X, labels, 3, 4, constant(0.5), augment=lambda images, rng: images + rng.normal(0, 0.01))
        runs.append(params(net))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_the_callers_data_is_never_modified():
    X, labels = synthetic(30)
    X0, labels0 = X.copy(), labels.copy()

    def shifting_in_place(images, rng):
        images += 0.01
        return images

    train(Network([6, 4, 3], seed=0), X, labels, 2, 7, constant(0.5), evaluation_data=(X, labels),
          augment=shifting_in_place)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(labels, labels0)


def test_history_progress_and_per_epoch_callback():
    X, labels = synthetic(60)
    evaluation = (X[:20], labels[:20])
    seen, progress = [], []
    net = Network([6, 5, 3], seed=0)
    history = train(net, X, labels, 3, 10, constant(0.5), lmbda=0.1, evaluation_data=evaluation,
                    on_epoch=seen.append, progress=lambda done, total: progress.append((done, total)))
    assert len(history) == 3 and seen == history
    assert all(isinstance(h, EpochResult) for h in history)
    assert [h.epoch for h in history] == [1, 2, 3]
    for h in history:
        assert h.evaluation_cost > 0 and h.seconds >= 0 and h.eta == 0.5
        assert h.training_accuracy is None and h.training_cost is None
    # the last epoch's figures are the trained network's
    assert history[-1].evaluation_accuracy == net.evaluate(evaluation) / 20
    assert history[-1].evaluation_cost == pytest.approx(net.total_cost(evaluation, 0.1))
    assert progress[:6] == [(i, 6) for i in range(1, 7)] and len(progress) == 18


def test_monitors_training_and_follows_the_eta_schedule():
    X, labels = synthetic(30)
    net = Network([6, 4, 3], seed=0)
    history = train(net, X, labels, 3, 10, lambda epoch: 1.0 / (epoch + 1), monitor_training=True)
    assert [h.eta for h in history] == [1.0, 0.5, 1 / 3]
    assert history[-1].training_accuracy == net.evaluate((X, labels)) / 30
    assert history[-1].training_cost == pytest.approx(net.total_cost((X, labels)))
    assert all(h.evaluation_accuracy is None for h in history)


def test_each_epoch_takes_the_schedules_rate():
    X, labels = synthetic(20)
    net = Network([6, 3], seed=0)
    zero_then_one = copy.deepcopy(net)
    train(zero_then_one, X, labels, 2, 5, lambda epoch: 0.0 if epoch == 0 else 1.0)
    for a, b in zip(params(zero_then_one), params(net)):
        assert not np.array_equal(a, b)
    frozen = copy.deepcopy(net)
    train(frozen, X, labels, 2, 5, constant(0.0))
    for a, b in zip(params(frozen), params(net)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("eta", [1e300, np.inf])
def test_huge_eta_raises_divergence_error(eta):
    X, labels = synthetic(20, 5, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError, match="eta"):
            train(Network([5, 5, 5, 2], seed=0), X, labels, 3, 5, constant(eta))


def test_nan_input_raises_divergence_error():
    X, labels = synthetic(20)
    X[3, 2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError, match="epoch 1"):
            train(Network([6, 4, 3], seed=0), X, labels, 1, 5, constant(0.5))


@pytest.mark.parametrize("shape, n_labels", [((10, 5), 10), ((10, 6), 9), ((0, 6), 0), ((60,), 10)])
def test_mismatched_data_is_a_value_error(shape, n_labels):
    with pytest.raises(ValueError, match="6 values"):
        train(Network([6, 3], seed=0), np.zeros(shape), np.zeros(n_labels, int), 1, 5, constant(0.5))


def test_learns_linearly_separable_blobs():
    X, labels = blobs()
    net = Network([2, 8, 3], seed=0)
    before = net.evaluate((X[400:], labels[400:])) / 200
    train(net, X[:400], labels[:400], 15, 10, constant(1.0), per_example=True)
    after = net.evaluate((X[400:], labels[400:])) / 200
    assert after >= 0.97 and after > before


def test_targets_one_hot_and_none_of_these():
    from digitapp.trainer import targets

    Y = targets(np.array([2, -1, 0]), 3, np.float32)
    assert Y.dtype == np.float32
    assert Y.tolist() == [[0, 0, 1], [0, 0, 0], [1, 0, 0]]


def test_non_digit_examples_push_every_output_down():
    X, labels = synthetic(300)
    noise = np.random.default_rng(1).random((300, 6)) * 0.2 + 2.0  # far from the digits: "none of these"
    net = Network([6, 3], seed=0)
    train(net, np.concatenate([X, noise]), np.concatenate([labels, np.full(300, -1)]), 20, 10, constant(0.5))
    assert net.feedforward(noise[:20]).max() < 0.2
    assert (net.feedforward(X).argmax(axis=1) == labels).mean() > 0.8


def test_with_a_softmax_output_none_of_these_aims_at_an_even_share():
    from digitapp.trainer import targets

    Y = targets(np.array([2, -1, 0]), 4, np.float32, softmax=True)
    assert Y.tolist() == [[0, 0, 1, 0], [0.25] * 4, [1, 0, 0, 0]]
    X, labels = synthetic(300)
    noise = np.random.default_rng(1).random((300, 6)) * 0.2 + 2.0
    net = Network([6, 8, 3], cost="log-likelihood", seed=0)
    train(net, np.concatenate([X, noise]), np.concatenate([labels, np.full(300, -1)]), 60, 10, constant(0.1))
    assert net.feedforward(noise).max(axis=1).mean() < 0.4  # near an even 1/3 each: no class claims them
    assert (net.feedforward(X).argmax(axis=1) == labels).mean() > 0.8


def test_optimizer_none_or_sgd_is_the_old_step_and_others_train():
    X, labels = synthetic(200)
    runs = {}
    for optimizer in (None, "sgd", "momentum", "adam"):
        net = Network([6, 5, 3], seed=0)
        train(net, X, labels, 3 if optimizer in (None, "sgd") else 20, 10,
              constant(0.01 if optimizer == "adam" else 0.5), 0.1, optimizer=optimizer)
        runs[optimizer] = net
    for p, q in zip(params(runs[None]), params(runs["sgd"])):
        np.testing.assert_array_equal(p, q)
    for optimizer in ("momentum", "adam"):
        assert not np.array_equal(runs[optimizer].weights[0], runs[None].weights[0])
        assert runs[optimizer].evaluate((X, labels)) > 0.8 * len(X)


# ---------------------------------------------------------------- a teacher's share of the targets

def test_a_teacher_s_targets_blend_its_outputs_with_the_labels():
    X, labels = synthetic(30)
    net = Network([6, 5, 3], seed=2)
    Y = np.eye(3)[labels]
    outputs = net.feedforward(X)
    np.testing.assert_allclose(Distillation(net, share=1.0).targets(X, Y), outputs)
    np.testing.assert_array_equal(Distillation(net, share=0.0).targets(X, Y), Y)
    np.testing.assert_allclose(Distillation(net, share=0.25).targets(X, Y), 0.75 * Y + 0.25 * outputs)
    pixels = np.rint(X * 255).astype(np.uint8)  # the training set's uint8 pixels, in chunks
    distillation = Distillation(net, share=1.0)
    distillation.CHUNK = 7
    np.testing.assert_allclose(distillation.targets(pixels, Y), net.feedforward(pixels / 255), rtol=1e-6)


def test_a_student_taught_by_a_teacher_alone_learns_what_the_teacher_knows_not_the_labels():
    """With share 1 the labels are not seen at all: shuffled labels teach nothing, the teacher everything."""
    X, labels = blobs()
    teacher = Network([2, 8, 3], seed=0)
    train(teacher, X, labels, 15, 10, constant(1.0))
    assert teacher.evaluate((X, labels)) >= 0.97 * len(X)
    shuffled = np.random.default_rng(0).permutation(labels)
    taught, alone = Network([2, 8, 3], seed=1), Network([2, 8, 3], seed=1)
    train(taught, X, shuffled, 15, 10, constant(1.0), distillation=Distillation(teacher, share=1.0))
    train(alone, X, shuffled, 15, 10, constant(1.0))
    assert taught.evaluate((X, labels)) >= 0.97 * len(X)
    assert alone.evaluate((X, labels)) < 0.6 * len(X)
