"""digitapp.training_data: the training set as one function of its settings, on tiny random MNIST files."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import N_TEST, N_TRAIN, write_files
from digitapp.styled import NONE
from digitapp.training_data import as_pixels, build_training_set

N_MNIST_TRAINING = N_TRAIN * 5 // 6   # the rest of the training file is the validation split


@pytest.fixture
def data_dir(tmp_path, offline, tiny):
    return write_files(tmp_path / "mnist", tiny["raw"])


def arrays(data) -> list[np.ndarray]:
    return [data.images, data.labels, *data.validation, *data.test]


@pytest.mark.slow
def test_the_same_settings_build_the_same_arrays(data_dir):
    settings = dict(data_dir=data_dir, styles=20, non_digits=10, turned_digits=5, seed=4)
    first, again = build_training_set(**settings), build_training_set(**settings)
    for x, y in zip(arrays(first), arrays(again), strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    other = build_training_set(**{**settings, "seed": 5})
    assert not np.array_equal(first.images, other.images)


def test_the_parts_in_order_and_each_from_its_own_random_stream(data_dir):
    data = build_training_set(data_dir=data_dir, styles=20, non_digits=10, turned_digits=5, seed=2)
    n = 2 * N_MNIST_TRAINING  # MNIST and its pen copies
    assert data.images.dtype == np.uint8 and data.images.shape == (n + 20 + 10 + 5, 784)
    np.testing.assert_array_equal(data.labels[:N_MNIST_TRAINING], data.labels[N_MNIST_TRAINING:n])
    assert set(data.labels[n:n + 20]) <= set(range(10)) and (data.labels[n + 20:] == NONE).all()
    fewer = build_training_set(data_dir=data_dir, styles=20, non_digits=3, turned_digits=5, seed=2)
    np.testing.assert_array_equal(fewer.images[:n + 20], data.images[:n + 20])  # more non-digits change nothing else
    assert data.validation[0].dtype == data.test[0].dtype == np.float32


def test_raw_inputs_are_mnist_as_it_comes(data_dir, tiny):
    data = build_training_set(data_dir=data_dir, inputs="raw", pen_copies=False)
    images, labels = tiny["arrays"][:2]
    np.testing.assert_array_equal(data.images, images[:N_MNIST_TRAINING].reshape(N_MNIST_TRAINING, -1))
    np.testing.assert_array_equal(data.labels, labels[:N_MNIST_TRAINING])
    with pytest.raises(ValueError, match="inputs must be one of"):
        build_training_set(data_dir=data_dir, inputs="drawn")


def test_progress_counts_every_image_of_each_long_stage(data_dir):
    seen: dict[str, list[tuple[int, int]]] = {}
    build_training_set(data_dir=data_dir, progress=lambda stage, done, total: seen.setdefault(stage, []).append(
        (done, total)))
    assert seen["preprocessing"] == [(k, N_TRAIN + N_TEST) for k in range(1, N_TRAIN + N_TEST + 1)]
    assert seen["pen copies"] == [(k, N_MNIST_TRAINING) for k in range(1, N_MNIST_TRAINING + 1)]


def test_as_pixels_rounds():
    np.testing.assert_array_equal(as_pixels(np.array([[0.0, 0.5, 1.0, 0.998]], np.float32)), [[0, 128, 255, 254]])
