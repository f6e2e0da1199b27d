"""harness.personal_styles: the learning bench's writers, ways of writing the shipped model does not know."""

from __future__ import annotations

import numpy as np
import pytest

from digitapp.strokes import render_normalised, render_strokes
from digitapp.templates import DIGIT_STYLES
from harness.drawn import CANVAS
from harness.personal_styles import PERSONAL_STYLES, draw_personal_style
from harness.styles import STYLES

KNOWN = [(name, strokes) for name, drawings in DIGIT_STYLES.items() for strokes in drawings] + \
        [(name, style.strokes) for name, style in STYLES.items()]
SIDE, PEN = 56, 4
MAX_OVERLAP = 0.65  # the bench's styles share 0.48-0.88 of their ink with their training namesakes


def ink(strokes) -> np.ndarray:
    """The unit-box template drawn on a SIDE-pixel square, as a boolean ink mask."""
    scaled = [[(x * SIDE, y * SIDE) for x, y in stroke] for stroke in strokes]
    return np.asarray(render_strokes(scaled, (SIDE, SIDE), PEN)) > 0


def test_one_style_at_least_for_several_digits_and_names_start_with_the_digit():
    assert len(PERSONAL_STYLES) >= 6
    assert len({style.digit for style in PERSONAL_STYLES.values()}) >= 6
    assert all(name.startswith(str(style.digit)) for name, style in PERSONAL_STYLES.items())
    assert any(style.digit == 9 for style in PERSONAL_STYLES.values())  # the bench's "9 stays 9" needs one


@pytest.mark.parametrize("name", PERSONAL_STYLES)
def test_style_is_none_of_the_training_or_bench_templates(name):
    style = PERSONAL_STYLES[name]
    assert name not in DIGIT_STYLES and name not in STYLES
    mine = ink(style.strokes)
    for known, strokes in KNOWN:
        if int(known[0]) == style.digit:
            other = ink(strokes)
            overlap = (mine & other).sum() / (mine | other).sum()
            assert overlap < MAX_OVERLAP, f"{name} is too like {known} ({overlap:.2f} of the ink shared)"


@pytest.mark.parametrize("name", PERSONAL_STYLES)
def test_drawings_are_inside_the_canvas_and_render(name):
    rng = np.random.default_rng(0)
    for _ in range(5):
        strokes = draw_personal_style(name, rng)
        points = np.concatenate(strokes)
        assert len(strokes) == len(PERSONAL_STYLES[name].strokes)
        assert np.isfinite(points).all() and points.min() >= 0 and points.max() <= CANVAS
        extent = np.ptp(points, axis=0).max()
        assert extent >= CANVAS / 4  # drawn at a size a person reads, not a speck
        image = np.asarray(render_normalised(strokes))
        assert 0.05 < (image > 0).mean() < 0.6  # ink, but not a blot


def test_drawings_differ_from_one_writing_to_the_next():
    a, b = (draw_personal_style("9-g", np.random.default_rng(seed)) for seed in (0, 1))
    assert not np.allclose(np.concatenate(a)[:10], np.concatenate(b)[:10])


@pytest.mark.parametrize("name", PERSONAL_STYLES)
@pytest.mark.slow
def test_shipped_model_does_not_know_the_style(recognizer, name):
    """The learning bench measures learning only while the shipped model misreads these styles: if a
    retrained model reads one, replace it with a way of writing the model does not know."""
    rng = np.random.default_rng(0)
    right = np.mean([recognizer.predict_strokes(draw_personal_style(name, rng)).digit == PERSONAL_STYLES[name].digit
                     for _ in range(30)])
    assert right <= 0.8
