"""digitapp.styled and digitapp.templates: training drawings from hand-authored templates."""

from __future__ import annotations

import numpy as np
import pytest

from digitapp.preprocess import FIELD
from digitapp.styled import (NONE, TURNABLE, input_of, non_digits, scribble, stray_lines, styled_digits,
                             turned_digits, writer_variation)
from digitapp.templates import DIGIT_STYLES, NON_DIGITS


def test_every_digit_has_styles_and_names_start_with_the_digit():
    digits = {int(name[0]) for name in DIGIT_STYLES}
    assert digits == set(range(10))
    assert all(len(drawings) >= 1 for drawings in DIGIT_STYLES.values())


def test_templates_are_in_the_unit_box():
    for table in (DIGIT_STYLES, NON_DIGITS):
        for drawings in table.values():
            for strokes in drawings:
                points = np.concatenate([np.asarray(s, float).reshape(-1, 2) for s in strokes])
                assert points.min() >= -0.05 and points.max() <= 1.05


def test_bench_templates_are_other_drawings_than_training_ones():
    from harness.styles import NON_DIGITS as BENCH_SHAPES
    from harness.styles import STYLES

    trained = [np.concatenate([np.asarray(s, float).reshape(-1, 2) for s in strokes])
               for table in (DIGIT_STYLES, NON_DIGITS) for drawings in table.values() for strokes in drawings]
    rng = np.random.default_rng(0)
    bench = [style.strokes for style in STYLES.values()] + [shape(rng) for shape in BENCH_SHAPES.values()]
    for strokes in bench:
        points = np.concatenate([np.asarray(s, float).reshape(-1, 2) for s in strokes])
        assert not any(p.shape == points.shape and np.allclose(p, points, atol=0.02) for p in trained)


def test_writer_variation_is_seeded_and_varies():
    strokes = DIGIT_STYLES["7-crossed"][0]
    a = writer_variation(strokes, np.random.default_rng(1))
    b = writer_variation(strokes, np.random.default_rng(1))
    c = writer_variation(strokes, np.random.default_rng(2))
    assert len(a) == len(strokes) == 2
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.allclose(x, y) for x, y in zip(a, c))


def test_input_of_strokes_is_the_apps_input():
    """The same path as Recognizer.predict_strokes: render_normalised, then preprocess."""
    from digitapp.preprocess import preprocess
    from digitapp.strokes import render_normalised

    strokes = writer_variation(DIGIT_STYLES["3-round"][0], np.random.default_rng(0))
    x = input_of(strokes)
    assert x.dtype == np.uint8 and x.shape == (FIELD * FIELD,) and x.max() == 255
    expected = preprocess(render_normalised([s.tolist() for s in strokes]), ink="light")
    assert np.array_equal(x, np.round(expected[:, 0] * 255).astype(np.uint8))
    assert input_of([]) is None


def test_styled_digits_and_non_digits():
    X, y = styled_digits(60, np.random.default_rng(0))
    assert X.shape == (60, FIELD * FIELD) and X.dtype == np.uint8 and (X.max(axis=1) == 255).all()
    assert set(y) <= set(range(10)) and len(set(y)) >= 6
    N = non_digits(40, np.random.default_rng(0))
    assert N.shape == (40, FIELD * FIELD) and (N.max(axis=1) == 255).all()
    assert NONE < 0


@pytest.mark.parametrize("generator", [scribble, stray_lines])
def test_generators_make_strokes_in_the_box(generator):
    for seed in range(20):
        strokes = generator(np.random.default_rng(seed))
        points = np.concatenate([np.asarray(s, float).reshape(-1, 2) for s in strokes])
        assert len(points) >= 2 and points.min() >= 0 and points.max() <= 1


def test_a_lone_stray_line_is_never_near_vertical():
    for seed in range(200):
        strokes = stray_lines(np.random.default_rng(seed))
        if len(strokes) == 1:
            (x0, y0), (x1, y1) = strokes[0]
            assert abs(x1 - x0) > abs(y1 - y0)


def test_turned_digits_are_quarter_turns_of_turnable_digits():
    labels = np.arange(10)
    images = np.zeros((10, FIELD, FIELD), np.uint8)
    images[:, 0, 0] = 255               # the top-left corner marked
    images[:, 1, 1] = labels * 10 + 5   # and which digit it is
    out = turned_digits(images.reshape(10, -1), labels, 50, np.random.default_rng(0)).reshape(50, FIELD, FIELD)
    quarter_left, quarter_right = out[:, -1, 0] == 255, out[:, 0, -1] == 255
    assert (quarter_left ^ quarter_right).all() and quarter_left.any() and quarter_right.any()
    marks = np.where(quarter_left, out[:, -2, 1], out[:, 1, -2])
    assert set((marks - 5) // 10) <= set(TURNABLE)


def test_styles_left_out_are_not_drawn():
    from digitapp.templates import DIGIT_STYLES

    sixes = tuple(name for name in DIGIT_STYLES if name.startswith("6"))
    _, y = styled_digits(200, np.random.default_rng(0), leave_out=sixes)
    assert 6 not in y and set(y.tolist()) == set(range(10)) - {6}
    with pytest.raises(ValueError, match="no such styles"):
        styled_digits(5, np.random.default_rng(0), leave_out=("6-curly",))
