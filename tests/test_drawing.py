"""digitapp.gui.drawing: strokes with undo and redo, and their image, without Tk or a display."""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitapp.gui.drawing import Drawing
from digitapp.strokes import render_strokes


def test_drawing_keeps_strokes_and_renders_them():
    d = Drawing((100, 100))
    d.begin_stroke((10, 10), 8)
    d.extend_stroke((10.2, 10.1))  # sub-pixel jitter is one point
    d.extend_stroke((90, 90))
    d.end_stroke()
    assert d.sheet.strokes[0].points == ((10, 10), (90, 90))
    reference = render_strokes([[(10, 10), (90, 90)]], (100, 100), 8)
    assert np.asarray(d.image)[50, 50] == 255
    assert d.undo() and np.asarray(d.image).max() == 0 and d.is_empty
    assert d.redo()
    np.testing.assert_array_equal(np.asarray(d.image), np.asarray(reference))
    assert not d.redo()


def test_drawing_on_a_picture_starts_over_and_undo_brings_it_back():
    d = Drawing((50, 50))
    picture = Image.new("L", (30, 20), 200)
    d.open_picture(picture, "p.png")
    assert d.recognisable() == (picture, None)
    d.begin_stroke((5, 5), 4)
    d.end_stroke()
    assert d.sheet.picture is None and len(d.sheet.strokes) == 1
    assert d.recognisable() == (None, [((5.0, 5.0),)])
    assert d.undo() and d.sheet.picture is picture
    assert d.clear() and d.is_empty and not d.clear()
    assert d.undo() and d.sheet.picture is picture
