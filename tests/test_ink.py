"""digitapp.ink: which ways round a picture's ink is worth reading (the photo's polarity and its close calls)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from digitapp import ink as ink_module
from digitapp.ink import POLARITY_WEIGHT, ink_image, ink_readings, ink_ways, photo_polarity_reach
from tests.test_preprocess import drawing, photo_pair


def test_a_clean_picture_is_read_one_way_decided_by_ink_image():
    assert ink_ways(drawing()) == ((None, 0.0),)
    assert ink_ways(drawing(ink="light")) == ((None, 0.0),)


@pytest.mark.parametrize("ink", ["dark", "light"])
def test_a_given_ink_is_the_only_way(ink):
    assert ink_ways(photo_pair()[1], ink) == ((ink, 0.0),)


def test_a_clear_photo_is_read_one_way():
    """Dark ink on paper that stands out far more on the dark side: the other way is never tried."""
    paper = 215 * np.linspace(1.0, 0.6, 400)[None, :] * np.ones((300, 1))
    ink = np.asarray(drawing("four", size=(150, 180)), np.float32) / 255
    paper[60:240, 120:270] = paper[60:240, 120:270] * ink + 30 * (1 - ink)
    photo = Image.fromarray(np.clip(paper + np.random.default_rng(0).normal(0, 3, paper.shape), 0, 255)
                            .astype(np.uint8))
    way, reach = photo_polarity_reach(np.asarray(photo))
    assert way == "dark" and POLARITY_WEIGHT * np.log(reach) >= 1.0
    assert ink_ways(photo) == (("dark", 0.0),)


def test_a_close_call_is_read_both_ways_with_a_handicap_on_the_other():
    """Chalk on a board in uneven light: measured as a share of the light, the board's dark pixels beside the
    chalk reach nearly as far as the chalk, and the first guess is dark."""
    photo = photo_pair("one", 10, light=True)[1]
    (first, none), (other, handicap) = ink_ways(photo)
    assert (first, none, other) == ("dark", 0.0, "light")
    assert 0.0 < handicap < 1.0


@pytest.mark.parametrize("picture, given, smoothed", [(lambda: drawing(), None, 0),
                                                     (lambda: photo_pair()[1], "light", 1),
                                                     (lambda: photo_pair("one", 10, light=True)[1], None, 1)],
                         ids=["clean", "a given ink", "a photo read both ways"])
def test_ink_readings_are_ink_image_for_each_way(picture, given, smoothed, monkeypatch):
    """The readings give each way's ink_image, and a photo read both ways round is smoothed only once."""
    gray = picture()
    expected = [(ink_image(gray, way), handicap) for way, handicap in ink_ways(gray, given)]
    calls = []
    monkeypatch.setattr(ink_module, "_denoised", lambda g, real=ink_module._denoised: calls.append(1) or real(g))
    readings = ink_readings(gray, given)
    assert len(readings) == len(expected) and len(calls) == smoothed
    for (got, handicap), (want, want_handicap) in zip(readings, expected):
        assert handicap == want_handicap
        assert np.array_equal(np.asarray(got), np.asarray(want))


def test_a_photo_s_noise_is_smoothed_as_scipy_s_3x3_median_would():
    pixels = np.random.default_rng(0).integers(0, 256, (70, 90)).astype(np.uint8)
    np.testing.assert_array_equal(ink_module._denoised(Image.fromarray(pixels)),
                                  ndimage.median_filter(pixels.astype(np.float32), 3))
