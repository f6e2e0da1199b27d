"""Sizes on a HiDPI screen: every size in the window is written for 96 dpi and drawn ``scale`` times larger.

No Tk import here, so :mod:`digitapp.gui.app` can use it before it knows
whether this Python has Tk at all.
"""

from __future__ import annotations


def ui_scale(root) -> float:
    """How much larger than at 96 dpi to draw, from Tk's scaling (pixels per point), in quarter steps."""
    scaling = float(root.tk.call("tk", "scaling"))
    return max(1.0, round(scaling / (96 / 72) * 4) / 4)


class Scaled:
    """Gives a window or panel with a ``scale`` (from :func:`ui_scale`) its ``px``: 96-dpi sizes in pixels."""

    scale: float = 1.0

    def px(self, n: float) -> int:
        """``n`` pixels at 96 dpi on this screen: never less than one."""
        return max(1, round(n * self.scale))
