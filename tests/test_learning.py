"""digitapp.learning: teaching a sample to a network with replay, and the replay set that ships."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import assert_one_line_naming
from digitapp import learning
from digitapp.learning import Learner, nearest_other
from digitapp.recognizer import NONE_BELOW, Recognizer
from digitapp.samples import NO_DIGIT, Sample, StoreError


@pytest.mark.slow
def test_learning_leaves_the_network_it_was_given_untouched():
    network = Recognizer.load().network
    before = [w.copy() for w in network.weights]
    learner = Learner(seed=0)
    trained = learner.learn(network, Sample.new(9, np.ones((784, 1)) * 0.5))
    assert trained is not network and len(learner.samples) == 1
    for w, b in zip(network.weights, before):
        np.testing.assert_array_equal(w, b)
    assert any(not np.array_equal(w, t) for w, t in zip(network.weights, trained.weights))


# -- the replay set -----------------------------------------------------------------------------------

def test_the_shipped_replay_set_is_uint8_mnist_like_and_balanced():
    images, labels = learning.load_replay()
    assert images.dtype == np.uint8 and images.shape[1] == 784 and 1000 <= len(images) <= 25_000
    digits = labels >= 0
    assert np.bincount(labels[digits], minlength=10).min() >= len(images) // 20
    assert 0.04 < (labels == NO_DIGIT).mean() < 0.3  # non-digits replayed too (a step picks them apart)
    assert set(np.unique(labels)) == {NO_DIGIT, *range(10)}
    assert learning.replay_path().stat().st_size < 6e6
    assert (images.reshape(-1, 28, 28)[:, :, :2] == 0).mean() > 0.95  # preprocessed: ink in the middle
    network = Recognizer.load().network
    accuracy = network.evaluate((images[digits] * np.float32(1 / 255), labels[digits])) / digits.sum()
    assert accuracy > 0.97  # digits the shipped model was trained on, labelled right
    outputs = network.feedforward(images[~digits] * np.float32(1 / 255))
    assert (outputs.max(axis=1) < NONE_BELOW).mean() > 0.7  # and most non-digits it says are none (78%)


def test_the_replayed_neighbours_are_the_nearest_digits_of_other_labels():
    images, labels = learning.load_replay()
    rows = [0, len(images) - 1]  # a digit and a non-digit, at once
    pixels = images * np.float32(1 / 255)
    for non_digits in (False, True):
        nearest = nearest_other(pixels, labels, pixels[rows], labels[rows], 64, non_digits=non_digits)
        assert nearest.shape == (2, 64)
        for row, near in zip(rows, nearest):
            among = labels < 0 if non_digits else (labels >= 0) & (labels != labels[row])
            assert among[near].all()
            distance = np.square(pixels - pixels[row]).sum(axis=1)
            others = np.setdiff1d(np.flatnonzero(among), near)
            assert (np.diff(distance[near]) >= -1e-4).all() and distance[others].min() >= distance[near].max() - 1e-4


def test_a_replay_set_built_without_styles_replays_none_of_them():
    """The leave-one-style-out bench's learners replay no drawing of the styles their fold left out."""
    from digitapp.templates import DIGIT_STYLES
    from harness.replay_set import build

    sixes = tuple(name for name in DIGIT_STYLES if name.startswith("6"))
    _, labels = build(per_class_plain=1, per_class_pen=1, styled=100, non_digits=5, turned=5, leave_out=sixes)
    styled = labels[20:120]  # after one plain and one pen-redrawn MNIST digit per class
    assert 6 not in styled and set(styled.tolist()) == set(range(10)) - {6}
    _, labels = build(per_class_plain=1, per_class_pen=1, styled=100, non_digits=5, turned=5)
    assert 6 in labels[20:120]


def test_a_replay_set_with_objects_is_refused(tmp_path):
    path = tmp_path / "hostile.npz"
    np.savez(path, images=np.array([object()], dtype=object), labels=np.zeros(1, np.uint8))
    with pytest.raises(StoreError) as err:
        learning.load_replay(path)
    assert_one_line_naming(err.value, path, "reinstall")
    with pytest.raises(StoreError, match="missing"):
        learning.load_replay(tmp_path / "none.npz")
    np.savez(path, images=np.zeros((3, 10), np.uint8), labels=np.zeros(3, np.uint8))
    with pytest.raises(StoreError, match="shapes"):
        learning.load_replay(path)


def test_a_digit_sample_the_app_answers_not_a_digit_is_misread():
    """Its own output the strongest is not enough: below NONE_BELOW the app shows ✗, not the digit."""
    network = Recognizer.load().network
    faint = np.full((784, 1), 0.02, np.float32)  # a grey smudge: every output low
    outputs = network.feedforward(faint.reshape(1, -1))[0]
    assert outputs.max() < NONE_BELOW
    strongest = Sample.new(int(outputs.argmax()), faint)
    assert learning.misread(network, [strongest]) == [strongest]
    assert learning.misread(network, [Sample.new(NO_DIGIT, faint)]) == []
