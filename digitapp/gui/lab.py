"""The lab panel (Ctrl+T): choose a network, train it on MNIST while you watch, compare runs, draw on it.

The maths and the runs are :mod:`digitapp.lab` (no Tk); this module shows
them.  Who may touch what:

- a :class:`LabWorker` thread owns its run's network: only it calls
  ``step()``; it hands the Tk thread copies (:class:`~digitapp.lab.Snapshot`,
  the confusion's commonest mistakes) through a queue;
- the Tk thread owns every widget and polls that queue with ``root.after``;
  it reads the drawing with the newest snapshot's network copy and never
  touches the run's own network while a worker lives;
- "use this network" puts a Recognizer on a copy into
  ``app.personal.recognizer`` (in memory only: nothing is written over the
  personal or shipped model) and keeps the one before for "back to my model".
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
import tkinter as tk
from tkinter import ttk

import numpy as np
from PIL import Image

from ..activations import ACTIVATIONS
from ..blas import fast_blas
from ..lab import CHANGEABLE, PRESETS, Lab, LabRun, LabSettings
from ..network import COSTS
from ..optimizers import OPTIMIZERS
from .scaling import Scaled
from .widgets import MUTED_COLOUR, derived_font

POLL_MS = 40                 # how often the Tk thread looks for the worker's news
TILES_EVERY_S = 0.4          # the weight tiles are redrawn at most this often
CHUNK_S = 0.02               # the worker trains this long between looks at its commands
CURVE_W, CURVE_H = 260, 130  # at 96 dpi
TILES_SIDE = 150
FIELD_TAG = "DigitappLabField"  # the bind tag of the lab's fields (instead of the window's)
CONFUSION_CELL = 9           # one cell of the confusion matrix, at 96 dpi
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
FIELDS = (("hidden", "Hidden"), ("eta", "eta"), ("lmbda", "L2 lmbda"), ("batch_size", "Batch"),
          ("epochs", "Epochs"), ("training_size", "Train on"), ("seed", "Seed"))
CHOICES = (("activation", "Activation", tuple(ACTIVATIONS)), ("cost", "Cost", tuple(COSTS)),
           ("optimizer", "Optimizer", tuple(OPTIMIZERS)))


class LabWorker:
    """A thread that trains one run when told: ``start()``, ``pause()``, ``step()``, ``stop()``.

    News goes into ``outbox`` as ``(run, kind, value)``: ("point", (Point, Snapshot, most confused, confusion
    matrix)) when the
    run measured itself or a step was asked for, ("done", None), ("error", one line)."""

    def __init__(self, run: LabRun, outbox: queue.Queue):
        self.run = run
        self.outbox = outbox
        self.commands: queue.Queue = queue.Queue()
        self.running = False
        self.thread = threading.Thread(target=self._loop, name=f"lab {run.name}", daemon=True)
        self.thread.start()

    def start(self):
        self.commands.put("run")

    def pause(self):
        self.commands.put("pause")

    def step(self):
        self.commands.put("step")

    def change(self, changes: dict):
        """Go on with other eta, lmbda or epochs (from the next mini-batch)."""
        self.commands.put(("change", changes))

    def stop(self, wait: float = 5.0):
        self.commands.put("quit")
        self.thread.join(wait)

    def _post(self, point) -> None:
        run = self.run
        self.outbox.put((run, "point", (point, run.snapshot(), run.most_confused(3), run.confusion())))

    def _loop(self) -> None:
        run = self.run
        with fast_blas():
            while True:
                try:
                    command = self.commands.get(block=not self.running, timeout=None if not self.running else 0)
                except queue.Empty:
                    command = None
                try:
                    if command == "quit":
                        return
                    if isinstance(command, tuple) and command[0] == "change":
                        run.change(**command[1])
                    if command == "run":
                        self.running = not run.done
                    elif command == "pause":
                        self.running = False
                    elif command == "step" and not run.done:
                        point = run.step()
                        self._post(point if point is not None else run.measure())
                    if self.running:
                        end = time.perf_counter() + CHUNK_S
                        while time.perf_counter() < end and not run.done:
                            point = run.step()
                            if point is not None:
                                self._post(point)
                                break
                        if run.done:
                            self.running = False
                            self.outbox.put((run, "done", None))
                except ArithmeticError as err:  # diverged
                    self.running = False
                    self.outbox.put((run, "error", str(err)))
                except Exception as err:  # a bug: said in the panel rather than lost with the thread
                    self.running = False
                    traceback.print_exc()
                    self.outbox.put((run, "error", f"the run stopped: {type(err).__name__}: {err}".splitlines()[0]))


class LabPanel(ttk.Frame, Scaled):
    """The lab's widgets; the App places it and hands it each Prediction (:meth:`show`)."""

    def __init__(self, master, app, scale: float = 1.0, lab: Lab | None = None, **grid_options):
        super().__init__(master)
        self.app = app
        self.scale = scale
        self.grid_options = grid_options
        self.lab = lab or Lab()
        self.built = False
        self.run: LabRun | None = None
        self.worker: LabWorker | None = None
        self.outbox: queue.Queue = queue.Queue()
        self.running = False
        self.snapshot = None          # the newest Snapshot (a copy: the Tk thread reads with it)
        self.saved_recognizer = None  # the app's own, while a lab network answers
        self.tile_renders = 0
        self._tiles_at = 0.0
        self._pending_tiles = None
        self._poll = None
        self._prediction = None

    def __repr__(self):
        return f"LabPanel({'open' if self.is_open else 'closed'}, {len(self.lab.runs)} runs)"

    @property
    def is_open(self) -> bool:
        return bool(self.winfo_manager())

    def toggle(self) -> bool:
        if self.is_open:
            self.grid_remove()
            return False
        if not self.built:
            self._build()
        self.grid(**self.grid_options)
        return True

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        from ..look_inside import WEIGHTS_COLOURMAP, colour_table

        self.built = True
        self.table = colour_table(WEIGHTS_COLOURMAP)
        small, title = derived_font(size=8), derived_font(size=9, weight="bold")
        left, right = ttk.Frame(self), ttk.Frame(self)
        left.grid(row=0, column=0, sticky="nw")
        right.grid(row=0, column=1, sticky="nw", padx=(self.px(12), 0))

        ttk.Label(left, text="Lab: train a network", font=title).grid(row=0, column=0, columnspan=2, sticky="w")
        self.vars: dict[str, tk.Variable] = {}
        row = 1
        self.preset = tk.StringVar(value="")
        ttk.Label(left, text="Preset", font=small).grid(row=row, column=0, sticky="w")
        preset = ttk.Combobox(left, textvariable=self.preset, values=list(PRESETS), width=10, state="readonly",
                              font=small)
        preset.grid(row=row, column=1, sticky="w")
        preset.bind("<<ComboboxSelected>>", lambda e: self.set_settings(PRESETS[self.preset.get()]))
        row += 1
        for name, label, values in CHOICES:
            self.vars[name] = tk.StringVar()
            ttk.Label(left, text=label, font=small).grid(row=row, column=0, sticky="w")
            ttk.Combobox(left, textvariable=self.vars[name], values=values, width=10, state="readonly",
                         font=small).grid(row=row, column=1, sticky="w", pady=1)
            row += 1
        self.entries = {}
        for name, label in FIELDS:
            self.vars[name] = tk.StringVar()
            ttk.Label(left, text=label, font=small).grid(row=row, column=0, sticky="w")
            self.entries[name] = ttk.Entry(left, textvariable=self.vars[name], width=12, font=small)
            self.entries[name].grid(row=row, column=1, sticky="w", pady=1)
            row += 1
        self.vars["augment"] = tk.BooleanVar()
        ttk.Checkbutton(left, text="Augment (distort)", variable=self.vars["augment"]).grid(
            row=row, column=0, columnspan=2, sticky="w")
        row += 1
        buttons = ttk.Frame(left)
        buttons.grid(row=row, column=0, columnspan=2, sticky="ew", pady=(self.px(6), 0))
        self.start_button = ttk.Button(buttons, text="Start (F5)", command=self.start_pause, width=9)
        self.step_button = ttk.Button(buttons, text="Step", command=self.step, width=5)
        self.reset_button = ttk.Button(buttons, text="Reset", command=self.reset, width=5)
        for i, b in enumerate((self.start_button, self.step_button, self.reset_button)):
            b.grid(row=0, column=i, padx=(0, self.px(3)))
        row += 1
        more = ttk.Frame(left)
        more.grid(row=row, column=0, columnspan=2, sticky="ew", pady=(self.px(4), 0))
        self.save_button = ttk.Button(more, text="Save", command=self.save, width=6)
        self.use_button = ttk.Button(more, text="Use this network", command=self.use_or_back, width=15)
        self.save_button.grid(row=0, column=0, padx=(0, self.px(3)))
        self.use_button.grid(row=0, column=1)
        row += 1
        # one line of text, wrapped to the column (a long message is never cut, never widens the window)
        self.message = ttk.Label(left, text="", font=small, foreground="#b42318", wraplength=self.px(200),
                                 justify="left")
        self.message.grid(row=row, column=0, columnspan=2, sticky="ew", pady=(self.px(4), 0))
        left.columnconfigure(1, minsize=self.px(100))

        self.curve = tk.Canvas(right, width=self.px(CURVE_W), height=self.px(CURVE_H), background="white",
                               highlightthickness=1, highlightbackground="#c3c9d1")
        self.curve.grid(row=0, column=0, columnspan=2, sticky="w")
        self.curve_kind = "accuracy"  # or "cost": a click on the curve switches
        self.curve_text = ttk.Label(right, text="accuracy: validation —, training ┄ (click: cost)", font=small,
                                    foreground=MUTED_COLOUR)
        self.curve_text.grid(row=1, column=0, columnspan=2, sticky="w")
        for widget in (self.curve, self.curve_text):
            widget.bind("<Button-1>", lambda e: self.switch_curves())
        self.tiles = tk.Canvas(right, width=self.px(TILES_SIDE), height=self.px(TILES_SIDE), highlightthickness=0,
                               background="#f4f5f7")
        self.tiles.grid(row=2, column=0, sticky="nw", pady=(self.px(4), 0))
        self.tiles_item = self.tiles.create_image(0, 0, anchor="nw")
        self.tiles_photo = None
        info = ttk.Frame(right)
        info.grid(row=2, column=1, sticky="nw", padx=(self.px(8), 0), pady=(self.px(4), 0))
        wrap = self.px(CURVE_W - TILES_SIDE - 12)
        self.reads = ttk.Label(info, text="", font=small, wraplength=wrap, justify="left")
        self.reads.grid(row=0, column=0, sticky="nw")
        self.progress = ttk.Label(info, text="No run yet", font=small, foreground=MUTED_COLOUR, wraplength=wrap,
                                  justify="left")
        self.progress.grid(row=1, column=0, sticky="nw", pady=(self.px(4), 0))
        self.confused = ttk.Label(info, text="", font=small, foreground=MUTED_COLOUR, wraplength=wrap,
                                  justify="left")
        self.confused.grid(row=2, column=0, sticky="nw", pady=(self.px(4), 0))
        cell = self.px(CONFUSION_CELL)
        self.matrix = tk.Canvas(info, width=10 * cell + 1, height=10 * cell + 1, highlightthickness=0,
                                background="white")
        self.matrix.grid(row=3, column=0, sticky="nw", pady=(self.px(2), 0))
        self.matrix_cells = [[self.matrix.create_rectangle(j * cell, i * cell, (j + 1) * cell, (i + 1) * cell,
                                                           fill="white", outline="#eceef1")
                              for j in range(10)] for i in range(10)]
        ttk.Label(right, text="Runs (select several to compare)", font=small).grid(
            row=3, column=0, columnspan=2, sticky="w", pady=(self.px(4), 0))
        self.run_list = tk.Listbox(right, selectmode="extended", height=4, font=small, exportselection=False,
                                   width=1)
        self.run_list.grid(row=4, column=0, columnspan=2, sticky="ew")
        self.run_list.bind("<<ListboxSelect>>", lambda e: self.draw_curves())
        self.set_settings(LabSettings(hidden=(30,), training_size=10_000, epochs=5, eta=0.5, lmbda=1.0))
        # Keys typed into the fields are the fields': the window's own keys (digits teach the model, Esc
        # clears the canvas, Enter confirms) would act on the drawing.  F5 and Ctrl+T still work there.
        for widget in left.winfo_children():
            if isinstance(widget, (ttk.Entry, ttk.Combobox)):
                widget.bindtags((str(widget), widget.winfo_class(), FIELD_TAG, "all"))
        self.bind_class(FIELD_TAG, "<F5>", lambda e: self.start_pause())
        self.bind_class(FIELD_TAG, "<Control-t>", lambda e: self.app.toggle_lab())
        self.load_problem = None
        self.loader = threading.Thread(target=self._load, name="lab MNIST", daemon=True)
        self.loader.start()
        self._update_buttons()
        self._poll = self.after(POLL_MS, self.poll)

    # -- settings ------------------------------------------------------------------------------

    def set_settings(self, settings: LabSettings) -> None:
        for name in ("activation", "cost", "optimizer"):
            self.vars[name].set(getattr(settings, name))
        for name, _ in FIELDS:
            value = getattr(settings, name)
            self.vars[name].set(" ".join(map(str, value)) if name == "hidden" else str(value))
        self.vars["augment"].set(settings.augment)
        self._init = settings.init

    def settings(self) -> LabSettings:
        """The settings in the fields; ValueError (one line) when one is bad."""
        values = {}
        for name, label in FIELDS:
            text = self.vars[name].get().strip()
            try:
                if name == "hidden":
                    values[name] = tuple(int(t) for t in text.replace(",", " ").split())
                elif name in ("eta", "lmbda"):
                    values[name] = float(text)
                else:
                    values[name] = int(text.replace(",", "").replace("_", ""))
            except ValueError:
                raise ValueError(f"{label}: {text!r} is not a number") from None
        for name in ("activation", "cost", "optimizer"):
            values[name] = self.vars[name].get()
        return LabSettings(augment=bool(self.vars["augment"].get()), init=self._init, **values)

    def say(self, text: str, error: bool = False) -> None:
        self.message.configure(text=text, foreground="#b42318" if error else MUTED_COLOUR)

    def _load(self) -> None:
        """Read MNIST once (the loader thread), so that Start does not wait for it."""
        try:
            self.lab.load()
        except Exception as err:  # MNIST missing or unreadable: an expected problem, told in one line
            text = str(err).splitlines()[0] if str(err) else type(err).__name__
            self.load_problem = f"cannot load MNIST: {text}; run 'digitapp fetch-data'"

    # -- running -------------------------------------------------------------------------------

    def _new_run(self) -> bool:
        """Make a run of the fields' settings; False (and one line) when they are bad."""
        try:
            settings = self.settings()
        except ValueError as err:
            self.say(str(err), error=True)
            return False
        if self.loader.is_alive():
            self.say("reading MNIST…")
            return False
        if self.load_problem:
            self.say(self.load_problem, error=True)
            return False
        if self.worker is not None:
            self.worker.stop()  # the run before stays in the list; its thread ends
        run = self.lab.new_run(settings)
        self.run = run
        self.snapshot = None
        self.worker = LabWorker(run, self.outbox)
        self.run_list.insert("end", self._run_line(run))
        self.run_list.selection_clear(0, "end")
        self.run_list.selection_set("end")
        self.say(f"{run.name}: {settings.describe()}")
        return True

    def start_pause(self) -> None:
        """Start a run (a new one when none is going), or pause the one running (F5: while the lab is open)."""
        if not self.built or not self.is_open:
            return
        if self.running:
            self.worker.pause()
            self.running = False
        elif self._go_on():
            return
        else:
            if not self._new_run():
                if self.loader.is_alive():
                    self.after(100, self.start_pause)  # starts when MNIST is read
                return
            self.worker.start()
            self.running = True
        self._update_buttons()

    def _go_on(self) -> bool:
        """Start the paused (or finished) run again when the fields differ from its settings only in what may
        change as it goes (eta, lmbda, epochs), with those changes; False when a new run is wanted."""
        run = self.run
        if run is None:
            return False
        try:
            settings = self.settings()
        except ValueError as err:
            self.say(str(err), error=True)
            return True  # nothing starts
        names = [name for name, _ in FIELDS] + [name for name, _, _ in CHOICES] + ["augment"]
        if any(getattr(settings, n) != getattr(run.settings, n) for n in names if n not in CHANGEABLE):
            return False
        if run.batches >= settings.epochs * run.batches_per_epoch:
            return False  # done, even with these epochs: a new run
        changes = {n: getattr(settings, n) for n in CHANGEABLE if getattr(settings, n) != getattr(run.settings, n)}
        if changes:
            self.worker.change(changes)
            self.say(f"{run.name} goes on with " + ", ".join(f"{n} {v:g}" for n, v in changes.items()))
        self.worker.start()
        self.running = True
        self._update_buttons()
        return True

    def step(self) -> None:
        """Train one mini-batch (pausing a run that is going)."""
        if self.running:
            self.start_pause()
        if self.run is None or self.run.done:
            if not self._new_run():
                return
        self.worker.step()

    def reset(self) -> None:
        """Stop the current run (it stays in the list); the next Start makes a new one."""
        if self.worker is not None:
            self.worker.stop()
        self.worker, self.run, self.running, self.snapshot = None, None, False, None
        self.progress.configure(text="No run yet")
        self._update_buttons()

    def close(self) -> None:
        """Stop the worker (the window is going)."""
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self._poll is not None:
            self.after_cancel(self._poll)
            self._poll = None

    def _update_buttons(self) -> None:
        self.start_button.configure(text="Pause (F5)" if self.running else "Start (F5)")
        have = self.snapshot is not None
        self.save_button.state(["!disabled" if self.run is not None else "disabled"])
        self.use_button.state(["!disabled" if have or self.saved_recognizer is not None else "disabled"])
        self.use_button.configure(text="Back to my model" if self.saved_recognizer is not None
                                  else "Use this network")

    def poll(self) -> None:
        """Take the worker's news (on the Tk thread)."""
        self._poll = None
        newest = None
        try:
            while True:
                run, kind, value = self.outbox.get_nowait()
                if run is not self.run:
                    continue  # news of a run that was reset or followed by another
                if kind == "point":
                    newest = value
                elif kind == "done":
                    self.running = False
                    self._update_buttons()
                    self.say(f"{self.run.name if self.run else 'the run'} finished")
                elif kind == "error":
                    self.running = False
                    self._update_buttons()
                    self.say(value, error=True)
        except queue.Empty:
            pass
        if newest is not None:
            self.take(*newest)
        self._poll = self.after(POLL_MS, self.poll)

    def take(self, point, snapshot, confused, matrix=None) -> None:
        """Show a worker's snapshot: the curve's new point, the tiles (at most every TILES_EVERY_S), the reads."""
        first = self.snapshot is None
        self.snapshot = snapshot
        run = self.run
        if run is not None:
            self.progress.configure(text=f"{run.name}: epoch {point.epoch:.2f} of {run.settings.epochs}, "
                                         f"{point.batches:,} batches, {point.seconds:.1f} s\n"
                                         f"validation {100 * point.validation_accuracy:.1f}% "
                                         f"(cost {point.validation_cost:.3f}), training "
                                         f"{100 * point.training_accuracy:.1f}%")
            i = self.lab.runs.index(run) if run in self.lab.runs else None
            if i is not None:
                self.run_list.delete(i)
                self.run_list.insert(i, self._run_line(run))
                if not self.run_list.curselection():
                    self.run_list.selection_set(i)
        self.confused.configure(text="Confusions (true→read): " + ", ".join(f"{t}→{p} ({c})" for t, p, c in confused)
                                if confused else "")
        if matrix is not None:
            self.draw_confusion(matrix)
        self.draw_curves()
        now = time.monotonic()
        if now - self._tiles_at >= TILES_EVERY_S:
            self.draw_tiles()
        elif self._pending_tiles is None:
            self._pending_tiles = self.after(int(1000 * TILES_EVERY_S), self.draw_tiles)
        self.show(self._prediction)
        if first:
            self._update_buttons()

    @staticmethod
    def _run_line(run: LabRun) -> str:
        last = run.history[-1] if run.history else None
        score = f"{100 * last.validation_accuracy:.1f}% at epoch {last.epoch:.1f}" if last else "not trained"
        return f"{run.name}: {run.settings.describe()}: {score}"

    # -- pictures ------------------------------------------------------------------------------

    def switch_curves(self) -> None:
        """Accuracy curves, or cost curves: a click on the curve turns from one to the other."""
        self.curve_kind = "cost" if self.curve_kind == "accuracy" else "accuracy"
        self.draw_curves()

    def draw_curves(self) -> None:
        """Validation (solid) and training (dotted) accuracy, or cost, of the chosen runs, x in epochs."""
        c = self.curve
        c.delete("all")
        other = "cost" if self.curve_kind == "accuracy" else "accuracy"
        self.curve_text.configure(text=f"{self.curve_kind}: validation —, training ┄ (click: {other})")
        w, h = self.px(CURVE_W), self.px(CURVE_H)
        pad = self.px(6)
        chosen = [self.lab.runs[i] for i in self.run_list.curselection()]
        if self.run is not None and self.run not in chosen:
            chosen.append(self.run)
        epochs = max([r.settings.epochs for r in chosen] or [1])
        keys = ("validation_accuracy", "training_accuracy")
        top = 1.0  # accuracy runs from 0 to 1; cost from 0 to the largest measured
        if self.curve_kind == "cost":
            keys = ("validation_cost", "training_cost")
            costs = [getattr(p, k) for r in chosen for p in r.history for k in keys]
            top = max([c_ for c_ in costs if np.isfinite(c_)] or [1.0]) or 1.0
        for y in (0.25, 0.5, 0.75, 1.0):
            yy = h - pad - y * (h - 2 * pad)
            c.create_line(pad, yy, w - pad, yy, fill="#eceef1")
            label = f"{int(100 * y)}%" if self.curve_kind == "accuracy" else f"{y * top:.2g}"
            c.create_text(w - pad, yy, text=label, anchor="ne", fill=MUTED_COLOUR,
                          font=("TkDefaultFont", max(6, round(7 * self.scale))))
        c.create_text(w - pad, h - pad, text=f"epoch {epochs}", anchor="se", fill=MUTED_COLOUR,
                      font=("TkDefaultFont", max(6, round(7 * self.scale))))
        for run in chosen:
            colour = COLOURS[self.lab.runs.index(run) % len(COLOURS)]
            for key, dash in zip(keys, ((), (2, 2))):
                xy = []
                for p in run.history[-2000:]:
                    value = min(getattr(p, key) / top, 1.0) if np.isfinite(getattr(p, key)) else 1.0
                    xy += [pad + p.epoch / epochs * (w - 2 * pad), h - pad - value * (h - 2 * pad)]
                if len(xy) >= 4:
                    c.create_line(*xy, fill=colour, dash=dash, tags=("curve", run.name))
                elif len(xy) == 2:
                    c.create_oval(xy[0] - 2, xy[1] - 2, xy[0] + 2, xy[1] + 2, outline=colour, tags=("curve",))

    def draw_confusion(self, matrix: np.ndarray) -> None:
        """The confusion matrix (rows: the true digit, columns: the answer): right answers green, mistakes red."""
        rows = np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        share = matrix / rows
        for i in range(10):
            for j in range(10):
                v = share[i, j]
                if i == j:
                    colour = "#%02x%02x%02x" % (int(255 - 200 * v), int(255 - 90 * v), int(255 - 200 * v))
                else:
                    v = min(1.0, 4 * v)  # mistakes are rarer: a quarter of a row is full red
                    colour = "#%02x%02x%02x" % (255, int(255 - 200 * v), int(255 - 200 * v))
                self.matrix.itemconfigure(self.matrix_cells[i][j], fill=colour)

    def draw_tiles(self) -> None:
        """The first layer's weights of the newest snapshot, as tiles."""
        from ..look_inside import quick_weight_tiles
        from .canvas import photo_from_image

        self._pending_tiles = None
        if self.snapshot is None:
            return
        self._tiles_at = time.monotonic()
        image = Image.fromarray(quick_weight_tiles(self.snapshot.weights, self.px(TILES_SIDE), self.table), "RGB")
        self.tiles_photo = photo_from_image(image, self)
        self.tiles.itemconfigure(self.tiles_item, image=self.tiles_photo)
        self.tile_renders += 1

    # -- the drawing ---------------------------------------------------------------------------

    def show(self, prediction) -> None:
        """The drawing as the run's network reads it, beside the app's model's answer."""
        self._prediction = prediction
        if not self.built or not self.is_open:
            return
        if prediction is None or prediction.is_empty or self.snapshot is None:
            self.reads.configure(text="Draw to see this run's network read it" if self.snapshot is not None
                                 else "")
            return
        x = np.asarray(prediction.input, np.float32).reshape(784, 1)
        mine = self.snapshot_reader().predict_input(x)
        self.reads.configure(text=f"This run reads {mine.digit} ({100 * mine.confidence:.0f}%)\n"
                                  f"your model: {prediction.digit} ({100 * prediction.confidence:.0f}%)")

    def snapshot_reader(self):
        if getattr(self, "_reader_of", None) is not self.snapshot:
            self._reader = self.snapshot.recognizer()
            self._reader_of = self.snapshot
        return self._reader

    # -- saving and using ----------------------------------------------------------------------

    def save(self) -> None:
        """Save the current run's network (as of its newest snapshot) in the user's lab folder."""
        if self.run is None:
            return
        from ..model_io import save_model

        network = self.snapshot.network if self.snapshot is not None else None
        if network is None:
            self.say("train a little first (Step or Start)", error=True)
            return
        from ..lab import new_model_path

        try:
            self.saved_path = save_model(network, new_model_path(self.run.name), {"lab": self.run.settings.to_dict()})
        except OSError as err:
            self.say(f"cannot save: {err}", error=True)
            return
        self.say(f"saved {self.saved_path.name} in {self.saved_path.parent}")

    def use_or_back(self) -> None:
        """Let the run's network answer in the window, or give the answering back to the app's own model."""
        personal = self.app.personal
        if self.app.corrections.teacher.busy:  # it will replace the recognizer when it is done
            self.say("your model is learning a correction: try again in a moment", error=True)
            return
        if self.saved_recognizer is not None:
            personal.recognizer, self.saved_recognizer = self.saved_recognizer, None
            self.say("back to your model")
        elif self.snapshot is not None:
            self.saved_recognizer = personal.recognizer
            personal.recognizer = self.snapshot.recognizer()
            self.say(f"{self.run.name if self.run else 'the lab'}'s network answers now (in memory only)")
        else:
            return
        self._update_buttons()
        self.app.model_changed()
