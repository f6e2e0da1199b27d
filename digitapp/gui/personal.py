"""Teaching the app your handwriting, in the window: corrections, undo, the samples gallery, Forget.

A digit key (or a click on that digit's bar) after an answer says what the
drawing really is, X (or the "Not a digit" button) that it is no digit at
all; Enter (or the same digit) confirms the answer.  The
PersonalModel learns on a worker thread (:class:`Teacher`), so drawing never
waits; the result comes back to the Tk thread through ``root.after``
polling, and then the answer is recognised again.  Ctrl+Z right after a
correction takes it back.  :class:`PersonalPanel` says whether the model is
personalised and offers the gallery (:class:`Gallery`) and "Forget my
handwriting".  When a relabel's or a delete's learning steps run out, the
gallery says what is still not read right and what to do, and frames the
samples read wrong in red.  No maths here: everything is a PersonalModel call.
"""

from __future__ import annotations

import tkinter as tk
from concurrent.futures import Future, ThreadPoolExecutor
from tkinter import ttk
from typing import Callable

from ..preprocess import DIGITS, FIELD
from ..console import one_line
from ..samples import NO_DIGIT, label_text
from .widgets import MUTED_COLOUR, NOT_DIGIT_COLOUR, SURE_COLOUR, TextBox, derived_font, zoomed_photo

POLL_MS = 20        # how often the Tk thread looks for finished learning
PREPARE_MS = 200    # once the window is up, the learning thread makes the replay ready
THUMB_ZOOM = 2      # gallery thumbnails: 56 px
PER_LINE = 8        # thumbnails per gallery line
GALLERY_ROWS = 6    # lines of thumbnails the gallery shows (more scroll): its size never changes


class Teacher:
    """One worker thread for learning; results are handed back on the Tk thread by polling."""

    def __init__(self, root: tk.Misc):
        self.root = root
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digitapp-learn")
        self._waiting: list[tuple[Future, Callable, Callable]] = []
        self._polling = False

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    def submit(self, job: Callable, then: Callable, fail: Callable[[Exception], None]) -> None:
        """Run ``job()`` on the worker; call ``then(result)`` or ``fail(error)`` on the Tk thread."""
        self._waiting.append((self._pool.submit(job), then, fail))
        if not self._polling:
            self._polling = True
            self.root.after(POLL_MS, self._poll)

    def _poll(self) -> None:
        done, waiting = [], []
        for w in self._waiting:  # each job looked at once: one finishing meanwhile is not lost
            (done if w[0].done() else waiting).append(w)
        self._waiting = waiting
        for future, then, fail in done:
            error = future.exception()
            if error is None:
                then(future.result())
            else:
                fail(error)
        self._polling = bool(self._waiting)
        if self._polling:
            self.root.after(POLL_MS, self._poll)

    def prepare(self, job: Callable) -> None:
        """Run ``job()`` on the worker ahead of need, with nobody waiting for it (not :attr:`busy`; a failure
        shows again at the job that needs it)."""
        self._pool.submit(job)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class Corrections:
    """The app's corrections: digit keys, learning off the Tk thread, undo, Forget, the gallery.

    It is given what it needs, not the whole window: the PersonalModel that
    learns, ``selected()`` for the digit a correction is about (None when
    there is none), ``ask_yes_no`` for Forget's question, and
    ``on_model_changed()`` to show the new answer once a change is done.
    """

    def __init__(self, root: tk.Misc, personal, parent: tk.Misc, *, selected: Callable,
                 ask_yes_no: Callable[[str, str], bool], on_model_changed: Callable[[], None], width: int = 270):
        self.root = root
        self.personal = personal
        self.selected = selected
        self.ask_yes_no = ask_yes_no
        self.on_model_changed = on_model_changed
        self.teacher = Teacher(root)
        self.undoable = False
        self._changes = 0  # canvas changes so far: a correction is undoable only if none came after it
        self.gallery: Gallery | None = None
        self.panel = PersonalPanel(parent, on_gallery=self.open_gallery, on_forget=self.forget, width=width)
        self.panel.show(personal)
        for d in range(DIGITS):
            root.bind(str(d), lambda e, d=d: self.correct(d))
            root.bind(f"<KP_{d}>", lambda e, d=d: self.correct(d))
        for key in ("x", "X"):
            root.bind(key, lambda e: self.correct(NO_DIGIT))
        for key in ("<Return>", "<KP_Enter>"):
            root.bind(key, lambda e: self.confirm())
        root.bind("<Destroy>", lambda e: self.teacher.close() if e.widget is root else None, add="+")
        # the replay set loaded and distorted while the user draws, not when the first correction waits for it
        root.after(PREPARE_MS, lambda: self.teacher.prepare(personal.learner.prepare))

    def canvas_changed(self) -> None:
        """The drawing changed: Ctrl+Z undoes strokes again, so a message offering it no longer holds."""
        self._changes += 1
        self.undoable = False
        if not self.teacher.busy:  # 'Learning: 7…' is still true; 'Confirmed: 7 (Ctrl+Z...)' is not
            self.panel.say("")

    def confirm(self) -> None:
        """Enter: the answer was right (a digit, or 'not a digit')."""
        selected = self.selected()
        if selected is not None and selected.prediction.digit is not None:
            self.correct(_answered(selected.prediction))

    def correct(self, digit: int) -> None:
        """Store the selected digit of the reading (the only one, or the one clicked) as ``digit`` (NO_DIGIT:
        it is no digit) and learn it in the background: its strokes when drawn, its 28x28 input when opened
        from a file."""
        selected = self.selected()
        if selected is None or selected.prediction.digit is None:
            self.panel.say("Draw a digit first; then press the right digit key to teach it" if digit != NO_DIGIT
                           else "Draw something first; then press X to teach that it is not a digit")
            return
        verb = "Confirmed" if digit == _answered(selected.prediction) else "Corrected"
        personal = self.personal
        if selected.strokes is not None:
            job = lambda: personal.learn_strokes(selected.strokes, digit)  # noqa: E731
        else:
            x = selected.prediction.input.reshape(-1, 1)
            job = lambda: personal.learn_input(x, digit)  # noqa: E731
        changes = self._changes
        self._start(job, f"Learning: {label_text(digit)}…", lambda prediction: self._learned(digit, verb, changes))

    def _start(self, job: Callable, doing: str, then: Callable) -> None:
        """Change the model on the worker (``job()``), saying ``doing`` meanwhile; ``then(result)`` after."""
        self.undoable = False
        self.panel.say(doing)
        self.teacher.submit(job, then, self._failed)

    def _learned(self, digit: int, verb: str, changes: int) -> None:
        self.undoable = changes == self._changes
        self._refresh()
        self.panel.say(f"{verb}: {label_text(digit)}" + (" (Ctrl+Z takes it back)" if self.undoable else ""))

    def _failed(self, error: Exception) -> None:
        self._refresh()
        self._say(f"Could not learn it: {one_line(error)}")

    def undo(self) -> bool:
        """Take back the correction just made (Ctrl+Z right after it); False if there is none."""
        if not self.undoable:
            return False
        self._start(self.personal.undo, "Undoing the correction…", self._changed("Correction undone"))
        return True

    def forget(self) -> None:
        n = self.personal.recognizer.info.personal_samples or len(self.personal.samples)
        if not self.ask_yes_no(
                "Forget my handwriting",
                f"Delete the {n} samples of your handwriting and the personal model?\n\n"
                "The model you started with answers again. This cannot be undone."):
            return
        self._start(self.personal.forget, "Forgetting your handwriting…", self._changed("Forgot your handwriting"))

    def change_sample(self, job: Callable[[], list], message: str, sample_id: str | None = None) -> None:
        """Delete or relabel a sample in the background; then say ``message`` and what ``job()`` returned as
        still not read right (``sample_id``: the relabelled sample, which should be read sure)."""
        self._start(job, "Relearning…", lambda wrong: self._done(message, wrong, sample_id))
        if self._gallery_open():  # where it was asked for
            self.gallery.say("Relearning…")

    def relabel(self, sample_id: str, digit: int) -> None:
        self.change_sample(lambda: self.personal.relabel(sample_id, digit),
                           f"Relabelled the sample as {label_text(digit)}", sample_id)

    def delete(self, sample_id: str) -> None:
        self.change_sample(lambda: self.personal.delete(sample_id), "Deleted the sample")

    def _changed(self, message: str) -> Callable:
        """What to do when a change is done: show the changed model and say ``message``."""
        return lambda result: self._done(message)

    def _done(self, message: str, wrong=None, changed: str | None = None) -> None:
        """After a change: show the changed model, and say ``message`` and what is still not read right (``wrong``,
        what the change returned, with ``changed`` the sample it was about; else what the model misreads now)."""
        framed = self._refresh()
        if wrong is None:
            wrong = framed if framed is not None else self.personal.misread()
        self._say("; ".join(filter(None, [message, not_read_right(wrong, changed)])))

    def _say(self, message: str) -> None:
        """Say what a change did under the answer, and in the gallery when it is open."""
        self.panel.say(message)
        if self._gallery_open():
            self.gallery.say(message)

    def _refresh(self) -> list | None:
        """Everything that shows the model: the window (answer recognised again, model line), panel, gallery.
        Returns the samples the gallery frames as read wrong (None when it is closed)."""
        self.on_model_changed()
        self.panel.show(self.personal)
        return self._show_gallery() if self._gallery_open() else None

    def _show_gallery(self) -> list:
        """The samples in the gallery, those read wrong framed red, and its words saying why, whatever changed."""
        wrong = self.personal.misread()
        self.gallery.show(self.personal.samples, wrong)
        self.gallery.say(sentence(not_read_right(wrong)))
        return wrong

    def _gallery_open(self) -> bool:
        return self.gallery is not None and self.gallery.winfo_exists()

    def open_gallery(self) -> None:
        if self._gallery_open():
            self.gallery.lift()
        else:
            self.gallery = Gallery(self.root, on_relabel=self.relabel, on_delete=self.delete)
        self._show_gallery()


def _answered(prediction) -> int:
    """What a prediction answered, as a sample's label: its digit, or NO_DIGIT."""
    return prediction.digit if prediction.is_digit else NO_DIGIT


def not_read_right(wrong, changed: str | None = None) -> str:
    """What a relabel or a delete left not read right when its steps ran out, in words with what to do ('' when
    nothing): the relabelled sample (id ``changed``) not answered sure, then how many others are read wrong."""
    said = [f"not read {'as not a digit' if s.label == NO_DIGIT else 'sure'} yet: draw it again and press "
            f"{'X' if s.label == NO_DIGIT else s.label}" for s in wrong if s.id == changed]
    others = len(wrong) - len(said)
    if others:  # drawing them again would not help: they clash with other samples (a drawing given two labels)
        them = "them" if others > 1 else "it"
        said.append(f"{others} {'other ' if changed else ''}sample{'s' if others > 1 else ''} read wrong (framed red): "
                    f"relabel or delete {them}")
    return "; ".join(said)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class PersonalPanel(ttk.Frame):
    """'Personalised: trained on 23 of your digits' (or how to teach it), My digits…, Forget my handwriting."""

    def __init__(self, master, on_gallery: Callable[[], None], on_forget: Callable[[], None], width: int = 270):
        super().__init__(master)
        font = derived_font(size=9)
        # two lines each, whatever they say: the window never moves
        self.label_box = TextBox(self, width, 2, font, style="Muted.TLabel")
        self.label_box.grid(row=0, column=0, columnspan=2, sticky="nw")
        self.label = self.label_box.label
        self.gallery_button = ttk.Button(self, text="My digits…", command=on_gallery)
        self.forget_button = ttk.Button(self, text="Forget my handwriting", command=on_forget)
        self.gallery_button.grid(row=1, column=0, sticky="w", pady=(4, 0))
        self.forget_button.grid(row=1, column=1, sticky="w", pady=(4, 0), padx=(6, 0))
        self.message_box = TextBox(self, width, 2, font, style="Muted.TLabel")
        self.message_box.grid(row=2, column=0, columnspan=2, sticky="nw", pady=(4, 0))
        self.message = self.message_box.label

    def say(self, text: str) -> None:
        """What learning is doing or just did ('Corrected: 9 (Ctrl+Z takes it back)')."""
        self.message_box.say(text)

    def show(self, personal) -> None:
        """Say whether the answering model is personalised; offer the gallery and Forget when there is something."""
        info = personal.recognizer.info
        if info.personal_samples:
            self.label_box.say(f"Personalised: trained on {info.yours}", foreground=SURE_COLOUR)
        else:
            self.label_box.say("Wrong answer? Press the right digit key (0-9) to teach it; X: not a digit",
                               foreground=MUTED_COLOUR)
        stored = len(personal.samples)
        self.forget_button.state(["!disabled" if info.personal_samples or stored else "disabled"])
        self.gallery_button.state(["!disabled" if stored else "disabled"])


class Gallery(tk.Toplevel):
    """The stored samples of each label that has some (the digits, then 'not a digit'); click one, then a digit
    key (or X) relabels it, Delete deletes it."""

    def __init__(self, master, on_relabel: Callable[[str, int], None], on_delete: Callable[[str], None]):
        super().__init__(master)
        self.title("My digits - digitapp")
        self.on_relabel, self.on_delete = on_relabel, on_delete
        self.selected: str | None = None
        self.photos: list[tk.PhotoImage] = []
        self.by_item: dict[int, str] = {}
        self.places: dict[str, tuple[int, int]] = {}  # each sample's cell: its top-left corner
        self.digit_font = derived_font(size=14, weight="bold")
        self.cell = FIELD * THUMB_ZOOM + 6
        self.canvas = tk.Canvas(self, width=30 + PER_LINE * self.cell, height=GALLERY_ROWS * self.cell + 8,
                                background="#ffffff", highlightthickness=0)
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=scroll.set)
        self.canvas.grid(row=0, column=0, sticky="nsew")
        scroll.grid(row=0, column=1, sticky="ns")
        tools = ttk.Frame(self, padding=6)
        tools.grid(row=1, column=0, columnspan=2, sticky="ew")
        # under the hint: what a relabel or a delete did, and what is still read wrong; three lines, whatever it says
        self.status = TextBox(tools, 30 + PER_LINE * self.cell - 12, 3, derived_font())
        self.status.pack(side="bottom", anchor="w", pady=(6, 0))
        self.hint = ttk.Label(tools, text="Click a sample, then press its digit (X: not a digit) to relabel it, "
                                          "or Delete")
        self.hint.pack(side="left")
        self.delete_button = ttk.Button(tools, text="Delete", command=self.delete_selected)
        self.delete_button.pack(side="right")
        self.canvas.bind("<Button-1>", self.on_click)
        for wheel in ("<MouseWheel>", "<Button-4>", "<Button-5>"):  # Windows and macOS; X11's wheel is buttons 4, 5
            self.canvas.bind(wheel, self.on_wheel)
        for d in range(DIGITS):
            self.bind(str(d), lambda e, d=d: self.relabel_selected(d))
        for key in ("x", "X"):
            self.bind(key, lambda e: self.relabel_selected(NO_DIGIT))
        for key in ("<Delete>", "<BackSpace>"):
            self.bind(key, lambda e: self.delete_selected())
        self.bind("<Escape>", lambda e: self.destroy())
        self.columnconfigure(0, weight=1)
        self.rowconfigure(0, weight=1)

    def say(self, text: str) -> None:
        self.status.say(text)

    def show(self, samples, wrong=()) -> None:
        """Draw one section per label, its samples newest first (the thumbnails are made here only); the
        samples taught as 'not a digit' last, under a '✗'; those the model reads ``wrong`` framed in red."""
        wrong = {s.id for s in wrong}
        c = self.canvas
        c.delete("all")
        self.photos, self.by_item, self.places = [], {}, {}
        y = 4
        for digit in [*range(DIGITS), NO_DIGIT]:
            mine = [s for s in reversed(samples) if s.label == digit]
            if not mine:
                continue
            c.create_text(16, y + self.cell / 2, text=str(digit) if digit != NO_DIGIT else "✗",
                          font=self.digit_font, tags=("heading",))
            for k, sample in enumerate(mine):
                x0, y0 = 30 + (k % PER_LINE) * self.cell, y + (k // PER_LINE) * self.cell
                photo = zoomed_photo(sample.input, THUMB_ZOOM, self)
                self.photos.append(photo)
                item = c.create_image(x0 + 3, y0 + 3, image=photo, anchor="nw", tags=("sample", sample.id))
                self.by_item[item] = sample.id
                self.places[sample.id] = (x0, y0)
                if sample.id in wrong:
                    c.create_rectangle(x0 + 3, y0 + 3, x0 + self.cell - 3, y0 + self.cell - 3, outline=NOT_DIGIT_COLOUR,
                                       width=2, tags=("wrong", sample.id))
            y += -(-len(mine) // PER_LINE) * self.cell
            c.create_line(0, y, 30 + PER_LINE * self.cell, y, fill="#e3e6eb")
        c.configure(scrollregion=(0, 0, 30 + PER_LINE * self.cell, y + 4))  # the height stays: the window never jumps
        self.select(self.selected)

    def select(self, sample_id: str | None) -> None:
        """Frame the sample ``sample_id`` (None, or one no longer shown: none)."""
        self.selected = sample_id if sample_id in self.places else None
        self.canvas.delete("selection")
        if self.selected is not None:
            x0, y0 = self.places[self.selected]
            self.canvas.create_rectangle(x0 + 1, y0 + 1, x0 + self.cell - 1, y0 + self.cell - 1, outline=SURE_COLOUR,
                                         width=3, tags=("selection",))
        self.delete_button.state(["!disabled" if self.selected else "disabled"])

    def on_click(self, event) -> None:
        items = self.canvas.find_overlapping(self.canvas.canvasx(event.x), self.canvas.canvasy(event.y),
                                             self.canvas.canvasx(event.x), self.canvas.canvasy(event.y))
        picked = [self.by_item[i] for i in items if i in self.by_item]
        self.focus_set()
        self.select(picked[0] if picked else None)

    def on_wheel(self, event) -> None:
        up = event.num == 4 or (event.num not in (4, 5) and event.delta > 0)
        self.canvas.yview_scroll(-1 if up else 1, "units")

    def relabel_selected(self, digit: int) -> None:
        if self.selected is not None:
            self.on_relabel(self.selected, digit)

    def delete_selected(self) -> None:
        if self.selected is not None:
            sample_id, self.selected = self.selected, None
            self.on_delete(sample_id)
