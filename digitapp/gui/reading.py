"""The reading of a number: every digit large, and each digit's 28x28 input with its confidence.

A click on a digit (or on its input) selects it: the app then shows that
digit's bars and input, and a correction (the learning feature) applies to
it.  The panel only shows; the Reading comes from the Recognizer.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from dataclasses import dataclass
from typing import Callable

from ..preprocess import FIELD
from .scaling import Scaled
from .widgets import (BAR_COLOUR, MUTED_COLOUR, NOT_DIGIT_COLOUR, SURE_COLOUR, UNSURE_COLOUR, InputPreview,
                      derived_font, zoomed_photo)

SELECTED_FILL = "#dfe8f7"
HINT = "Write a number: every digit is read, left to right. Click a digit to select it."


@dataclass(frozen=True)
class SelectedDigit:
    """One digit of the reading picked for a correction: where it is and what it was read as.

    ``strokes`` are its strokes as drawn (point tuples, canvas pixels), None
    when the reading came from an opened picture; ``prediction.input`` is its
    28x28 input either way.
    """

    index: int
    prediction: object
    box: tuple[int, int, int, int]
    strokes: tuple | None


class ReadingPanel(ttk.Frame, Scaled):
    """The number in large type (unsure digits in orange with a '?', pieces that are no digit a red '✗') over a
    strip of per-digit inputs, each with the one measure its verdict was decided on (Prediction.percent).

    Canvas items are tagged ``digit{i}`` (the large digit), ``thumb{i}``
    (its 28x28 input), ``percent{i}`` (its confidence) and ``cell{i}`` (the
    background that is filled when the digit is selected).
    ``on_select(i)`` is called when the user clicks digit ``i``.
    """

    def __init__(self, master, width: int, scale: float = 1.0, on_select: Callable[[int], None] = lambda i: None):
        super().__init__(master)
        self.scale = scale
        self.width = width
        self.on_select = on_select
        self.reading = None
        self.selected: int | None = None
        self.photos: list[tk.PhotoImage] = []
        self.number_font = derived_font(size=30, weight="bold")
        self.small_font = derived_font(size=8)
        self.cell = self.px(50)
        self.canvas = tk.Canvas(self, width=width, height=self.px(118), highlightthickness=0, borderwidth=0,
                                background=ttk.Style(self).lookup("TFrame", "background"))
        self.canvas.pack(anchor="w")
        self.canvas.bind("<ButtonPress-1>", self._clicked)
        self.show(None)

    def __repr__(self):
        return f"ReadingPanel({self.reading!r}, selected={self.selected})"

    @property
    def text(self) -> str:
        """The number as shown, with '?' after each unsure digit ('' when nothing is read)."""
        return "" if self.reading is None else self.reading.marked_text

    def show(self, reading, selected: int | None = None) -> None:
        """Show a Reading (None or empty: the hint) with digit ``selected`` highlighted."""
        self.reading = reading
        self.selected = selected
        c = self.canvas
        c.delete("all")
        self.photos = []
        if reading is None or reading.is_empty:
            c.create_text(0, self.px(10), text=HINT, anchor="nw", font=self.small_font, fill=MUTED_COLOUR,
                          width=self.width, tags=("hint",))
            return
        cell = self._cell_width()
        zoom = max(1, (cell - self.px(6)) // FIELD)
        for i, p in enumerate(reading.predictions):
            x = i * cell
            colour = SURE_COLOUR if p.is_sure else UNSURE_COLOUR if p.is_digit else NOT_DIGIT_COLOUR
            fill = SELECTED_FILL if i == selected else ""
            c.create_rectangle(x, 0, x + cell - self.px(3), self.px(118), fill=fill, width=0, tags=(f"cell{i}",))
            c.create_text(x + cell / 2, self.px(22), text=p.symbol, fill=colour,
                          font=self.number_font, tags=(f"digit{i}",))
            photo = zoomed_photo(InputPreview.pixels(p.input), zoom, self)
            self.photos.append(photo)
            c.create_image(x + cell / 2, self.px(48), image=photo, anchor="n", tags=(f"thumb{i}",))
            c.create_text(x + cell / 2, self.px(50) + FIELD * zoom + self.px(2), text=p.percent,
                          anchor="n", font=self.small_font, fill=colour if i == selected else BAR_COLOUR,
                          tags=(f"percent{i}",))

    def index_at(self, x: float) -> int | None:
        """Which digit is under canvas x (None past the last one)."""
        if self.reading is None or self.reading.is_empty:
            return None
        i = int(x // self._cell_width())
        return i if 0 <= i < len(self.reading.predictions) else None

    def _cell_width(self) -> int:
        """Each digit's column: 50 px, narrower when many digits must fit."""
        return min(self.cell, max(self.px(24), self.width // len(self.reading.predictions)))

    def _clicked(self, event) -> None:
        i = self.index_at(event.x)
        if i is not None:
            self.on_select(i)


def mark_on_canvas(canvas: tk.Canvas, box: tuple[int, int, int, int] | None, pad: int = 6) -> None:
    """A dashed frame around the selected digit's strokes on the drawing canvas (None: no frame)."""
    canvas.delete("selection")
    if box is not None:
        x0, y0, x1, y1 = box
        canvas.create_rectangle(x0 - pad, y0 - pad, x1 + pad, y1 + pad, outline=SURE_COLOUR, dash=(4, 3),
                                width=2, tags=("selection",))
