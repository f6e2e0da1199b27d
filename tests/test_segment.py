"""digitapp.segment: strokes and pictures cut into one piece per digit (and, through the recognizer, read)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from digitapp.recognizer import Recognizer
from digitapp.segment import estimate_slant, group_boxes, group_strokes, ink_pieces
from digitapp.strokes import render_strokes
from harness.shapes import DIGITS, number_on_canvas, place

#: Digits people draw in several strokes, each as (digit, strokes in the unit box).
MULTI_STROKE = {
    "two-stroke 4": (4, DIGITS[4]),
    "two-stroke 5": (5, [[(0.72, 0.14), (0.34, 0.14)], DIGITS[5][0][8:]]),
    "crossed 7": (7, DIGITS[7] + [[(0.42, 0.52), (0.78, 0.5)]]),
    "flagged 1": (1, [[(0.3, 0.32), (0.52, 0.12)]] + DIGITS[1]),
    "two-arc 3": (3, [DIGITS[3][0][:24], DIGITS[3][0][24:]]),
}


@pytest.fixture(scope="module")
def recognizer():
    return Recognizer.load()


def write(shapes, height=100.0, gap=0.25, slant=0.0, drift=0.0, sizes=None, top=60.0):
    """Shapes (lists of unit-box strokes) side by side, as a person writes a number."""
    strokes, x = [], 30.0
    for k, shape in enumerate(shapes):
        h = height * (sizes[k] if sizes else 1.0)
        strokes += place(shape, x, top + k * drift * height + (height - h), 0.7 * h, h, slant=slant)
        x += 0.7 * h + gap * height
    return strokes


def picture(strokes, pen=12.0, size=None):
    """The strokes as a scan would show them: dark ink on white paper."""
    points = np.concatenate([np.asarray(s) for s in strokes])
    size = size or (int(points[:, 0].max() + 40), int(points[:, 1].max() + 40))
    return ImageOps.invert(render_strokes(strokes, size, pen))


@pytest.mark.parametrize("name", MULTI_STROKE)
def test_a_digit_drawn_in_several_strokes_stays_one_digit(name, recognizer):
    digit, shape = MULTI_STROKE[name]
    strokes = place(shape, 40, 30, 180)
    pieces = group_strokes(strokes)
    assert len(pieces) == 1 and pieces[0].strokes == list(range(len(shape)))
    reading = recognizer.read_strokes(strokes)
    assert reading.text == str(digit)


@pytest.mark.parametrize("name", MULTI_STROKE)
def test_a_multi_stroke_digit_between_neighbours(name, recognizer):
    digit, shape = MULTI_STROKE[name]
    strokes = write([DIGITS[2], shape, DIGITS[8]])
    assert recognizer.read_strokes(strokes).text == f"2{digit}8"


@pytest.mark.parametrize("how", [
    dict(gap=0.1), dict(gap=0.6), dict(slant=0.35), dict(slant=-0.25),
    dict(sizes=[1.0, 0.6, 1.2, 0.8]), dict(drift=0.15), dict(drift=-0.15),
])
def test_digits_side_by_side_are_separated(how, recognizer):
    strokes = write([DIGITS[d] for d in (1, 7, 4, 5)], **how)
    reading = recognizer.read_strokes(strokes)
    assert reading.text == "1745", how
    assert [b[0] for b in reading.boxes] == sorted(b[0] for b in reading.boxes)  # left to right


def test_twelve_digits_as_strokes_and_as_a_picture(recognizer):
    text = "012345678912"
    strokes = number_on_canvas(text, 1400, 200)
    assert recognizer.read_strokes(strokes).text == text
    assert recognizer.read(picture(strokes, pen=8)).text == text


@pytest.mark.parametrize("whole, part, joined", [(0.9, 0.3, True), (0.05, 0.99, False), (0.2, 0.5, True)])
def test_strokes_that_nearly_touch_are_joined_when_the_network_prefers_them_joined(whole, part, joined):
    """Two halves of a 0 a tenth of a digit apart: one digit or two as the network's raw top outputs say."""
    left = [(30 - 30 * np.sin(a), 100 - 100 * np.cos(a) / 2 - 50) for a in np.linspace(0, np.pi, 20)]
    right = [(x + 40 + 2 * (30 - x) - 30, y) for x, y in left]
    assert min(x for x, _ in right) - max(x for x, _ in left) == pytest.approx(10)

    def outputs(members):
        return np.full(10, 0.01) + (whole if len(members) == 2 else part) * np.eye(10)[0]

    assert len(group_strokes([left, right])) == 2  # without the network they stay apart
    assert len(group_strokes([left, right], outputs)) == (1 if joined else 2)


def test_blank(recognizer):
    assert group_strokes([]) == [] and group_strokes([[], []]) == []
    empty = recognizer.read_strokes([])
    assert empty.text == "" and empty.is_empty and empty.predictions == () and empty.boxes == ()
    assert ink_pieces(np.zeros((50, 80)), 64) == []
    assert recognizer.read(Image.new("L", (300, 100), 255)).is_empty


@pytest.mark.parametrize("gap, pen", [(-0.25, 14), (-0.3, 12)])
def test_touching_digits_in_a_picture_are_cut_where_the_network_likes_the_parts(recognizer, gap, pen):
    strokes = write([DIGITS[5], DIGITS[0]], gap=gap)
    image = picture(strokes, pen=pen)
    ink = 255 - np.asarray(image)
    from scipy import ndimage

    assert ndimage.label(ink > 64)[1] == 1  # the ink of the two digits is one piece
    assert len(ink_pieces(ink, 64)) == 1  # without the network, touching digits stay together
    reading = recognizer.read(image)
    assert reading.text == "50"
    (a, b) = reading.boxes
    assert a[0] < b[0] and a[2] < b[2]


def test_touching_digits_the_network_reads_as_one_are_cut(recognizer):
    """A 0 and a 4 whose ink runs together read as a sure "1"; the parts read far surer as 0 and 4."""
    image = picture(write([DIGITS[0], DIGITS[4]], gap=-0.3), pen=14)
    from scipy import ndimage

    assert ndimage.label(255 - np.asarray(image) > 64, np.ones((3, 3)))[1] == 1  # one piece of ink
    reading = recognizer.read(image)
    assert reading.text == "04"
    assert reading.boxes[0][0] < reading.boxes[1][0]


@pytest.mark.parametrize("digits, gap, pen", [((4, 7), -0.25, 14), ((4, 7), -0.3, 12), ((3, 1), -0.3, 14)])
def test_neighbours_whose_ink_overlaps_without_touching_are_cut_between_their_pieces(recognizer, digits, gap, pen):
    """Neighbours written close overlap horizontally, or read joined as one digit, and are grouped (read as
    "9", "0", "3" before); their own pieces of ink are the cut, and the network is far surer of them apart."""
    image = picture(write([DIGITS[d] for d in digits], gap=gap), pen=pen)
    ink = 255 - np.asarray(image)
    from scipy import ndimage

    assert ndimage.label(ink > 64, np.ones((3, 3)))[1] == 2  # two pieces of ink
    assert recognizer.read(image).text == "".join(map(str, digits))


def test_a_wide_single_digit_stays_one(recognizer):
    """Width alone does not cut: a 0 written 1.3 times as wide as it is tall, between a 3 and a 7, is one digit."""
    strokes = write([DIGITS[3], DIGITS[7]], gap=2.2) + place(DIGITS[0], 130, 60, 183, 100)
    image = picture(strokes, pen=10)
    assert recognizer.read(image).text == "307"


def test_pieces_of_one_digit_in_a_picture_are_joined(recognizer):
    five = [[(0.72, 0.12), (0.36, 0.12)], DIGITS[5][0][11:]]  # the top bar drawn apart from the body
    strokes = write([DIGITS[3], five, DIGITS[9]], gap=0.4)
    image = picture(strokes, pen=10)
    from scipy import ndimage

    assert ndimage.label(255 - np.asarray(image) > 64)[1] == 4  # the 5's bar is a piece of its own
    assert recognizer.read(image).text == "359"


def test_a_broken_stroke_in_a_picture_is_joined(recognizer):
    seven = DIGITS[7][0]
    broken = [seven[:14], seven[15:]]  # a gap in the middle of the stroke
    strokes = write([DIGITS[1], broken, DIGITS[0]], gap=0.4)
    assert recognizer.read(picture(strokes, pen=8)).text == "170"


def test_each_piece_of_a_picture_holds_only_its_own_ink(recognizer):
    strokes = write([DIGITS[6], DIGITS[1]], gap=0.3)
    image = picture(strokes, pen=10)
    pieces = ink_pieces(255 - np.asarray(image), 64)
    assert len(pieces) == 2
    total = (255 - np.asarray(image)).astype(int).sum()
    inside = sum(int(p.image.astype(int).sum()) for p in pieces)
    assert abs(inside - total) <= 0.02 * total  # every bit of ink is in exactly one piece


@pytest.mark.parametrize("slant", [-0.4, -0.2, 0.0, 0.25, 0.5])
def test_estimate_slant_finds_the_shear(slant):
    ys = np.linspace(0, 100, 50)
    directions = []
    for x0 in (0, 40, 80):  # three upright strokes, leaned by the shear, and a horizontal bar
        line = np.stack([x0 - slant * (ys - 50), ys], axis=1)
        directions.append(np.diff(line, axis=0))
    directions.append(np.tile([[2.0, 0.0]], (30, 1)))
    assert estimate_slant(np.concatenate(directions)) == pytest.approx(slant, abs=1e-9)


def test_group_boxes_overlap_and_small_items():
    height = 100.0
    boxes = np.array([
        [0, 0, 60, 100],      # a digit
        [50, 0, 110, 100],    # overlaps it by 10 of 60: not enough, a digit of its own
        [150, 0, 210, 100],   # a digit
        [212, 0, 230, 20],    # a small flag just right of it: part of it
        [300, 0, 360, 100],   # a digit
        [320, 40, 340, 60],   # a bar inside it
    ], float)
    assert group_boxes(boxes, height) == [[0], [1], [2, 3], [4, 5]]
