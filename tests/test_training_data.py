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


# -- the cache ----------------------------------------------------------------------------------------

from digitapp.training_data import CACHE_DIR_ENV, cache_dir, cached_training_set  # noqa: E402


def cached_files(folder):
    return sorted(folder.glob("training-set-*.npz"))


def test_a_cached_training_set_is_the_built_one_bit_for_bit(data_dir, tmp_path, monkeypatch):
    settings = dict(data_dir=data_dir, styles=20, non_digits=10, turned_digits=5, seed=4)
    built = build_training_set(**settings)
    first = cached_training_set(folder=tmp_path / "cache", **settings)
    assert len(cached_files(tmp_path / "cache")) == 1

    def no_building(**kwargs):
        raise AssertionError("built again although cached")

    monkeypatch.setattr("digitapp.training_data.build_training_set", no_building)
    again = cached_training_set(folder=tmp_path / "cache", **settings)
    for x, y, z in zip(arrays(built), arrays(first), arrays(again), strict=True):
        assert x.dtype == y.dtype == z.dtype
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)


def test_every_setting_and_the_mnist_files_are_in_the_key(data_dir, tmp_path):
    folder = tmp_path / "cache"
    base = dict(data_dir=data_dir, styles=4, non_digits=3, turned_digits=2, seed=4)
    cached_training_set(folder=folder, **base)
    for change in (dict(seed=5), dict(styles=5), dict(non_digits=2), dict(turned_digits=1), dict(pen_copies=False),
                   dict(inputs="raw")):
        cached_training_set(folder=folder, **{**base, **change})
    assert len(cached_files(folder)) == 3  # the three most recently used are kept
    newest = cached_files(folder)
    mnist = next(data_dir.iterdir())
    mnist.write_bytes(mnist.read_bytes())  # the same content, a new modification time: built again, not trusted
    import os
    os.utime(mnist, ns=(1, 1))
    cached_training_set(folder=folder, **{**base, "inputs": "raw"})
    assert cached_files(folder) != newest


@pytest.mark.parametrize("damage", ["truncate", "garbage", "pickle", "wrong dtype"])
def test_a_damaged_cache_file_is_rebuilt_never_trusted(damage, data_dir, tmp_path, caplog):
    settings = dict(data_dir=data_dir, styles=4, non_digits=3, turned_digits=2, seed=4)
    folder = tmp_path / "cache"
    built = cached_training_set(folder=folder, **settings)
    (path,) = cached_files(folder)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:5000])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 100)
    elif damage == "pickle":
        import pickle
        path.write_bytes(pickle.dumps({"images": 1}))
    else:
        with np.load(path) as stored:
            parts = dict(stored)
        parts["images"] = parts["images"].astype(np.float64)
        np.savez(path, **parts)
    caplog.set_level("WARNING", logger="digitapp.training_data")
    again = cached_training_set(folder=folder, **settings)
    assert "not usable" in caplog.text and "building it again" in caplog.text
    for x, y in zip(arrays(built), arrays(again), strict=True):
        np.testing.assert_array_equal(x, y)
    assert cached_training_set(folder=folder, **settings) is not None  # and the rebuilt file is sound


def test_the_cache_lives_in_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv(CACHE_DIR_ENV)
    monkeypatch.delenv("DIGITAPP_USER_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "digitapp" / "training-sets"


def test_an_unwritable_cache_only_warns(data_dir, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    caplog.set_level("WARNING", logger="digitapp.training_data")
    data = cached_training_set(folder=blocker / "cache", data_dir=data_dir, styles=2, seed=1)
    assert len(data.images) and "could not cache" in caplog.text


def test_drawn_in_a_second_process_the_set_is_the_same(data_dir, monkeypatch):
    """Above PARALLEL_FROM drawings the templates are drawn beside the MNIST stages: the same arrays, bit for bit."""
    import digitapp.training_data as training_data

    settings = dict(data_dir=data_dir, writers=30, styles=150, non_digits=120, turned_digits=5, seed=4)
    here = build_training_set(**settings)
    monkeypatch.setattr(training_data, "PARALLEL_FROM", 100)
    monkeypatch.setattr(training_data, "_cores", lambda: 2)
    seen = {}
    beside = build_training_set(progress=lambda stage, done, total: seen.__setitem__(stage, (done, total)),
                                **settings)
    for x, y in zip(arrays(here), arrays(beside), strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    assert seen["styled digits"] == (150, 150) and seen["non-digits"] == (120, 120)
    assert seen["other writers"] == (30, 30)


def test_ctrl_c_while_the_worker_draws_ends_it_at_once(data_dir, monkeypatch):
    import time

    import digitapp.training_data as training_data

    monkeypatch.setattr(training_data, "PARALLEL_FROM", 100)
    monkeypatch.setattr(training_data, "_cores", lambda: 2)
    pools = []
    real = training_data.TemplateDrawings.__init__

    def remember(self, *args):
        real(self, *args)
        pools.append(self.pool)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training_data.TemplateDrawings, "__init__", remember)
    monkeypatch.setattr(training_data, "like_drawings", interrupted)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        build_training_set(data_dir=data_dir, styles=20_000, non_digits=20_000, seed=1)  # a minute's drawing
    assert time.monotonic() - started < 10
    (pool,) = pools
    assert all(not process.is_alive() for process in pool._pool)


def test_source_slices_find_each_source_in_the_built_set(data_dir):
    """The rows of each source are where source_slices says: the styled digits are the ones styled_digits draws."""
    from digitapp.styled import styled_digits
    from digitapp.training_data import source_slices

    settings = dict(writers=12, styles=20, non_digits=10, turned_digits=5)
    data = build_training_set(data_dir=data_dir, seed=2, **settings)
    slices = source_slices(len(data.images), pen_copies=True, **settings)
    styled_x, styled_y = styled_digits(20, np.random.default_rng([2, 2]))
    np.testing.assert_array_equal(data.images[slices["styled digits"]], styled_x)
    np.testing.assert_array_equal(data.labels[slices["styled digits"]], styled_y)
    assert (data.labels[slices["non-digits"]] == -1).all() and (data.labels[slices["turned digits"]] == -1).all()
    assert slices["turned digits"].stop == len(data.images)
    with pytest.raises(ValueError):
        source_slices(len(data.images) + 1, pen_copies=True, **settings)
