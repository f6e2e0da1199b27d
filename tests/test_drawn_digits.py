"""The drawn digits (harness/drawn.py: skeleton tracing, a small seeded set) and their benchmark
(bench/drawn_digits.py: evaluation, report, command line)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import drawn_digits as bench
from conftest import skip_or_fail
from digitapp import trace
from digitapp.preprocess import FIELD
from harness import drawn


@pytest.fixture(scope="module")
def skimage_present():
    try:
        import skimage  # noqa: F401
    except ImportError:
        skip_or_fail("scikit-image is missing: pip install -e '.[train]'")


# ---------------------------------------------------------------- tracing, without MNIST or scikit-image

def test_a_plus_sign_is_two_straight_strokes():
    skeleton = np.zeros((21, 21), bool)
    skeleton[10, 2:19] = True
    skeleton[2:19, 10] = True
    branches = trace.trace_skeleton(skeleton)
    assert len(branches) == 4
    assert len(set.intersection(*({start, end} for start, end, _ in branches))) == 1  # one crossing
    strokes = trace.join_branches(branches, reach=4)
    assert len(strokes) == 2
    for stroke in strokes:  # each goes straight across: one end at each arm's tip
        ends = sorted(map(tuple, stroke[[0, -1]].round().astype(int).tolist()))
        assert ends in ([(2, 10), (18, 10)], [(10, 2), (10, 18)])


def test_a_ring_is_one_closed_stroke():
    yy, xx = np.mgrid[:30, :30]
    r = np.hypot(yy - 15, xx - 15)
    ring = np.abs(r - 10) < 0.5
    strokes = trace.join_branches(trace.trace_skeleton(ring), reach=4)
    assert len(strokes) == 1
    assert np.allclose(strokes[0][0], strokes[0][-1])
    assert len(strokes[0]) == ring.sum() + 1


def test_staircase_diagonals_are_not_crossings():
    skeleton = np.zeros((8, 8), bool)
    for i in range(6):  # a 4-connected staircase: every pixel also touches the next step diagonally
        skeleton[i + 1, i + 1] = skeleton[i + 1, i + 2] = True
    branches = trace.trace_skeleton(skeleton)
    assert len(branches) == 1


# ---------------------------------------------------------------- a small seeded set from real MNIST

@pytest.fixture(scope="module")
def small_set(skimage_present, mnist_data):
    test = mnist_data[2]
    drawings, labels = drawn.make_drawn_digits(20, seed=7, test=test)
    return test, drawings, labels


@pytest.mark.mnist
@pytest.mark.slow
def test_same_seed_same_drawings_and_a_prefix_of_longer_sets(small_set):
    test, drawings, labels = small_set
    again, again_labels = drawn.make_drawn_digits(10, seed=7, test=test)
    assert np.array_equal(again_labels, labels[:10])
    for a, b in zip(again, drawings):
        assert a.pen_width == b.pen_width and a.mnist_index == b.mnist_index
        assert len(a.strokes) == len(b.strokes)
        assert all(np.array_equal(s, t) for s, t in zip(a.strokes, b.strokes))
    other, _ = drawn.make_drawn_digits(3, seed=8, test=test)
    assert [d.mnist_index for d in other] != [d.mnist_index for d in drawings[:3]]


@pytest.mark.slow
@pytest.mark.mnist
def test_labels_are_the_mnist_labels_and_balanced(small_set):
    (images, mnist_labels), drawings, labels = small_set
    assert [d.label for d in drawings] == labels.tolist()
    assert all(mnist_labels[d.mnist_index] == d.label for d in drawings)
    assert np.bincount(labels, minlength=10).tolist() == [2] * 10
    assert len({d.mnist_index for d in drawings}) == 20


@pytest.mark.mnist
def test_strokes_stay_inside_the_canvas_and_the_ink_shows(small_set):
    _, drawings, _ = small_set
    for d in drawings:
        assert d.strokes and all(s.ndim == 2 and s.shape[1] == 2 for s in d.strokes)
        x0, y0, x1, y1 = d.bbox()
        r = d.pen_width / 2
        assert x0 - r >= 0 and y0 - r >= 0 and x1 + r <= drawn.CANVAS and y1 + r <= drawn.CANVAS
        assert drawn.PEN_RANGE[0] <= d.pen_width <= drawn.PEN_RANGE[1]
        image = np.asarray(d.render())
        assert image.shape == (drawn.CANVAS, drawn.CANVAS) and image.dtype == np.uint8
        assert image.max() == 255 and image[image > 0].size > 200  # real strokes, not a speck
        assert drawn.CANVAS / 3 - 2 <= drawn.ink_size(d) <= drawn.CANVAS


@pytest.mark.mnist
def test_the_shipped_model_reads_most_of_them_and_the_set_round_trips(small_set, tmp_path):
    from digitapp.recognizer import Recognizer

    test, drawings, labels = small_set
    result = bench.evaluate(Recognizer.load(), drawings)
    assert result.inputs.shape == (20, FIELD, FIELD) and np.allclose(result.inputs.max(axis=(1, 2)), 1)
    assert result.accuracy >= 0.6  # garbage drawings or wrong labels would give about 0.1
    assert result.confusion().sum() == 20
    same = bench.evaluate(Recognizer.load(), images=drawn.render_set(drawings[:5]), labels=labels[:5])
    assert np.array_equal(same.predicted, result.predicted[:5])
    assert "overall accuracy" in bench.report(result, bench.mnist_accuracy(Recognizer.load(), drawings, test))

    path = drawn.save_set(tmp_path / "set.npz", drawings, result.inputs, drawn.render_set(drawings[:20]), seed=7)
    loaded, loaded_labels, arrays = drawn.load_set(path)
    assert np.array_equal(loaded_labels, labels)
    assert arrays["images"].shape == (20, drawn.CANVAS, drawn.CANVAS) and arrays["inputs"].shape == (20, FIELD, FIELD)
    for a, b in zip(loaded, drawings):
        assert np.isclose(a.pen_width, b.pen_width) and a.mnist_index == b.mnist_index
        assert np.array_equal(np.asarray(a.render()), np.asarray(b.render()))


@pytest.mark.mnist
@pytest.mark.slow
def test_command_line_writes_the_sheets(skimage_present, mnist_data, tmp_path, capsys):
    assert bench.main(["--count", "10", "--seed", "1", "--samples", "4", "--out", str(tmp_path),
                    "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "overall accuracy" in out and "confusion matrix" in out
    assert (tmp_path / "drawn_samples.png").stat().st_size > 0
