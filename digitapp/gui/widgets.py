"""The panels that show a Prediction (the answer with its bars, and the 28x28 input preview), and what all
the panels share: their colours, fonts made from Tk's, and magnified photos of small pictures."""

from __future__ import annotations

import tkinter as tk
import tkinter.font as tkfont
from tkinter import ttk
from typing import Callable

import numpy as np
from PIL import Image

from ..preprocess import DIGITS, FIELD
from ..recognizer import WEAK
from .canvas import photo_from_image
from .scaling import Scaled

SURE_COLOUR = "#2563c9"
UNSURE_COLOUR = "#c77c02"
NOT_DIGIT_COLOUR = "#b42318"
BAR_COLOUR = "#aab4c0"
TRACK_COLOUR = "#e6e9ee"
TEXT_COLOUR = "#1f2328"
MUTED_COLOUR = "#6b7480"


def derived_font(base: str = "TkDefaultFont", **options) -> tkfont.Font:
    """A copy of a named Tk font with some options changed (sizes in points scale with HiDPI)."""
    font = tkfont.nametofont(base).copy()
    font.configure(**options)
    return font


def zoomed_photo(pixels: np.ndarray, zoom: int, master: tk.Misc) -> tk.PhotoImage:
    """A uint8 picture (grey, or RGB) magnified ``zoom`` times with square pixels, ready for Tk."""
    height, width = pixels.shape[:2]
    image = Image.fromarray(pixels).resize((width * zoom, height * zoom), Image.Resampling.NEAREST)
    return photo_from_image(image, master=master)


class TextBox(ttk.Frame):
    """Words in a box of fixed size, ``width`` pixels by ``lines`` lines of ``font``: they wrap at ``wrap``
    pixels and, when longer, end cut short with '…', so no text moves the window and none is cut unseen.

    The height is the label's own for ``lines`` lines (no border or padding: just the lines), read from Tk.
    """

    def __init__(self, master, width: int, lines: int, font: tkfont.Font, wrap: int | None = None, **label_options):
        super().__init__(master, width=width)
        self.label = ttk.Label(self, text="\n".join("x" * lines), font=font, justify="left", padding=0, borderwidth=0,
                               wraplength=wrap or width, **label_options)
        self.configure(height=self.label.winfo_reqheight())
        self.pack_propagate(False)
        self.label.pack(anchor="nw")
        self.label.configure(text="")

    def say(self, text: str, **label_options) -> None:
        """Show ``text`` (whole if it fits, else its longest start that fits, with '…')."""
        label, room = self.label, int(self.cget("height"))
        label.configure(text=text, **label_options)
        if label.winfo_reqheight() <= room:
            return
        fits, longer = 0, len(text)  # the most characters that fit, found by halving
        while fits < longer:
            middle = (fits + longer + 1) // 2
            label.configure(text=text[:middle].rstrip() + "…")
            fits, longer = (middle, longer) if label.winfo_reqheight() <= room else (fits, middle - 1)
        label.configure(text=text[:fits].rstrip() + "…")


class ResultPanel(ttk.Frame, Scaled):
    """The answer in large type (a digit, or a whole number), two lines of words, a line about the selected
    digit of a number, and one bar per class for that digit.

    What it says comes from :class:`~digitapp.answer.Answer`; ``state`` is
    ``"empty"``, ``"sure"``, ``"unsure"`` or ``"not a digit"`` (no output
    claims the drawing: a letter, a sign, a scribble; the bars then show the
    ten raw outputs instead of their shares, as for a weak answer); the bars are canvas rectangles
    tagged ``bar0`` .. ``bar9`` whose width is the probability times
    ``bar_length``.  ``on_bar_click(digit)``, when given, is called when the
    user clicks a digit's row of the bars (the app teaches it that digit).
    Everything has a fixed size, so no answer, however long, moves the window.
    """

    HEADLINE_POINTS = 54   # the answer's largest size; a long number is set smaller to fit
    CAPTION_CHARS = 22     # the caption's width, in characters of its font

    def __init__(self, master, scale: float = 1.0, empty_text: str = "Draw a digit",
                 on_bar_click: Callable[[int], None] | None = None):
        super().__init__(master)
        self.scale = scale
        self.empty_text = empty_text
        self.state = "empty"
        self.answer = None
        self.digit_font = derived_font(size=self.HEADLINE_POINTS, weight="bold")
        self._fonts: dict[int, tkfont.Font] = {self.HEADLINE_POINTS: self.digit_font}
        self.caption_font = derived_font(size=11)
        self.small_font = derived_font(size=9)

        self.row_height = self.px(19)
        self.label_width = self.px(18)
        self.bar_length = self.px(170)
        self.text_width = self.px(44)
        self.bar_thickness = self.px(11)
        width = self.label_width + self.bar_length + self.text_width
        self.width = max(width, self.px(270))
        # the header has one size whatever it holds: the big answer, and the caption beside or under it
        line = self.caption_font.metrics("linespace")
        self.header = ttk.Frame(self, width=self.width, height=self.digit_font.metrics("linespace") + line)
        self.header.grid(row=0, column=0, sticky="w")
        self.header.grid_propagate(False)
        self.digit_label = ttk.Label(self.header, text="", font=self.digit_font, anchor="w")
        self.caption = ttk.Label(self.header, text="", font=self.caption_font, anchor="w", justify="left",
                                 width=self.CAPTION_CHARS)
        self.detail = ttk.Label(self, text="", font=self.small_font, anchor="w", width=1)
        self.detail.grid(row=1, column=0, sticky="ew")
        self.bars = tk.Canvas(self, width=width, height=10 * self.row_height, highlightthickness=0,
                              borderwidth=0, background=ttk.Style(self).lookup("TFrame", "background"))
        self.bars.grid(row=2, column=0, sticky="w", pady=(self.px(2), 0))
        if on_bar_click is not None:
            self.bars.bind("<Button-1>", lambda event: self._bar_clicked(event.y, on_bar_click))
        self._build_bars()
        self.show(None)

    def _build_bars(self) -> None:
        c, h, t = self.bars, self.row_height, self.bar_thickness
        x0 = self.label_width
        for digit in range(DIGITS):
            y = digit * h + h / 2
            c.create_text(x0 - self.px(6), y, text=str(digit), anchor="e", font=self.small_font,
                          fill=TEXT_COLOUR, tags=(f"label{digit}",))
            c.create_rectangle(x0, y - t / 2, x0 + self.bar_length, y + t / 2, fill=TRACK_COLOUR,
                               width=0, tags=(f"track{digit}",))
            c.create_rectangle(x0, y - t / 2, x0, y + t / 2, fill=BAR_COLOUR, width=0, tags=(f"bar{digit}",))
            c.create_text(x0 + self.bar_length + self.px(6), y, text="", anchor="w", font=self.small_font,
                          fill=MUTED_COLOUR, tags=(f"percent{digit}",))

    def headline_font(self, text: str, room: int, most: int = HEADLINE_POINTS) -> tkfont.Font:
        """The largest bold font, ``most`` points at most, in which ``text`` is no wider than ``room`` pixels."""
        points = most
        while points > 12 and self.digit_font.measure(text) * points / self.HEADLINE_POINTS > room:
            points -= 2
        if points not in self._fonts:
            self._fonts[points] = derived_font(size=points, weight="bold")
        return self._fonts[points]

    def show(self, prediction, answer=None) -> None:
        """Show a Prediction (the selected digit's: the bars) and the Answer in words (by default the
        prediction's own, as a reading of one digit; the invitation to draw when it is None or empty)."""
        if answer is None:
            from ..answer import answer_for
            from ..recognizer import Reading

            empty = prediction is None or prediction.digit is None
            answer = answer_for(None if prediction is None else Reading(() if empty else (prediction,)))
            if prediction is None:
                answer = type(answer)(answer.headline, self.empty_text, answer.state, answer.title)
        self.answer = answer
        self.state = answer.state
        colour = {"empty": BAR_COLOUR, "sure": SURE_COLOUR, "unsure": UNSURE_COLOUR,
                  "not a digit": NOT_DIGIT_COLOUR}[answer.state]
        words = {"empty": MUTED_COLOUR, "sure": TEXT_COLOUR}.get(answer.state, colour)
        self._place_header(answer.headline)
        self.digit_label.configure(text=answer.headline, foreground=colour)
        self.caption.configure(text=answer.caption, foreground=words)
        self.detail.configure(text=answer.detail, foreground=MUTED_COLOUR)
        if prediction is None or prediction.digit is None:
            probabilities, winner, colour = np.zeros(DIGITS), None, BAR_COLOUR
        elif not prediction.is_digit:
            # The raw sigmoid outputs, all low: the network's own "none of these".
            probabilities, winner, colour = prediction.outputs, None, BAR_COLOUR
        else:
            colour = SURE_COLOUR if prediction.is_sure else UNSURE_COLOUR
            # the bars show what the verdict was decided on: a weak answer's raw outputs, else the shares
            weak = prediction.doubt == WEAK
            probabilities, winner = prediction.outputs if weak else prediction.probabilities, prediction.digit
        self._show_bars(probabilities, winner, colour)

    def _place_header(self, headline: str) -> None:
        """A digit with the caption beside it; a number across the header with the caption under it."""
        beside = len(headline) <= 2
        room = self.width - (self.caption.winfo_reqwidth() + self.px(8) if beside else 0)
        # under the number, the caption's two lines take one line's height from the headline
        line = self.caption_font.metrics("linespace")
        most = self.HEADLINE_POINTS if beside else int(self.HEADLINE_POINTS * (1 - line / self.digit_font.metrics(
            "linespace"))) // 2 * 2
        self.digit_label.configure(font=self.headline_font(headline, room, most))
        self.digit_label.grid(row=0, column=0, sticky="w", columnspan=1 if beside else 2)
        if beside:
            self.caption.grid(row=0, column=1, sticky="w", padx=(self.px(8), 0))
        else:
            self.caption.grid(row=1, column=0, columnspan=2, sticky="w", padx=0)

    def _show_bars(self, probabilities, winner, colour) -> None:
        c, x0 = self.bars, self.label_width
        for digit, p in enumerate(probabilities):
            p = float(p)
            _, y0, _, y1 = c.coords(f"track{digit}")
            length = round(p * self.bar_length)
            c.coords(f"bar{digit}", x0, y0, x0 + length, y1)
            c.itemconfigure(f"bar{digit}", fill=colour if digit == winner else BAR_COLOUR,
                            state="normal" if length >= 1 else "hidden")
            c.itemconfigure(f"percent{digit}", text=f"{100 * p:.0f}%" if p > 0 else "",
                            fill=TEXT_COLOUR if digit == winner else MUTED_COLOUR)
            c.itemconfigure(f"label{digit}", fill=colour if digit == winner else TEXT_COLOUR)

    def digit_at(self, y: float) -> int | None:
        """The digit whose row of the bars holds canvas y, or None."""
        digit = int(y // self.row_height)
        return digit if 0 <= digit <= 9 else None

    def _bar_clicked(self, y: float, on_bar_click: Callable[[int], None]) -> None:
        digit = self.digit_at(y)
        if digit is not None:
            on_bar_click(digit)

    def bar_width(self, digit: int) -> float:
        """The drawn length of a class's bar, in pixels (for tests and the curious)."""
        x0, _, x1, _ = self.bars.coords(f"bar{digit}")
        return x1 - x0


class InputPreview(ttk.Frame):
    """The 28x28 array the network received, magnified ``zoom`` times with square pixels."""

    def __init__(self, master, zoom: int = 4, title: str = "What the network sees"):
        super().__init__(master)
        self.zoom = zoom
        self.title = ttk.Label(self, text=title, font=derived_font(size=9), foreground=MUTED_COLOUR)
        self.title.pack(anchor="w")
        self.photo: tk.PhotoImage | None = None
        self.image_label = tk.Label(self, borderwidth=0, highlightthickness=0, background="#000000")
        self.image_label.pack(anchor="w", pady=(2, 0))
        self.show(np.zeros((FIELD, FIELD), np.float32))

    def show(self, array: np.ndarray) -> None:
        self.photo = zoomed_photo(self.pixels(array), self.zoom, self)
        self.image_label.configure(image=self.photo)

    @staticmethod
    def pixels(array: np.ndarray) -> np.ndarray:
        """The grey levels shown for an input array in [0, 1]: white ink on black, as in MNIST."""
        return (np.clip(np.asarray(array, np.float32), 0.0, 1.0) * 255).round().astype(np.uint8)
