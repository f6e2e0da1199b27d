"""digitapp.trace and digitapp.writers: MNIST training digits traced into strokes and redrawn by other writers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitapp.preprocess import strokes_input
from digitapp.trace import digit_strokes
from digitapp.writers import _ends, bend, unit_box, vary, writer_digits, writer_drawing


@pytest.fixture(scope="module")
def training_digits(mnist_data):
    (images, labels), _, _ = mnist_data
    return images[:400], labels[:400]


@pytest.mark.mnist
def test_a_traced_digit_drawn_again_looks_like_the_digit(training_digits):
    """Traced strokes redrawn through the app's stroke path overlap the MNIST digit's own input."""
    from digitapp.preprocess import preprocess

    images, _ = training_digits
    overlaps = []
    for image in images[:40]:
        strokes = digit_strokes(image)
        assert strokes and all(s.ndim == 2 and s.shape[1] == 2 for s in strokes)
        drawn = strokes_input([s.tolist() for s in strokes])[:, 0]
        original = preprocess(image.reshape(28, 28), ink="light")[:, 0]
        overlaps.append(float(drawn @ original / np.linalg.norm(drawn) / np.linalg.norm(original)))
    assert np.median(overlaps) > 0.7


def test_bend_curves_a_straight_stroke_and_keeps_its_ends_near():
    line = np.stack([np.full(30, 0.5), np.linspace(0.1, 0.9, 30)], axis=1)
    bent = [bend(line, np.random.default_rng(k)) for k in range(20)]
    off_line = [float(np.abs(b[:, 0] - 0.5).max()) for b in bent]
    assert max(off_line) > 0.03 and all(v <= 0.2 for v in off_line)  # bowed, at most two bumps of BEND
    assert all(len(b) == len(line) for b in bent)


def test_ends_are_cut_back_or_run_on():
    line = np.stack([np.linspace(0.1, 0.9, 40), np.full(40, 0.5)], axis=1)
    lengths = []
    for k in range(40):
        out = _ends(line, np.random.default_rng(k))
        lengths.append(float(np.hypot(*np.diff(out, axis=0).T).sum()))
        assert np.allclose(out[0], line[0]) or np.allclose(out[-1], line[-1]) or len(out) != len(line)
    assert min(lengths) < 0.8 - 0.02 and max(lengths) > 0.8 + 0.02


@pytest.mark.mnist
def test_vary_keeps_the_strokes_and_their_box(training_digits):
    images, _ = training_digits
    for k, image in enumerate(images[:30]):
        strokes = unit_box(digit_strokes(image))
        varied = vary(strokes, np.random.default_rng(k))
        assert len(varied) == len(strokes)
        points = np.concatenate(varied)
        assert math.isclose(float(np.ptp(points, axis=0).max()), 1.0, rel_tol=1e-6)  # unit_box again
        assert np.isfinite(points).all()


@pytest.mark.mnist
def test_writer_digits_are_seeded_labelled_and_not_copies(training_digits):
    images, labels = training_digits
    X, y = writer_digits(images[:60], labels[:60], 50, np.random.default_rng(3))
    again, y_again = writer_digits(images[:60], labels[:60], 50, np.random.default_rng(3))
    other, _ = writer_digits(images[:60], labels[:60], 50, np.random.default_rng(4))
    assert X.shape == (50, 784) and X.dtype == np.uint8 and (X.max(axis=1) == 255).all()
    np.testing.assert_array_equal(X, again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(X, other)
    assert set(y.tolist()) <= set(labels[:60].tolist()) and len(set(y.tolist())) >= 8
    # uint8 pixels and floats give the same drawings: the worker process is sent pixels
    as_pixels = np.rint(images[:60] * 255).astype(np.uint8)
    np.testing.assert_array_equal(writer_digits(as_pixels, labels[:60], 50, np.random.default_rng(3))[0], X)


@pytest.mark.mnist
def test_a_shipped_model_reads_most_redrawn_digits(training_digits):
    """The variation leaves a digit a digit: the shipped model (which never trained on these drawings) reads most."""
    from digitapp.recognizer import Recognizer

    images, labels = training_digits
    recognizer = Recognizer.load()
    rng = np.random.default_rng(7)
    right = []
    for image, label in zip(images[:200], labels[:200]):
        x = writer_drawing(image, rng)
        if x is not None:
            right.append(recognizer.predict_input(x.reshape(784, 1) / 255).digit == label)
    assert len(right) >= 190 and np.mean(right) > 0.85
