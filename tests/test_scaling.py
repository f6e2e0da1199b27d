"""digitapp.gui.scaling: 96-dpi sizes on any screen, without a display."""

from __future__ import annotations

import pytest

from digitapp.gui.scaling import Scaled, ui_scale


class Panel(Scaled):
    def __init__(self, scale: float):
        self.scale = scale


@pytest.mark.parametrize("scale, n, pixels", [(1.0, 14, 14), (1.5, 14, 21), (2.0, 0.3, 1), (1.25, 0, 1),
                                              (1.75, 10, 18)])
def test_px_scales_and_never_gives_less_than_a_pixel(scale, n, pixels):
    assert Panel(scale).px(n) == pixels


class FakeRoot:
    """Answers ``tk scaling`` as Tk would: pixels per point."""

    def __init__(self, scaling: float):
        self.tk = self
        self.scaling = scaling

    def call(self, *args):
        assert args == ("tk", "scaling")
        return str(self.scaling)


@pytest.mark.parametrize("dpi, scale", [(96, 1.0), (72, 1.0), (120, 1.25), (144, 1.5), (192, 2.0), (110, 1.25)])
def test_ui_scale_in_quarter_steps_and_never_below_one(dpi, scale):
    assert ui_scale(FakeRoot(dpi / 72)) == scale
