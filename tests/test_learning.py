"""digitapp.learning: teaching a sample to a network with replay, and the replay set that ships."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import assert_one_line_naming
from digitapp import learning
from digitapp.learning import Learner, nearest_other_digits
from digitapp.recognizer import Recognizer
from digitapp.samples import Sample, StoreError


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
    assert images.dtype == np.uint8 and images.shape[1] == 784 and 1000 <= len(images) <= 10_000
    assert np.bincount(labels, minlength=10).min() >= len(images) // 20
    assert learning.replay_path().stat().st_size < 5e6
    assert (images.reshape(-1, 28, 28)[:, :, :2] == 0).mean() > 0.95  # preprocessed: ink in the middle
    accuracy = Recognizer.load().network.evaluate((images * np.float32(1 / 255), labels)) / len(labels)
    assert accuracy > 0.97  # digits the shipped model was trained on, labelled right


def test_the_replayed_neighbours_are_the_nearest_digits_of_other_labels():
    images, labels = learning.load_replay()
    x = images[:1] * np.float32(1 / 255)
    near = nearest_other_digits(images, labels, x, int(labels[0]), 64)
    assert len(near) == 64 and (labels[near] != labels[0]).all()
    distance = np.square(images * np.float32(1 / 255) - x).sum(axis=1)
    others = np.setdiff1d(np.flatnonzero(labels != labels[0]), near)
    assert (np.diff(distance[near]) >= 0).all() and distance[others].min() >= distance[near].max()


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
