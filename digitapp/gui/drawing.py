"""What is on the canvas, as undoable states: the strokes that get recognised, and an image of them.

The recognizer gets the strokes as points (:meth:`Drawing.recognisable`) and
redraws them with a pen in proportion to the digit; the PIL image of the
strokes as drawn is kept only so that Save writes what the user sees.

No Tk here: the canvas widget shows a :class:`Drawing`, and the tests can
check undo, redo and the rendered image without a display.  A state (a
:class:`Sheet`) is either a set of strokes or a picture opened from a file;
starting to draw on a picture begins a new drawing, and undo brings the
picture back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from PIL import Image, ImageDraw, ImageOps

from ..strokes import PAPER, Point, draw_stroke, saved_strokes

#: Fewer pixels than this between two mouse positions are one point (sub-pixel jitter).
MIN_STEP = 0.5


@dataclass(frozen=True)
class Stroke:
    """One press-drag-release of the mouse: its points in canvas pixels and the pen width."""

    points: tuple[Point, ...]
    width: float

    def __repr__(self):
        return f"Stroke({len(self.points)} points, width={self.width:g})"


@dataclass(frozen=True)
class Sheet:
    """One undoable state of the canvas: strokes, or a picture opened from a file (grayscale)."""

    strokes: tuple[Stroke, ...] = ()
    picture: Optional[Image.Image] = None
    picture_name: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.strokes and self.picture is None

    def __repr__(self):
        if self.picture is not None:
            return f"Sheet(picture={self.picture_name!r}, size={self.picture.size})"
        return f"Sheet({len(self.strokes)} strokes)"


class Drawing:
    """The canvas contents: a history of sheets with undo and redo, and the ink as a PIL image.

    ``image`` is an 'L' image of ``size`` with the strokes drawn white on
    black, each with its own pen, by :mod:`digitapp.strokes`; it is updated
    segment by segment while a stroke is drawn and re-rendered on undo, redo
    and clear.  It is for saving (:meth:`image_to_save`), not for recognition.
    """

    def __init__(self, size: tuple[int, int]):
        self.size = (int(size[0]), int(size[1]))
        self._history: list[Sheet] = [Sheet()]
        self._at = 0
        self._points: list[Point] | None = None  # the stroke being drawn
        self._width = 0.0
        self.image = Image.new("L", self.size, PAPER)
        self._draw = ImageDraw.Draw(self.image)

    def __repr__(self):
        return f"Drawing(size={self.size}, {self.sheet!r}, step {self._at} of {len(self._history) - 1})"

    # -- what is there -------------------------------------------------------------------------

    @property
    def sheet(self) -> Sheet:
        """The current state."""
        return self._history[self._at]

    @property
    def drawing_stroke(self) -> bool:
        return self._points is not None

    @property
    def current_points(self) -> tuple[Point, ...]:
        """The points of the stroke being drawn (empty when none is)."""
        return tuple(self._points or ())

    @property
    def is_empty(self) -> bool:
        return self.sheet.is_empty and not self._points

    @property
    def can_undo(self) -> bool:
        return self._at > 0 and not self._points

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._history) - 1 and not self._points

    def recognisable(self) -> tuple[Image.Image | None, list[tuple[Point, ...]] | None]:
        """What to recognise: ``(picture, None)`` for an opened picture, else ``(None, stroke points)``.

        Strokes go to the recognizer as points (including the stroke being
        drawn), so it can redraw them with a pen in proportion to the digit;
        so do the strokes a PNG saved by the window carries when it is opened.
        """
        if self.sheet.picture is not None and not self._points:
            saved = saved_strokes(self.sheet.picture)  # a drawing the window saved: its strokes, as drawn
            return (self.sheet.picture, None) if saved is None else (None, [tuple(s) for s in saved])
        strokes = [] if self.sheet.picture is not None else [s.points for s in self.sheet.strokes]
        if self._points:
            strokes.append(tuple(self._points))
        return None, strokes

    def image_to_save(self) -> Image.Image:
        """What the user sees: the picture, or the strokes as dark ink on white paper."""
        if self.sheet.picture is not None and not self._points:
            return self.sheet.picture
        return ImageOps.invert(self.image)

    # -- drawing -------------------------------------------------------------------------------

    def begin_stroke(self, point: Point, width: float) -> None:
        """Start a stroke at ``point``; a pen dot appears at once."""
        if self.sheet.picture is not None:
            self._render(())  # drawing on a picture starts a new drawing (undo brings it back)
        self._points = [(float(point[0]), float(point[1]))]
        self._width = float(width)
        draw_stroke(self._draw, self._points, self._width)

    def extend_stroke(self, point: Point) -> Point | None:
        """Add ``point`` to the stroke; returns the previous point, or None if nothing was added."""
        if self._points is None:
            return None
        last = self._points[-1]
        point = (float(point[0]), float(point[1]))
        if abs(point[0] - last[0]) < MIN_STEP and abs(point[1] - last[1]) < MIN_STEP:
            return None
        self._points.append(point)
        draw_stroke(self._draw, [last, point], self._width)
        return last

    def end_stroke(self) -> Stroke | None:
        """Finish the stroke and make it one undoable step."""
        if self._points is None:
            return None
        stroke = Stroke(tuple(self._points), self._width)
        self._points = None
        strokes = () if self.sheet.picture is not None else self.sheet.strokes
        self._push(Sheet(strokes + (stroke,)))
        return stroke

    def open_picture(self, picture: Image.Image, name: str = "") -> None:
        """Show an image opened from a file instead of the drawing (one undoable step)."""
        self._points = None
        self._push(Sheet(picture=picture, picture_name=name))
        self._render(())

    # -- history -------------------------------------------------------------------------------

    def clear(self) -> bool:
        """Empty the canvas (one undoable step); False if it was empty already."""
        self._points = None
        if self.sheet.is_empty:
            self._render(())
            return False
        self._push(Sheet())
        self._render(())
        return True

    def undo(self) -> bool:
        if not self.can_undo:
            return False
        self._at -= 1
        self._render(self.sheet.strokes)
        return True

    def redo(self) -> bool:
        if not self.can_redo:
            return False
        self._at += 1
        self._render(self.sheet.strokes)
        return True

    def _push(self, sheet: Sheet) -> None:
        del self._history[self._at + 1:]  # a new step forgets what could be redone
        self._history.append(sheet)
        self._at += 1

    def _render(self, strokes) -> None:
        """Redraw the ink image from scratch (each stroke keeps its own pen width)."""
        self._draw.rectangle((0, 0, self.size[0], self.size[1]), fill=PAPER)
        for stroke in strokes:
            draw_stroke(self._draw, stroke.points, stroke.width)
