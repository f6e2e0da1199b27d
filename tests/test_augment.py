"""digitapp.augment: the random distortions of training digits, and MNIST redrawn with a uniform pen.

Oracles: an all-zero distortion is the identity, a quarter turn is
``np.rot90``, thickening is a 2x2 maximum filter (``scipy.ndimage``), and uint8
pixels get the same distortion as floats.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from digitapp.augment import Augmenter, pen_redrawn
from digitapp.preprocess import FIELD, preprocess
from digitapp.strokes import CANVAS_SIDE, render_strokes
from harness.shapes import on_canvas

STILL = dict(rotation=0, shear=0, scale=0, shift=0, elastic=0, thickness=0)


def digits(*labels, pen=20) -> np.ndarray:
    """Clear digits as the network's inputs: float32 (N, 784) in [0, 1]."""
    return np.stack([preprocess(render_strokes(on_canvas(d), (CANVAS_SIDE, CANVAS_SIDE), pen)).ravel()
                     for d in labels])


def as_pixels(X: np.ndarray) -> np.ndarray:
    return np.round(X * 255).astype(np.uint8)


class FixedRng:
    """Stands in for a Generator: every uniform draw is its ``low`` or its ``high`` end, random() is ``u``."""

    def __init__(self, end: str = "high", u: float = 0.99):
        self.end, self.u = end, u

    def uniform(self, low, high, size=None):
        value = high if self.end == "high" else low
        return value if size is None else np.full(size, float(value))

    def random(self):
        return self.u


@pytest.fixture(scope="module")
def X():
    return digits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)


# ---------------------------------------------------------------- the distortion

@pytest.mark.parametrize("pixels", [False, True], ids=["float", "uint8"])
def test_an_all_zero_distortion_is_the_identity(X, pixels):
    images = as_pixels(X) if pixels else X
    out = Augmenter(**STILL)(images, np.random.default_rng(0))
    assert out.dtype == images.dtype
    np.testing.assert_array_equal(out, images)


def test_the_default_distortion_changes_every_image(X):
    out = Augmenter(block=1)(X, np.random.default_rng(0))
    assert all(np.abs(a - b).max() > 0.2 for a, b in zip(out, X))


@pytest.mark.parametrize("end, turns", [("high", 1), ("low", -1)])
def test_a_rotation_of_90_degrees_is_a_quarter_turn(X, end, turns):
    out = Augmenter(**{**STILL, "rotation": 90})(X, FixedRng(end))
    for a, b in zip(out, X):
        np.testing.assert_allclose(a.reshape(FIELD, FIELD), np.rot90(b.reshape(FIELD, FIELD), turns), atol=1e-6)


def test_thickening_is_a_2x2_maximum_filter(X):
    out = Augmenter(**{**STILL, "thickness": 1.0})(X, FixedRng(u=0.1))  # u < thickness / 2: thicker
    for a, b in zip(out, X):
        dilated = ndimage.maximum_filter(b.reshape(FIELD, FIELD), size=2, origin=-1, mode="constant")
        np.testing.assert_allclose(a.reshape(FIELD, FIELD), dilated / dilated.max(), atol=1e-6)
        assert a.sum() > 1.2 * b.sum()


def test_thinning_keeps_less_ink_and_a_peak_of_1(X):
    out = Augmenter(**{**STILL, "thickness": 1.0})(X, FixedRng(u=0.9))  # thickness / 2 <= u < thickness: thinner
    assert (out.sum(axis=1) < 0.9 * X.sum(axis=1)).all()
    np.testing.assert_allclose(out.max(axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_floats_stay_in_0_1_and_pixels_stay_uint8(X, seed):
    strong = Augmenter(rotation=30, shear=0.5, scale=0.3, shift=3, elastic=2.0, thickness=1.0, block=3)
    out = strong(X, np.random.default_rng(seed))
    assert out.shape == X.shape and out.dtype == X.dtype
    assert out.min() >= 0.0 and out.max() <= 1.0
    pixels = strong(as_pixels(X), np.random.default_rng(seed))
    assert pixels.dtype == np.uint8 and pixels.shape == X.shape


def test_same_seed_same_distortion_other_seed_another(X):
    augment = Augmenter(block=4)
    first = augment(X, np.random.default_rng(7))
    np.testing.assert_array_equal(augment(X, np.random.default_rng(7)), first)
    assert np.abs(augment(X, np.random.default_rng(8)) - first).max() > 0.2


def test_uint8_and_float_inputs_get_the_same_distortion_up_to_rounding(X):
    augment = Augmenter(block=3)
    floats = augment(as_pixels(X) / np.float32(255), np.random.default_rng(3))
    pixels = augment(as_pixels(X), np.random.default_rng(3))
    np.testing.assert_allclose(pixels, floats * 255, atol=0.5 + 1e-3)


def test_the_input_is_not_modified(X):
    before = X.copy()
    Augmenter()(X, np.random.default_rng(0))
    Augmenter(block=1, bank=4, thickness=1.0)(X, np.random.default_rng(0))
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("block", [1, 3])
@pytest.mark.parametrize("pixels", [False, True], ids=["float", "uint8"])
def test_warps_from_the_bank_a_chunk_at_a_time_are_the_warps_of_all_at_once(X, block, pixels):
    """The replay set is warped in chunks to keep its memory small: the same draws, the same result."""
    rows = np.tile(as_pixels(X) if pixels else X, (7, 1))  # 70 rows: blocks across the chunks' edges
    results = []
    for chunk in (10 ** 6, 4, 5):
        augment = Augmenter(block=block, bank=6, thickness=0.7)
        augment.CHUNK = chunk
        rng = np.random.default_rng(11)
        results.append([augment(rows, rng), augment(rows[:23], rng)])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- redrawn with a uniform pen

@pytest.fixture(scope="module")
def skimage_present():
    pytest.importorskip("skimage", reason="pen_redrawn needs scikit-image")


@pytest.mark.parametrize("pixels", [False, True], ids=["float", "uint8"])
def test_pen_redrawn_keeps_shape_and_dtype_and_peaks_at_full_ink(X, skimage_present, pixels):
    images = np.concatenate([X, np.zeros((1, FIELD * FIELD), X.dtype)])  # and a blank one
    images = as_pixels(images) if pixels else images
    out = pen_redrawn(images, np.random.default_rng(0))
    assert out.shape == images.shape and out.dtype == images.dtype
    assert not out[-1].any()  # blank stays blank
    np.testing.assert_allclose(out[:-1].max(axis=1), 255 if pixels else 1.0, atol=1e-6)
    if not pixels:
        assert out.min() >= 0.0


def test_pen_redrawn_gives_thin_and_thick_strokes_the_same_pen(skimage_present):
    labels = range(10)
    thin, thick = digits(*labels, pen=8), digits(*labels, pen=40)
    assert (thick.sum(axis=1) > 2 * thin.sum(axis=1)).all()  # the inputs differ a lot in ink
    # the same seed for both, so the same pen is chosen for each digit
    thin, thick = pen_redrawn(thin, np.random.default_rng(5)), pen_redrawn(thick, np.random.default_rng(5))
    ratio = thick.sum(axis=1) / thin.sum(axis=1)
    assert (ratio > 0.65).all() and (ratio < 1.35).all(), ratio


def test_pen_redrawn_reports_progress(X, skimage_present):
    seen = []
    pen_redrawn(X[:3], np.random.default_rng(0), progress=seen.append)
    assert seen == [0, 1, 2]


def test_pen_redrawn_draws_with_pens_of_several_sizes(X, skimage_present):
    ink = {float(pen_redrawn(X[:1], np.random.default_rng(seed))[0].sum().round(3)) for seed in range(8)}
    assert len(ink) >= 2
