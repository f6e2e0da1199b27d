"""The digitapp window: draw a digit, see what the network makes of it.

The window only draws and shows.  The canvas keeps the strokes
(:mod:`digitapp.gui.drawing`); the :class:`~digitapp.recognizer.Recognizer`
turns the strokes (redrawn with a pen in proportion to the digit), or an
opened picture, into a Prediction, and the panels show it.  Dialogs go
through :class:`Dialogs` so tests can answer them without a modal window.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

try:
    import tkinter as tk
    from tkinter import ttk
except ImportError:  # a Python built without Tk
    tk = ttk = None

from ..preprocess import FIELD
from ..strokes import CANVAS_SIDE, CANVAS_WIDTH
from .scaling import Scaled, ui_scale

APP_NAME = "digitapp"
PEN_MIN, PEN_MAX, PEN_DEFAULT = 6, 40, 20   # pen widths at 96 dpi
PREDICT_INTERVAL_MS = 60   # live predictions while drawing: at most one per this interval
IMAGE_TYPES = [("Images", "*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff"), ("All files", "*")]
SHORTCUTS = ("Esc clear   Ctrl+Z undo   Ctrl+Y redo   Ctrl+O open   Ctrl+S save   [ ] pen   Ctrl+I look inside   "
             "Ctrl+T lab   Ctrl+Q quit")
#: The answer column's width at 96 dpi: every label in it wraps or is cut to this, so no message moves the window.
RIGHT_WIDTH = 276
#: The lines kept for the model's words under the answer: what a personalised model learned from a model trained
#: with options needs (its count of your drawings is said in the line under it); longer words (a file named at
#: length, a long command) end cut short with '…'.  The window is then 698 px high: a laptop's 768 fit it.
MODEL_LINES = 5
BACKGROUND = "#eef0f3"
NO_DISPLAY_HINT = "set DISPLAY to your X display, or run it on a virtual one: xvfb-run digitapp"


class Dialogs:
    """The modal dialogs the app uses, in one place so tests can replace them."""

    def __init__(self, root: tk.Misc):
        self.root = root

    def ask_open_path(self) -> Path | None:
        from tkinter import filedialog

        name = filedialog.askopenfilename(parent=self.root, title="Open an image of a digit",
                                          filetypes=IMAGE_TYPES)
        return Path(name) if name else None

    def ask_save_path(self, initial: str) -> Path | None:
        from tkinter import filedialog

        name = filedialog.asksaveasfilename(parent=self.root, title="Save the drawing", initialfile=initial,
                                            defaultextension=".png",
                                            filetypes=[("PNG image", "*.png"), ("JPEG image", "*.jpg *.jpeg")])
        return Path(name) if name else None

    def error(self, title: str, message: str) -> None:
        from tkinter import messagebox

        messagebox.showerror(title, message, parent=self.root)

    def ask_yes_no(self, title: str, message: str) -> bool:
        from tkinter import messagebox

        return messagebox.askyesno(title, message, parent=self.root, icon="warning", default="no")


class App(Scaled):
    """The main window: canvas and tools on the left, the answer, bars and input preview on the right."""

    def __init__(self, root: tk.Tk, model, dialogs: Dialogs | None = None):
        """``model`` is the PersonalModel that answers and learns, or a Recognizer (learning then stays in
        memory)."""
        from ..personal import PersonalModel
        from .canvas import DrawingCanvas
        from .inside import InsideView
        from .reading import ReadingPanel
        from .widgets import InputPreview, ResultPanel, TextBox, derived_font

        self.root = root
        self.personal = model if isinstance(model, PersonalModel) else PersonalModel(model)
        self.dialogs = dialogs or Dialogs(root)
        self.scale = ui_scale(root)
        self.prediction = None   # the selected digit's (the last one's until a digit is clicked)
        self.reading = None      # every digit on the canvas, left to right
        self.selected_index: int | None = None
        self._strokes: list = []  # the strokes the reading was made from
        self._pending: str | None = None
        self._last_prediction = 0.0
        self._warning = ""  # a warning at start stays in the status line; other messages go with the next change

        root.title(APP_NAME)
        root.resizable(False, False)
        style = ttk.Style(root)
        if "clam" in style.theme_names():
            style.theme_use("clam")
        style.configure(".", background=BACKGROUND)
        style.map("TButton", background=[("disabled", BACKGROUND), ("active", "#e4e8ee")])
        style.configure("TButton", background="#f8f9fb", bordercolor="#c3c9d1", lightcolor="#ffffff",
                        darkcolor="#d5dae1", padding=(0, self.px(3)))
        style.configure("Horizontal.TScale", troughcolor="#e3e6eb", background="#f8f9fb",
                        bordercolor="#c3c9d1", lightcolor="#ffffff", darkcolor="#d5dae1")
        style.configure("Muted.TLabel", foreground="#6b7480")
        root.configure(background=BACKGROUND)

        outer = ttk.Frame(root, padding=self.px(14))
        outer.grid(sticky="nsew")

        left = ttk.Frame(outer)
        left.grid(row=0, column=0, sticky="n")
        border = tk.Frame(left, background="#c3c9d1", padx=1, pady=1)
        border.grid(row=0, column=0, columnspan=2)
        self.pen = tk.DoubleVar(value=PEN_DEFAULT)
        self.canvas = DrawingCanvas(border, round(CANVAS_SIDE * self.scale),
                                    pen_width=lambda: self.pen.get() * self.scale,
                                    on_change=self.on_canvas_change, hint="Draw a digit or a number here",
                                    width=round(CANVAS_WIDTH * self.scale))
        self.canvas.pack()

        tools = ttk.Frame(left)
        tools.grid(row=1, column=0, columnspan=2, sticky="ew", pady=(self.px(10), 0))
        self.clear_button = ttk.Button(tools, text="Clear", command=self.clear)
        self.undo_button = ttk.Button(tools, text="Undo", command=self.undo)
        self.redo_button = ttk.Button(tools, text="Redo", command=self.redo)
        self.open_button = ttk.Button(tools, text="Open…", command=self.open_image)
        self.save_button = ttk.Button(tools, text="Save…", command=self.save_drawing)
        for i, button in enumerate((self.clear_button, self.undo_button, self.redo_button,
                                    self.open_button, self.save_button)):
            button.configure(width=-3)  # as wide as the canvas allows
            button.grid(row=0, column=i, sticky="ew", padx=(0 if i == 0 else self.px(4), 0))
            tools.columnconfigure(i, weight=1, uniform="tool")

        pen_row = ttk.Frame(left)
        pen_row.grid(row=2, column=0, columnspan=2, sticky="ew", pady=(self.px(8), 0))
        ttk.Label(pen_row, text="Pen").pack(side="left")
        self.pen_scale = ttk.Scale(pen_row, from_=PEN_MIN, to=PEN_MAX, variable=self.pen)
        self.pen_scale.pack(side="left", fill="x", expand=True, padx=self.px(8))
        self.pen_label = ttk.Label(pen_row, width=5, style="Muted.TLabel")
        self.pen_label.pack(side="left")
        self.pen.trace_add("write", lambda *args: self._show_pen())
        self._show_pen()
        self.reading_panel = ReadingPanel(left, round(CANVAS_WIDTH * self.scale), self.scale, self.select_digit)
        self.reading_panel.grid(row=3, column=0, columnspan=2, sticky="ew", pady=(self.px(10), 0))

        right = ttk.Frame(outer)
        right.grid(row=0, column=1, sticky="n", padx=(self.px(18), 0))
        right.columnconfigure(0, minsize=self.px(RIGHT_WIDTH))
        self.right = right
        self.result = ResultPanel(right, scale=self.scale, empty_text="Draw a digit\non the canvas",
                                  on_bar_click=lambda digit: self.corrections.correct(digit))
        self.result.grid(row=0, column=0, sticky="w")
        self.preview = InputPreview(right, zoom=max(3, round(4 * self.scale)),
                                    title="What the network sees (28×28)")
        self.preview.grid(row=1, column=0, sticky="w", pady=(self.px(8), 0))
        small = derived_font(size=8)
        # MODEL_LINES lines kept for the model, whichever it is: nothing moves
        self.model_box = TextBox(right, self.px(RIGHT_WIDTH), MODEL_LINES, small, wrap=self.px(RIGHT_WIDTH - 10),
                                 style="Muted.TLabel")
        self.model_box.grid(row=2, column=0, sticky="w", pady=(self.px(8), 0))
        self.model_label = self.model_box.label
        self.model_box.say(model_text(self.recognizer.info))
        self.inside = InsideView(outer, scale=self.scale, row=0, column=2, sticky="n", padx=(self.px(18), 0))
        self.inside_button = ttk.Button(left, text="Look inside ▸", command=self.toggle_inside)
        self.inside_button.grid(row=4, column=0, sticky="w", pady=(self.px(12), 0))
        from .lab import LabPanel

        # the lab takes the look-inside panel's place while it is open
        self.lab = LabPanel(outer, self, scale=self.scale, row=0, column=2, sticky="n", padx=(self.px(18), 0))
        self.lab_button = ttk.Button(left, text="Lab ▸", command=self.toggle_lab)
        self.lab_button.grid(row=4, column=1, sticky="e", pady=(self.px(12), 0))
        from .personal import Corrections

        self.corrections = Corrections(root, self.personal, right, width=self.px(RIGHT_WIDTH),
                                       selected=self.digit_to_correct,
                                       ask_yes_no=lambda *question: self.dialogs.ask_yes_no(*question),
                                       on_model_changed=self.model_changed)
        self.corrections.panel.grid(row=3, column=0, sticky="w", pady=(self.px(8), 0))
        from ..samples import NO_DIGIT

        # under the canvas, between Look inside and Lab: the drawing's own button (X does the same)
        self.not_a_digit_button = ttk.Button(left, text="✗ Not a digit (X)",
                                             command=lambda: self.corrections.correct(NO_DIGIT))
        self.not_a_digit_button.grid(row=4, column=0, columnspan=2, pady=(self.px(12), 0))

        footer = ttk.Frame(outer)
        footer.grid(row=1, column=0, columnspan=2, sticky="ew", pady=(self.px(10), 0))
        # the status takes what the shortcuts leave (width=1: a long message is cut, never widens the window)
        self.status = ttk.Label(footer, text="", style="Muted.TLabel", font=small, width=1)
        self.status.grid(row=0, column=0, sticky="ew", padx=(0, self.px(12)))
        self.shortcuts = ttk.Label(footer, text=SHORTCUTS, style="Muted.TLabel", font=small)
        self.shortcuts.grid(row=0, column=1, sticky="e")
        footer.columnconfigure(0, weight=1)

        self._bind_keys()
        self.predict_now()

    def __repr__(self):
        return f"App({self.recognizer!r}, {self.canvas!r}, title={self.root.title()!r})"

    @property
    def recognizer(self):
        """The Recognizer answering now (learning swaps in a new one)."""
        return self.personal.recognizer

    def _bind_keys(self) -> None:
        r = self.root
        for key in ("<Escape>", "<Delete>"):
            r.bind(key, lambda e: self.clear())
        r.bind("<Control-z>", lambda e: self.undo())
        for key in ("<Control-y>", "<Control-Z>", "<Control-Shift-z>", "<Control-Shift-Z>"):
            r.bind(key, lambda e: self.redo())
        r.bind("<Control-o>", lambda e: self.open_image())
        r.bind("<Control-s>", lambda e: self.save_drawing())
        for key in ("<Control-q>", "<Control-w>"):
            r.bind(key, lambda e: self.root.destroy())
        r.bind("<bracketleft>", lambda e: self.change_pen(-2))
        r.bind("<bracketright>", lambda e: self.change_pen(+2))
        r.bind("<Control-i>", lambda e: self.toggle_inside())
        r.bind("<Control-t>", lambda e: self.toggle_lab())
        r.bind("<F5>", lambda e: self.lab.start_pause())
        r.bind("<Destroy>", lambda e: self.lab.close() if e.widget is r else None, add="+")

    # -- actions -------------------------------------------------------------------------------

    def clear(self) -> None:
        self.canvas.clear()
        self.say("")

    def undo(self) -> None:
        if self.corrections.undo():  # Ctrl+Z right after a correction takes the correction back
            return
        if not self.canvas.undo():
            self.say("Nothing to undo")

    def redo(self) -> None:
        if not self.canvas.redo():
            self.say("Nothing to redo")

    def toggle_inside(self) -> None:
        """Open or close the look-inside panel (it costs nothing while closed)."""
        if not self.inside.is_open and self.lab.is_open:
            self.toggle_lab()
        is_open = self.inside.toggle(self.recognizer, self.prediction)
        self.inside_button.configure(text="◂ Hide inside" if is_open else "Look inside ▸")

    def toggle_lab(self) -> None:
        """Open or close the lab (in the look-inside panel's place); a run goes on while it is closed."""
        if not self.lab.is_open and self.inside.is_open:
            self.toggle_inside()
        is_open = self.lab.toggle()
        self.lab_button.configure(text="◂ Hide lab" if is_open else "Lab ▸")
        if is_open:
            self.lab.show(self.prediction)

    def change_pen(self, step: float) -> None:
        self.pen.set(min(PEN_MAX, max(PEN_MIN, round(self.pen.get() + step))))

    def _show_pen(self) -> None:
        self.pen_label.configure(text=f"{self.pen.get():.0f} px")

    def open_image(self, path=None) -> bool:
        """Show an image file on the canvas and recognise it; a bad file gets a one-line error."""
        from ..imagefile import ImageError, load_image

        path = self.dialogs.ask_open_path() if path is None else Path(path)
        if path is None:
            return False
        try:
            picture = load_image(path)
        except ImageError as err:
            self.dialogs.error("Cannot open image", str(err))
            return False
        self.canvas.open_picture(picture, path.name)
        self.say(f"Opened {path.name}")
        return True

    def save_drawing(self, path=None) -> bool:
        """Write what is on the canvas as an image (dark ink on white), via a temporary file; a PNG also
        keeps the strokes, so that opened again (here or by ``digitapp predict``) it reads as it was drawn."""
        from PIL import Image

        from ..files import atomic_write

        if self.canvas.drawing.is_empty:
            self.say("Nothing to save yet")
            return False
        path = self.dialogs.ask_save_path("digit.png") if path is None else Path(path)
        if path is None:
            return False
        if not path.suffix:
            path = path.with_suffix(".png")
        from ..files import output_problem
        from ..personal import own_files

        problem = output_problem(path, own_files(self.personal.store))
        if problem:
            self.dialogs.error("Cannot save", f"{path}: {problem}; choose another name")
            return False
        image_format = Image.registered_extensions().get(path.suffix.lower())
        if image_format is None:
            self.dialogs.error("Cannot save", f"{path}: unknown image type; use .png or .jpg")
            return False
        options = {}
        strokes = self.canvas.drawing.recognisable()[1]
        if image_format == "PNG" and strokes:  # the strokes go with the pixels: reopened, it reads the same
            from PIL.PngImagePlugin import PngInfo

            from ..strokes import STROKES_KEY, strokes_text

            options["pnginfo"] = PngInfo()
            options["pnginfo"].add_itxt(STROKES_KEY, strokes_text(strokes), zip=True)
        try:
            with atomic_write(path) as out:
                self.canvas.drawing.image_to_save().save(out, format=image_format, **options)
        except (OSError, ValueError, KeyError) as err:
            self.dialogs.error("Cannot save", f"{path}: {getattr(err, 'strerror', None) or err}")
            return False
        self.say(f"Saved {path.name}")
        return True

    def say(self, message: str) -> None:
        """A message about what just happened; the next change of the canvas takes it away."""
        self.status.configure(text=message or self._warning)

    def warn(self, message: str) -> None:
        """A warning that stays in the status line (a file set aside at start)."""
        self._warning = message
        self.say(message)

    # -- corrections -----------------------------------------------------------------------------

    def digit_to_correct(self):
        """The selected digit, unless nothing is drawn or a stroke is still being drawn."""
        drawing = self.canvas.drawing
        if drawing.is_empty or drawing.drawing_stroke:
            return None
        if self.lab.saved_recognizer is not None:  # a lab network answers: it is not yours to teach
            return None
        return self.selected_digit

    def model_changed(self) -> None:
        """After learning changed the model: read the canvas again and say which model answers."""
        self.predict_now()
        self.model_box.say(model_text(self.recognizer.info))

    # -- recognition ---------------------------------------------------------------------------

    def on_canvas_change(self, kind: str) -> None:
        self.selected_index = None  # the digits may have moved: the last one is current again
        self.corrections.canvas_changed()
        self.say("")  # 'Saved x.png', 'Nothing to undo': said of the drawing before
        if kind == "motion":
            self.request_prediction()
        else:
            self.predict_now()

    def request_prediction(self) -> None:
        """Predict soon, but at most once per PREDICT_INTERVAL_MS while the mouse moves."""
        if self._pending is None:
            since = (time.monotonic() - self._last_prediction) * 1000
            wait = max(1, round(PREDICT_INTERVAL_MS - since))
            self._pending = self.root.after(wait, self.predict_now)

    def predict_now(self) -> None:
        """Recognise what is on the canvas and show it everywhere."""
        if self._pending is not None:
            self.root.after_cancel(self._pending)
            self._pending = None
        self._last_prediction = time.monotonic()
        drawing = self.canvas.drawing
        if drawing.is_empty:
            self.reading, self._strokes = None, []
        else:
            picture, strokes = drawing.recognisable()
            self._strokes = strokes or []
            if picture is not None:
                self.reading = self.recognizer.read(picture)
            else:
                self.reading = self.recognizer.read_strokes(strokes)
        self.show_reading()

    def select_digit(self, index: int | None) -> None:
        """Make digit ``index`` of the reading the one shown in detail (and the one a correction is for)."""
        if self.reading is not None and index is not None and not 0 <= index < len(self.reading):
            raise IndexError(f"no digit {index} in a reading of {len(self.reading)}")
        self.selected_index = index
        self.show_reading()

    @property
    def selected_digit(self):
        """The selected digit (the last one until the user clicks another): its index, Prediction, box and
        strokes (None for a picture), for a correction; None when nothing is read."""
        from .reading import SelectedDigit

        if self.reading is None or self.reading.is_empty:
            return None
        i = len(self.reading) - 1 if self.selected_index is None else self.selected_index
        strokes = tuple(self._strokes[k] for k in self.reading.strokes[i]) if self.reading.strokes[i] else None
        return SelectedDigit(i, self.reading.predictions[i], self.reading.boxes[i], strokes)

    def show_reading(self) -> None:
        """Show the reading: the number, and the selected digit's answer, bars and input."""
        from .reading import mark_on_canvas

        selected = self.selected_digit
        if self.reading is None:
            self.prediction = None
        elif selected is None:  # ink, but no digit in it: a blank answer
            self.prediction = self.recognizer.predict_input(None)
        else:
            self.prediction = selected.prediction
        self.reading_panel.show(self.reading, None if selected is None or len(self.reading) < 2 else selected.index)
        clicked = self.selected_index is not None and selected is not None and selected.strokes is not None
        mark_on_canvas(self.canvas, selected.box if clicked else None)
        self.show(self.prediction)

    def show(self, prediction) -> None:
        from ..answer import answer_for

        drawing = self.canvas.drawing
        picture = drawing.sheet.picture is not None and not drawing.drawing_stroke
        answer = answer_for(self.reading, self.selected_index, picture)
        self.result.show(prediction, answer)
        if prediction is None:  # an empty canvas; a blank drawing's Prediction already has an all-zero input
            import numpy as np

            self.preview.show(np.zeros((FIELD, FIELD), np.float32))
        else:
            self.preview.show(prediction.input)
        self.root.title(answer.title)
        self.inside.show(self.recognizer, prediction)
        self.lab.show(prediction)
        drawing = self.canvas.drawing
        self.undo_button.state(["!disabled" if drawing.can_undo else "disabled"])
        self.redo_button.state(["!disabled" if drawing.can_redo else "disabled"])
        self.clear_button.state(["!disabled" if not drawing.sheet.is_empty else "disabled"])
        self.save_button.state(["!disabled" if not drawing.is_empty else "disabled"])


def model_text(info) -> str:
    """Which model answers, for the window: its ModelInfo's line and the command that trained it (a personalised
    model's count of your drawings is said in the line under it, so not here)."""
    recipe = (info.recipe or "").strip()
    if recipe == "digitapp train":
        recipe += " (the default recipe)"
    return f"Model: {info.describe(yours=False)}" + (f"\nTrained with: {recipe}" if recipe else "")


def window_title(prediction, reading=None) -> str:
    """The title for a reading (or one Prediction): '7 (98% sure) - digitapp', '7? (not sure, weak answer:
    output 41%) - digitapp', 'not a digit (top output 3%) - digitapp', plain 'digitapp' when empty;
    '42 - digitapp', '4?2 - digitapp' for a number (see :func:`digitapp.answer.answer_for`)."""
    from ..answer import answer_for
    from ..recognizer import Reading

    if reading is None and prediction is not None:
        reading = Reading(() if prediction.digit is None else (prediction,))
    return answer_for(reading).title


def open_root() -> tk.Tk | None:
    """The Tk root window, or None after a one-line message when there is no display."""
    if tk is None:
        print(f"{APP_NAME}: this Python has no Tkinter; install it (on Debian/Ubuntu: apt install python3-tk)",
              file=sys.stderr)
        return None
    if sys.platform not in ("win32", "darwin") and not os.environ.get("DISPLAY"):
        print(f"{APP_NAME}: no display to open the window on (DISPLAY is not set); {NO_DISPLAY_HINT}",
              file=sys.stderr)
        return None
    try:
        return tk.Tk(className=APP_NAME)
    except tk.TclError as err:
        reason = " ".join(str(err).split())
        print(f"{APP_NAME}: cannot open the window ({reason}); {NO_DISPLAY_HINT}", file=sys.stderr)
        return None


def load_personal(root: tk.Tk, model, dialogs: Dialogs):
    """The PersonalModel (the user's personal model answers unless ``model`` is given), or None after a
    dialog that says how to get a working model.  A bad samples file or personal model is set aside with
    a one-line warning."""
    from ..model_io import ModelError
    from ..personal import PersonalModel
    from ..samples import StoreError

    try:
        personal, warnings = PersonalModel.open(model)
        for warning in warnings:
            print(f"{APP_NAME}: {warning}", file=sys.stderr)
        return personal, warnings
    except (ModelError, StoreError) as err:  # no model, or samples the system will not let us read
        print(f"{APP_NAME}: {err}", file=sys.stderr)  # the message says what to do
        root.withdraw()
        dialogs.error("digitapp cannot start", str(err))
        return None, []


def start(root: tk.Tk, model: Path | None = None, image: Path | None = None, *,
          make_dialogs=Dialogs) -> App | None:
    """The window on ``root`` as ``digitapp`` sets it up; None (after telling the user) when no model loads."""
    dialogs = make_dialogs(root)
    personal, warnings = load_personal(root, model, dialogs)
    if personal is None:
        return None
    app = App(root, personal, dialogs)
    if warnings:
        app.warn(warnings[0])
    if image is not None:
        root.after_idle(app.open_image, image)
    return app


def run(model: Path | None = None, image: Path | None = None, *, make_dialogs=Dialogs) -> int:
    """Start the app; returns the exit code (non-zero when there is no display or no model)."""
    root = open_root()
    if root is None:
        return 1
    try:
        if start(root, model, image, make_dialogs=make_dialogs) is None:
            return 2
        root.mainloop()
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        try:
            root.destroy()
        except tk.TclError:
            pass  # already closed by the user
