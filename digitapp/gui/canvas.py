"""The drawing canvas: mouse strokes on screen and, in step, in a Drawing, whose strokes get recognised."""

from __future__ import annotations

import io
import tkinter as tk
from typing import Callable

from PIL import Image

from .drawing import Drawing

PAPER_COLOUR = "#ffffff"
INK_COLOUR = "#16181d"
HINT_COLOUR = "#9aa3ad"


def photo_from_image(image: Image.Image, master=None) -> tk.PhotoImage:
    """A Tk photo of a PIL image, passed as PPM data (no ImageTk needed)."""
    data = io.BytesIO()
    image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(data, format="PPM")
    return tk.PhotoImage(master=master, data=data.getvalue(), format="ppm")


class DrawingCanvas(tk.Canvas):
    """A canvas ``side`` pixels high (and ``width`` wide, square if not given) that keeps its strokes in a
    :class:`Drawing`: room for a number, and for one digit as large as the square ``side`` x ``side``.

    ``on_change(kind)`` is called after every change, with kind ``"motion"``
    while a stroke is drawn and ``"stroke"`` or ``"reset"`` (undo, redo,
    clear, open) afterwards.  ``pen_width()`` gives the pen width in canvas
    pixels when a stroke starts.
    """

    def __init__(self, master, side: int, pen_width: Callable[[], float],
                 on_change: Callable[[str], None] = lambda kind: None, hint: str = "Draw a digit here",
                 width: int | None = None):
        width = side if width is None else width
        super().__init__(master, width=width, height=side, background=PAPER_COLOUR,
                         highlightthickness=0, borderwidth=0, cursor="pencil")
        self.side = side
        self.pen_width = pen_width
        self.on_change = on_change
        self.hint = hint
        self.drawing = Drawing((width, side))
        self._line: int | None = None  # the canvas item of the stroke being drawn
        self._flat: list[float] = []   # its coordinates, flat
        self._photo: tk.PhotoImage | None = None
        self.bind("<ButtonPress-1>", self.on_press)
        self.bind("<B1-Motion>", self.on_motion)
        self.bind("<ButtonRelease-1>", self.on_release)
        self.redraw()

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels: the drawing's."""
        return self.drawing.size

    def __repr__(self):
        return f"DrawingCanvas({self.size[0]}x{self.size[1]}, {self.drawing!r})"

    # -- mouse ---------------------------------------------------------------------------------

    def on_press(self, event) -> None:
        if self.drawing.drawing_stroke:  # a release we never saw (e.g. a grab elsewhere)
            self.on_release(event)
        had_picture = self.drawing.sheet.picture is not None
        width = float(self.pen_width())
        self.drawing.begin_stroke((event.x, event.y), width)
        if had_picture:
            self.delete("all")  # drawing on a picture starts a new drawing; undo brings it back
            self._photo = None
        self.delete("hint")
        self._flat = [event.x, event.y, event.x, event.y]  # a zero-length line with round caps is a dot
        self._line = self.create_line(*self._flat, width=width, fill=INK_COLOUR, capstyle=tk.ROUND,
                                      joinstyle=tk.ROUND, tags=("ink", "current-stroke"))
        self.on_change("motion")

    def on_motion(self, event) -> None:
        if self._line is None or self.drawing.extend_stroke((event.x, event.y)) is None:
            return
        if len(self._flat) == 4 and self._flat[:2] == self._flat[2:]:
            self._flat[2:] = [event.x, event.y]
        else:
            self._flat += [event.x, event.y]
        self.coords(self._line, *self._flat)
        self.on_change("motion")

    def on_release(self, event) -> None:
        if self._line is None:
            return
        self.on_motion(event)
        self.drawing.end_stroke()
        self.dtag(self._line, "current-stroke")
        self._line, self._flat = None, []
        self.on_change("stroke")

    # -- whole-canvas changes ------------------------------------------------------------------

    def clear(self) -> bool:
        changed = self.drawing.clear()
        self._after_reset()
        return changed

    def undo(self) -> bool:
        changed = self.drawing.undo()
        if changed:
            self._after_reset()
        return changed

    def redo(self) -> bool:
        changed = self.drawing.redo()
        if changed:
            self._after_reset()
        return changed

    def open_picture(self, picture: Image.Image, name: str = "") -> None:
        self.drawing.open_picture(picture, name)
        self._after_reset()

    def _after_reset(self) -> None:
        self._line, self._flat = None, []
        self.redraw()
        self.on_change("reset")

    def redraw(self) -> None:
        """Draw the current sheet from scratch: its picture, or its strokes, or the hint."""
        self.delete("all")
        self._photo = None
        sheet = self.drawing.sheet
        if sheet.picture is not None:
            picture = sheet.picture.copy()
            picture.thumbnail(self.size, Image.Resampling.LANCZOS)
            self._photo = photo_from_image(picture, master=self)
            self.create_image(self.size[0] // 2, self.size[1] // 2, image=self._photo, tags=("picture",))
        for stroke in sheet.strokes:
            flat = [c for point in stroke.points for c in point]
            if len(flat) == 2:
                flat *= 2
            self.create_line(*flat, width=stroke.width, fill=INK_COLOUR, capstyle=tk.ROUND,
                             joinstyle=tk.ROUND, tags=("ink",))
        if sheet.is_empty:
            self.create_text(self.size[0] // 2, self.size[1] // 2, text=self.hint, fill=HINT_COLOUR,
                             font="TkDefaultFont", tags=("hint",))
