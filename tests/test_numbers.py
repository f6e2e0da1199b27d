"""Numbers written from drawn digits (harness/numbers.py) and the numbers benchmark (bench/numbers.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import numbers as bench
from digitapp.recognizer import Recognizer
from harness import numbers


def test_a_number_is_its_digits_side_by_side_with_one_pen():
    templates, labels = numbers.shape_templates()
    rng = np.random.default_rng(0)
    number = numbers.compose([templates[d] for d in (2, 0, 2, 6)], [2, 0, 2, 6], rng)
    assert number.text == "2026" and len(number.digits) == 4
    assert numbers.PEN_MIN <= number.pen_width <= numbers.PEN_MAX
    lefts = [np.concatenate(d)[:, 0].min() for d in number.digits]
    rights = [np.concatenate(d)[:, 0].max() for d in number.digits]
    assert lefts == sorted(lefts) and rights == sorted(rights)  # left to right
    points = np.concatenate([np.concatenate(d) for d in number.digits])
    assert points.min() >= 0 and (points.max(axis=0) < number.size).all()  # all on the paper
    image = number.render()
    assert image.size == number.size and image.mode == "L"
    pixels = np.asarray(image)
    assert pixels[0, 0] == 255 and pixels.min() == 0  # dark ink on white
    assert len(number.strokes) == sum(len(d) for d in number.digits)


def test_numbers_are_seeded_and_balanced():
    templates, labels = numbers.shape_templates()
    first = numbers.make_numbers(30, templates * 10, np.tile(labels, 10), seed=3)
    again = numbers.make_numbers(30, templates * 10, np.tile(labels, 10), seed=3)
    assert [n.text for n in first] == [n.text for n in again]
    assert all(np.array_equal(a, b) for n, m in zip(first, again) for a, b in zip(n.strokes, m.strokes))
    lengths = [len(n.text) for n in first]
    assert min(lengths) >= numbers.LENGTHS[0] and max(lengths) <= numbers.LENGTHS[1] and len(set(lengths)) > 3
    counts = np.bincount([int(c) for n in first for c in n.text], minlength=10)
    assert counts.max() - counts.min() <= 2  # templates are used in turn


@pytest.mark.parametrize("truth, read, right", [
    ("2026", "2026", 4), ("2026", "2028", 3), ("2026", "226", 3), ("2026", "20126", 4), ("42", "", 0),
])
def test_digits_read_right_are_counted_by_alignment(truth, read, right):
    assert bench.matches(truth, read) == right


def test_the_benchmark_measures_readings_of_clear_numbers():
    templates, labels = numbers.shape_templates()
    written = numbers.make_numbers(12, templates * 8, np.tile(labels, 8), seed=1)
    result = bench.measure(Recognizer.load(), written, "strokes")
    assert result["digits"] == sum(len(n.text) for n in written)
    assert result["right_count"] >= 0.9 and result["per_digit"] >= 0.9  # clear digits: nearly all right
    assert 0 <= result["exact"] <= result["right_count"] <= 1
    table = bench.report({"strokes": result}, len(written), result["digits"])
    assert "right count" in table and "strokes" in table
