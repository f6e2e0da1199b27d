"""The lab's core, without Tk: settings, a run's steps and points, confusion, snapshots, saving, comparing."""

from __future__ import annotations

import numpy as np
import pytest

from digitapp import lab as lab_module
from digitapp.lab import CHAPTER_1, PRESETS, SHIPPED, Lab, LabRun, LabSettings
from digitapp.model_io import load_model
from digitapp.recognizer import Recognizer
from tests.conftest import assert_one_line_naming


def fake_mnist(n=1200, n_validation=300, seed=0):
    """Images whose label is which of 10 horizontal bands is brightest: learnable in a few batches."""
    rng = np.random.default_rng(seed)

    def part(m):
        labels = rng.integers(0, 10, m)
        X = rng.random((m, 784)).astype(np.float32) * 0.2
        for i, y in enumerate(labels):
            X[i, y * 78:(y + 1) * 78] += 0.8
        return X, labels

    return part(n), part(n_validation)


SMALL = LabSettings(hidden=(10,), training_size=1000, batch_size=10, epochs=2, eta=1.0, lmbda=0.0)


@pytest.mark.parametrize("changes, words", [
    (dict(hidden=(0,)), "0 neurons"),
    (dict(hidden=(501,)), "501 neurons"),
    (dict(hidden=(10,) * 10_000), "10000 hidden layers"),
    (dict(eta=0), "eta 0"),
    (dict(eta=float("nan")), "eta nan"),
    (dict(lmbda=-1.0), "lmbda -1.0"),
    (dict(batch_size=0), "mini-batch size 0"),
    (dict(epochs=0), "epochs 0"),
    (dict(training_size=999), "training size 999"),
    (dict(training_size=50_001), "training size 50001"),
    (dict(activation="softplus"), "softplus"),
    (dict(cost="hinge"), "hinge"),
    (dict(optimizer="rmsprop"), "rmsprop"),
    (dict(seed=-1), "seed -1"),
])
def test_bad_settings_are_refused_in_one_line(changes, words):
    with pytest.raises(ValueError) as caught:
        SMALL.but(**changes)
    assert_one_line_naming(caught.value, words)


def test_presets_are_the_books_chapter_1_and_the_shipped_recipe():
    assert CHAPTER_1.sizes == [784, 30, 10] and CHAPTER_1.cost == "quadratic" and CHAPTER_1.eta == 3.0
    assert CHAPTER_1.init == "large" and CHAPTER_1.batch_size == 10
    assert SHIPPED.sizes == [784, 100, 10] and SHIPPED.cost == "cross-entropy" and SHIPPED.augment
    assert set(PRESETS.values()) == {CHAPTER_1, SHIPPED}
    assert LabSettings(hidden=()).sizes == [784, 10]  # no hidden layer is allowed
    assert LabSettings(hidden=[5, 6, 7]).hidden == (5, 6, 7)  # frozen, hashable


def test_a_run_steps_one_batch_and_reports_points_within_and_at_the_end_of_epochs():
    training, validation = fake_mnist()
    run = LabRun(SMALL, training, validation, report_every=25)
    assert run.batches_per_epoch == 100 and run.total_batches == 200
    before = run.network.weights[0].copy()
    assert run.step() is None and run.batches == 1
    assert not np.array_equal(before, run.network.weights[0])
    points = list(run.steps())
    assert [p.batches for p in points] == [25, 50, 75, 100, 125, 150, 175, 200]
    assert points[3].epoch == 1.0 and points[-1].epoch == 2.0 and run.done
    assert run.history == points
    assert points[-1].validation_accuracy > 0.9 > points[0].validation_accuracy - 0.5
    assert points[-1].training_cost < points[0].training_cost
    assert run.step() is None and run.batches == 200  # done: trains nothing more


def test_run_epoch_stops_at_the_epochs_end_and_a_seed_repeats_a_run():
    training, validation = fake_mnist()
    a, b = (LabRun(SMALL, training, validation, report_every=10) for _ in range(2))
    a.step()
    points = a.run_epoch()
    assert a.batches == 100 and points[-1].epoch == 1.0 and len(points) == 10
    b.run_epoch()
    np.testing.assert_array_equal(a.network.weights[0], b.network.weights[0])


@pytest.mark.parametrize("changes", [
    dict(optimizer="momentum", eta=0.1), dict(optimizer="adam", eta=0.005), dict(cost="log-likelihood"),
    dict(cost="quadratic", eta=3.0), dict(activation="relu", eta=0.1), dict(hidden=(), eta=0.5),
    dict(hidden=(20, 10, 10), activation="tanh", eta=0.1), dict(augment=True), dict(init="large", eta=3.0)])
def test_every_choice_trains(changes):
    training, validation = fake_mnist()
    run = LabRun(SMALL.but(epochs=1, **changes), training, validation)
    points = run.run_epoch()
    assert points[0].batches == 1 and points[-1].epoch == 1.0 and np.isfinite(points[-1].validation_cost)


def test_unless_told_a_run_measures_itself_at_once_then_as_often_as_a_small_share_of_its_time_allows():
    training, validation = fake_mnist(n=5000)
    run = LabRun(SMALL.but(training_size=5000, hidden=(100,)), training, validation)
    points = run.run_epoch()
    assert points[0].batches == 1 and points[-1].batches == 500 == run.batches
    assert {1, 2, 4, 8, 16, 32, 64, 128, 256} <= {p.batches for p in points}
    assert 10 <= len(points) < 500


def test_eta_lmbda_and_epochs_change_as_a_run_goes_the_rest_do_not():
    training, validation = fake_mnist()
    run = LabRun(SMALL, training, validation)
    run.step()
    run.change(eta=0.1, lmbda=2.0, epochs=5)
    assert (run.settings.eta, run.settings.lmbda, run.settings.epochs, run.total_batches) == (0.1, 2.0, 5, 500)
    for changes, words in ((dict(hidden=(20,)), "hidden cannot change"), (dict(eta=0), "eta 0")):
        with pytest.raises(ValueError) as caught:
            run.change(**changes)
        assert_one_line_naming(caught.value, words)
    assert run.settings.eta == 0.1


def test_confusion_counts_the_validation_subset_and_names_the_commonest_mistakes():
    training, validation = fake_mnist()
    run = LabRun(SMALL, training, validation)
    matrix = run.confusion()
    run.step()
    run.measure()
    np.testing.assert_array_equal(run.confusion(), run._count(run.network.feedforward(validation[0][:1000])))
    assert matrix.shape == (10, 10) and matrix.sum() == 300
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(validation[1], minlength=10))
    mistakes = run.most_confused(3)
    assert mistakes and all(t != p and c > 0 for t, p, c in mistakes)
    assert [c for _, _, c in mistakes] == sorted((c for _, _, c in mistakes), reverse=True)
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    assert mistakes[0][2] == off.max()


def test_snapshots_and_recognizers_are_copies_the_training_does_not_change():
    training, validation = fake_mnist()
    run = LabRun(SMALL, training, validation)
    shot, reader = run.snapshot(), run.recognizer()
    assert shot.point is None and shot.weights.shape == (10, 784)
    kept = shot.weights.copy()
    run.run_epoch()
    np.testing.assert_array_equal(shot.weights, kept)
    np.testing.assert_array_equal(reader.network.weights[0], kept)
    assert run.snapshot().point == run.history[-1]
    assert isinstance(run.snapshot().recognizer(), Recognizer)
    no_hidden = LabRun(SMALL.but(hidden=()), training, validation)
    assert no_hidden.snapshot().weights.shape == (10, 784)  # the output layer's, then


def test_save_writes_the_safe_format_into_the_users_lab_folder(user_dir):
    training, validation = fake_mnist()
    run = LabRun(SMALL, training, validation, name="run 1")
    run.run_epoch()
    first, second = run.save(), run.save()
    assert first.parent == user_dir / "lab" and first != second
    network = load_model(first)
    np.testing.assert_array_equal(network.weights[0], run.network.weights[0])
    assert network.sizes == [784, 10, 10]


def test_a_run_that_diverges_says_so_in_one_line():
    training, validation = fake_mnist()
    run = LabRun(SMALL, training, validation, report_every=1)
    run.network.weights[0][0, 0] = np.inf  # as a far too large eta leaves them
    with pytest.raises(ArithmeticError) as caught:
        run.step()
    assert_one_line_naming(caught.value, "smaller eta")


def test_a_lab_keeps_its_runs_for_comparing(monkeypatch):
    monkeypatch.setattr(lab_module, "mnist_split", lambda data_dir=None: fake_mnist())
    lab = Lab()
    first = lab.new_run(SMALL.but(epochs=1), report_every=10)
    second = lab.new_run(SMALL.but(epochs=1, eta=0.1), report_every=10)
    for run in lab.runs:
        run.run_epoch()
    curves = lab.curves([0, 1])
    assert list(curves) == ["run 1", "run 2"] == [first.name, second.name]
    assert len(curves["run 1"]) == 10 and curves["run 1"][-1][0] == 1.0
    assert curves["run 1"] != curves["run 2"]


@pytest.mark.mnist
def test_a_small_run_on_real_mnist_learns(mnist_data):
    training, validation, _ = mnist_data
    run = LabRun(LabSettings(hidden=(30,), training_size=2000, epochs=1, eta=0.5, lmbda=0.0), training, validation)
    points = run.run_epoch()
    assert points[-1].validation_accuracy > 0.75
    assert run.most_confused()
