"""digitapp.strokes: what the user drew, rendered as white ink on black."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from digitapp.strokes import render_strokes


def pixels(image):
    return np.asarray(image)


def distance_to_segment(shape, p, q):
    """For each pixel centre (x, y), its distance to the segment pq."""
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]].astype(float)
    p, q = np.asarray(p, float), np.asarray(q, float)
    d = q - p
    length2 = float(d @ d)
    t = np.zeros_like(xs) if length2 == 0 else np.clip(((xs - p[0]) * d[0] + (ys - p[1]) * d[1]) / length2, 0, 1)
    return np.hypot(xs - (p[0] + t * d[0]), ys - (p[1] + t * d[1]))


def test_returns_a_grayscale_image_of_the_requested_size():
    image = render_strokes([[(10, 10), (50, 30)]], (120, 80), 6)
    assert isinstance(image, Image.Image)
    assert image.mode == "L" and image.size == (120, 80)


def test_ink_is_255_on_a_black_field():
    a = pixels(render_strokes([[(10, 10), (50, 30), (90, 70)]], (100, 100), 8))
    assert set(np.unique(a)) == {0, 255}
    assert a[0, 99] == 0 and a[99, 0] == 0
    assert a[30, 50] == 255


@pytest.mark.parametrize("strokes", [[], [[]], [[], []]])
def test_nothing_drawn_is_all_black(strokes):
    assert not pixels(render_strokes(strokes, (64, 48), 10)).any()


@pytest.mark.parametrize("p, q", [((5, 5), (195, 145)), ((190, 10), (12, 160)), ((20, 100), (180, 100)),
                                  ((100, 5), (101, 195))])
@pytest.mark.parametrize("width", [1, 4, 15])
def test_a_fast_stroke_leaves_no_gap(p, q, width):
    """Two far-apart points: every pixel along the segment, and across the pen's width, is inked."""
    a = pixels(render_strokes([[p, q]], (200, 200), width))
    # along the segment, sampled far more finely than one pixel; a 1-px line may step
    # diagonally (8-connected), so there the nearest inked pixel may be a neighbour
    reach = 0 if width >= 2 else 1
    for t in np.linspace(0, 1, 2000):
        x, y = int(round(p[0] + t * (q[0] - p[0]))), int(round(p[1] + t * (q[1] - p[1])))
        assert a[y - reach:y + reach + 1, x - reach:x + reach + 1].max() == 255, (x, y)
    dist = distance_to_segment(a.shape, p, q)
    if width >= 4:
        assert (a[dist <= width / 2 - 1] == 255).all()  # solid across the pen
    assert not a[dist > width / 2 + 1.5].any()  # and nothing beyond it


@pytest.mark.parametrize("width", [3, 8, 15, 30])
def test_a_single_point_renders_a_disc_of_the_pen_width(width):
    centre = (50.0, 60.0)
    a = pixels(render_strokes([[centre]], (100, 120), width))
    r = width / 2
    dist = distance_to_segment(a.shape, centre, centre)
    assert (a[dist <= r - 1] == 255).all()
    assert not a[dist > r + 1.5].any()
    ys, xs = np.nonzero(a)
    assert abs((xs.max() - xs.min() + 1) - width) <= 2 and abs((ys.max() - ys.min() + 1) - width) <= 2
    if width >= 8:  # round, not square: the corners of its bounding box stay black
        assert a[ys.min(), xs.min()] == 0 and a[ys.max(), xs.max()] == 0
        assert abs(len(xs) - np.pi * r * r) <= 0.25 * np.pi * r * r


def test_stroke_ends_and_corners_are_round():
    width = 20
    points = [(40, 40), (160, 40), (160, 160)]
    a = pixels(render_strokes([points], (200, 200), width))
    # a round cap reaches r beyond the end along the stroke, but not into the square's corner
    assert a[40, 40 - 9] == 255
    assert a[40 - 9, 40 - 9] == 0
    # the outer corner of the join is rounded too
    assert a[40 - 9, 160 + 9] == 0
    assert a[40 - 9, 160] == 255 and a[40, 160 + 9] == 255


def test_several_strokes_are_all_drawn():
    strokes = [[(20, 20), (20, 80)], [(60, 20), (60, 80)], [(90, 50)]]
    a = pixels(render_strokes(strokes, (120, 100), 6))
    assert a[50, 20] == a[50, 60] == a[50, 90] == 255
    assert a[50, 40] == 0


def test_fractional_points_are_accepted():
    a = pixels(render_strokes([[(10.25, 10.75), (40.5, 30.5)]], (50, 50), 5.5))
    assert a[20, 25] == 255


# -- strokes from anywhere: checked and thinned before they are drawn -------------------------------

@pytest.mark.parametrize("strokes, why", [
    ([[(1, 2), (float("nan"), 3)]], "NaN or infinite"),
    ([[(1, 2), (float("inf"), 3)]], "NaN or infinite"),
    ([[(1, 2), (1e300, 3)]], "out"),
    ([[(0, 0), (1e6, 1e6)]], "out"),
    ([[("a", 2)]], "pairs of numbers"),
    ([[(1, 2, 3)]], "pairs of numbers"),
    ([5], "list of (x, y) points"),
    (7, "list of strokes"),
    ([[(1, 1)]] * 1001, "too many strokes"),
], ids=["nan", "inf", "huge", "wide", "text", "triple", "not-a-stroke", "not-a-list", "strokes"])
def test_strokes_no_drawing_could_be_are_one_line_errors(strokes, why):
    from digitapp.strokes import StrokeError, clean_strokes

    with pytest.raises(StrokeError, match=re.escape(why)) as err:
        clean_strokes(strokes)
    assert "\n" not in str(err.value) and isinstance(err.value, ValueError)


def test_a_drawing_as_dense_as_a_hand_draws_is_left_as_it_is():
    from digitapp.strokes import clean_strokes

    rng = np.random.default_rng(0)
    strokes = [rng.uniform(0, 300, (200, 2)).tolist() for _ in range(8)]
    cleaned = clean_strokes(strokes + [[]])
    assert cleaned == [[tuple(p) for p in s] for s in strokes] + [[]]  # empty strokes keep their place


@pytest.mark.slow
def test_a_million_points_are_thinned_to_what_the_pen_shows():
    from digitapp.strokes import KEPT_POINTS, clean_strokes, render_normalised

    t = np.linspace(0, 2 * np.pi, 1_000_000)
    circle = np.stack([150 + 100 * np.cos(t), 150 + 100 * np.sin(t)], axis=1)
    thinned = clean_strokes([circle])
    assert 100 < sum(len(s) for s in thinned) <= KEPT_POINTS
    dense, sparse = render_normalised([circle[::2500]]), render_normalised(thinned)
    assert dense.size == sparse.size
    assert np.abs(np.asarray(dense, float) - np.asarray(sparse, float)).mean() < 2  # the same ring


def test_many_strokes_are_thinned_but_each_keeps_its_ends():
    from digitapp.strokes import KEPT_POINTS, clean_strokes

    rng = np.random.default_rng(1)
    strokes = [rng.uniform(0, 300, (5000, 2)) for _ in range(200)]
    thinned = clean_strokes(strokes)
    assert sum(len(s) for s in thinned) <= KEPT_POINTS and all(len(s) >= 2 for s in thinned)
    assert all(s[0] == tuple(a[0]) and s[-1] == tuple(a[-1]) for s, a in zip(thinned, strokes))


# ---------------------------------------------------------------- strokes kept in a saved PNG (issue 21, point 5)

def test_strokes_survive_a_png_and_anything_else_is_ignored(tmp_path):
    import json

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    from digitapp.imagefile import load_image
    from digitapp.strokes import STROKES_KEY, saved_strokes, strokes_text

    strokes = [[(10.123, 20.0), (30.5, 40.25)], [(50.0, 60.0)]]
    info = PngInfo()
    info.add_itxt(STROKES_KEY, strokes_text(strokes), zip=True)
    Image.new("L", (64, 64), 255).save(tmp_path / "d.png", pnginfo=info)
    assert saved_strokes(load_image(tmp_path / "d.png")) == [[(10.12, 20.0), (30.5, 40.25)], [(50.0, 60.0)]]
    for text in ("{", "[]", json.dumps({"format": "other", "strokes": []}),
                 json.dumps({"format": "digitapp-strokes", "strokes": [[[1e9, 0]]]}),
                 json.dumps({"format": "digitapp-strokes", "strokes": []})):
        info = PngInfo()
        info.add_text(STROKES_KEY, text)
        Image.new("L", (8, 8)).save(tmp_path / "x.png", pnginfo=info)
        assert saved_strokes(load_image(tmp_path / "x.png")) is None, text
    assert saved_strokes(Image.new("L", (8, 8))) is None
