"""The "look inside" panel: the hidden neurons' weights and activations, the evidence map, the raw outputs, the model.

Nothing here is built, and nothing is computed, until the panel is first
opened; while it is hidden :meth:`InsideView.show` only remembers what to
show.  The maths is :func:`digitapp.explain.explain`; this module turns it
into pictures.  The tile grid is one image: the weight tiles are drawn once
per set of weights (kept until the weights change, e.g. after the network
learnt from a correction) and each new drawing only dims them and paints
their frames by activation.  matplotlib (colour maps, training curves) is
imported when the panel first opens.
"""

from __future__ import annotations

import io
import logging
import math
import tkinter as tk
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from tkinter import ttk

import numpy as np
from PIL import Image

from ..explain import Explanation, explain
from ..preprocess import FIELD
from .canvas import photo_from_image
from .widgets import BAR_COLOUR, MUTED_COLOUR, TEXT_COLOUR, TRACK_COLOUR, derived_font, zoomed_photo

log = logging.getLogger(__name__)

WEIGHTS_COLOURMAP = "RdBu_r"     # diverging: positive red, negative blue, zero white
ACTIVATION_COLOURMAP = "Greens"  # the tiles' frames: the more a neuron fires, the darker its frame
GRID_SIDE = 320                  # the tile grid's side at 96 dpi, whatever the number of neurons
DIM = 0.3                        # a silent neuron's tile keeps this much of its contrast
EVIDENCE_ZOOM = 5
CURVES_SIZE = (3.7, 1.5)         # inches at 100 dpi
BACKGROUND_RGB = (0xEE, 0xF0, 0xF3)
HIGHLIGHT = "#1f2328"


def colour_table(name: str) -> np.ndarray:
    """A matplotlib colour map as 256 RGB rows of uint8, so colouring an array is one lookup."""
    import matplotlib

    return (matplotlib.colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255).round().astype(np.uint8)


def diverging_index(values: np.ndarray, limit: float) -> np.ndarray:
    """Indices into a diverging colour table: -limit -> 0, 0 -> the middle, +limit -> 255."""
    if limit <= 0:
        return np.full(np.shape(values), 128, np.uint8)
    return np.clip(np.round((np.asarray(values) / limit + 1) * 127.5), 0, 255).astype(np.uint8)


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) for n tiles, as square as possible: 100 -> 10 x 10, 30 -> 5 x 6, 10 -> 3 x 4."""
    columns = math.ceil(math.sqrt(n))
    return math.ceil(n / columns), columns


@dataclass
class TileGrid:
    """The geometry of the tile grid: which pixel belongs to which neuron's tile or frame."""

    n: int
    rows: int
    columns: int
    cell: int    # pixels per grid cell
    frame: int   # frame width; the tile sits inside the frame with a pixel of space
    tile_of: np.ndarray = field(repr=False)   # (height, width) neuron index of each tile pixel, n elsewhere
    frame_of: np.ndarray = field(repr=False)  # (height, width) neuron index of each frame pixel, n elsewhere

    @classmethod
    def for_neurons(cls, n: int, side: int) -> "TileGrid":
        rows, columns = grid_shape(n)
        cell = max(12, side // columns)
        frame = max(2, cell // 13)
        margin = frame + 1
        y, x = np.mgrid[0:rows * cell, 0:columns * cell]
        index = (y // cell) * columns + x // cell
        u, v = y % cell, x % cell
        inside = (u >= margin) & (u < cell - margin) & (v >= margin) & (v < cell - margin)
        edge = np.minimum(np.minimum(u, v), np.minimum(cell - 1 - u, cell - 1 - v))
        ring = edge < frame
        valid = index < n
        tile_of = np.where(inside & valid, index, n)
        frame_of = np.where(ring & valid, index, n)
        return cls(n, rows, columns, cell, frame, tile_of, frame_of)

    @property
    def size(self) -> tuple[int, int]:
        return self.columns * self.cell, self.rows * self.cell

    @property
    def tile_side(self) -> int:
        return self.cell - 2 * (self.frame + 1)

    def neuron_at(self, x: float, y: float) -> int | None:
        """The neuron whose cell holds the pixel (x, y), or None."""
        if x < 0 or y < 0:
            return None
        row, column = int(y) // self.cell, int(x) // self.cell
        i = row * self.columns + column
        return i if row < self.rows and column < self.columns and i < self.n else None

    def tile_box(self, i: int) -> tuple[int, int, int, int]:
        """The tile of neuron i (inside its frame) as (x0, y0, x1, y1), x1 and y1 exclusive."""
        row, column = divmod(i, self.columns)
        m = self.frame + 1
        return (column * self.cell + m, row * self.cell + m, (column + 1) * self.cell - m, (row + 1) * self.cell - m)


def weight_tiles(weights: np.ndarray, grid: TileGrid, table: np.ndarray) -> np.ndarray:
    """The grid's pixels (height, width, 3) float32: each neuron's incoming weights, scaled to its own largest."""
    side = grid.tile_side
    shape = int(math.isqrt(weights.shape[1])) if math.isqrt(weights.shape[1]) ** 2 == weights.shape[1] else None
    pixels = np.empty(grid.size[::-1] + (3,), np.float32)
    pixels[:] = BACKGROUND_RGB
    for i, w in enumerate(weights):
        index = diverging_index(w, float(np.abs(w).max()))
        square = index.reshape(shape, shape) if shape else index.reshape(1, -1)
        resized = np.asarray(Image.fromarray(square, "L").resize((side, side), Image.Resampling.BILINEAR))
        x0, y0, x1, y1 = grid.tile_box(i)
        pixels[y0:y1, x0:x1] = table[resized]
    return pixels


def weights_key(network) -> tuple:
    """Changes whenever the first layer's weights do, even in place (a CRC of their bytes, ~0.1 ms)."""
    w = network.weights[0]
    return id(network), id(w), w.shape, zlib.crc32(np.ascontiguousarray(w).view(np.uint8))


def provenance(info: dict) -> str:
    """'personalised', 'shipped' or 'other file', from Recognizer.model_info()."""
    if info.get("personal") or info.get("personalised"):
        return "personalised"
    return "shipped" if info.get("shipped") else ("other file" if info.get("file") else "in memory")


def model_lines(recognizer) -> str:
    """The model section's text: file, where it comes from, shape, training record."""
    info = recognizer.model_info()
    net = recognizer.network
    name = Path(info["file"]).name if info.get("file") else None
    lines = [f"{name}: {provenance(info)} model" if name else "a model in memory, not from a file"]
    if info.get("file") and not info.get("shipped"):
        lines.append(f"in {Path(info['file']).parent}")
    lines.append(f"Network({net.sizes}), {net.cost.name} cost")
    trained = []
    if isinstance(info.get("date"), str):
        trained.append(f"trained {info['date'][:10]}")
    if isinstance(info.get("epochs"), int):
        trained.append(f"{info['epochs']} epochs")
    recipe = info.get("recipe")
    if isinstance(recipe, str) and recipe.strip():
        trained.append(f"by '{recipe.strip()}'")
    lines.append(", ".join(trained) if trained else "no training record")
    scores = [f"{label} {100 * info[key]:.2f}%" for key, label in (("validation_accuracy", "validation"),
                                                                     ("test_accuracy", "MNIST test"))
              if isinstance(info.get(key), (int, float))]
    if scores:
        lines.append(", ".join(scores))
    return "\n".join(lines)


def curves_image(recognizer) -> tuple[Image.Image | None, str]:
    """The training curves: drawn from the record's history, else the PNG beside the model file; and where from."""
    history = recognizer.record.get("history")
    if isinstance(history, list) and history:
        try:
            import matplotlib

            from ..curves import plot_curves

            out = io.BytesIO()
            with matplotlib.rc_context({"font.size": 6.5, "lines.markersize": 2, "lines.linewidth": 1}):
                plot_curves(history, out, figsize=CURVES_SIZE)
            out.seek(0)
            return Image.open(out).convert("RGB"), "from the training record"
        except Exception as err:  # a record from a file can hold anything
            log.info("cannot draw the training curves from the record: %s", err)
    path = getattr(recognizer, "path", None)
    png = Path(path).with_suffix(".png") if path else None
    if png is not None and png.is_file():
        try:
            with Image.open(png) as image:
                image.thumbnail((round(CURVES_SIZE[0] * 100), round(CURVES_SIZE[1] * 100)))
                return image.convert("RGB"), png.name
        except (OSError, ValueError, Image.DecompressionBombError) as err:
            log.info("cannot read %s: %s", png, err)
    return None, "no training curves in this model's record"


class InsideView(ttk.Frame):
    """The panel; :meth:`show` it a Prediction (or None) after every drawing, :meth:`toggle` it open and shut."""

    def __init__(self, master, scale: float = 1.0, **grid_options):
        super().__init__(master)
        self.scale = scale
        self.grid_options = grid_options
        self.built = False
        self.renders = 0  # full updates done, for tests and benchmarks
        self._recognizer = None
        self._prediction = None
        self._weights_key = None
        self._model_key = None
        self._selected: int | None = None   # clicked: stays shown
        self.rival: int | None = None       # the digit the evidence sets against the answer; None: the runner-up
        self._hovered: int | None = None
        self.explanation: Explanation | None = None

    def __repr__(self):
        grid = getattr(self, "tile_grid", None)
        return (f"InsideView({'open' if self.is_open else 'closed'}, {self.renders} updates"
                + (f", {grid.n} neurons)" if grid else ")"))

    def px(self, n: float) -> int:
        return max(1, round(n * self.scale))

    @property
    def is_open(self) -> bool:
        return bool(self.winfo_manager())

    def toggle(self, recognizer, prediction) -> bool:
        """Open or close the panel; returns whether it is open now."""
        if self.is_open:
            self.grid_remove()
            return False
        self.grid(**self.grid_options)
        self.show(recognizer, prediction)
        return True

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.weights_table = colour_table(WEIGHTS_COLOURMAP)
        # the output bars of the answer and of its rival in the evidence map's own colours
        self.role_colours = {role: "#%02x%02x%02x" % tuple(self.weights_table[i]) for role, i in
                             (("for", 232), ("against", 23))}
        self.activation_table = colour_table(ACTIVATION_COLOURMAP)
        small, title = derived_font(size=8), derived_font(size=9, weight="bold")
        self.small_font = small
        left, right = ttk.Frame(self), ttk.Frame(self)
        left.grid(row=0, column=0, sticky="nw")
        right.grid(row=0, column=1, sticky="nw", padx=(self.px(14), 0))

        self.grid_title = ttk.Label(left, text="", font=title)
        self.grid_title.grid(row=0, column=0, sticky="w")
        self.grid_canvas = tk.Canvas(left, width=1, height=1, highlightthickness=0, borderwidth=0,
                                     background="#%02x%02x%02x" % BACKGROUND_RGB, cursor="hand2")
        self.grid_canvas.grid(row=1, column=0, sticky="w", pady=(self.px(4), 0))
        self.grid_photo: tk.PhotoImage | None = None
        self.grid_item = self.grid_canvas.create_image(0, 0, anchor="nw")
        self.marker = self.grid_canvas.create_rectangle(0, 0, 0, 0, outline=HIGHLIGHT, width=2, state="hidden")
        self.grid_canvas.bind("<Motion>", self._on_motion)
        self.grid_canvas.bind("<Leave>", self._on_leave)
        self.grid_canvas.bind("<Button-1>", self._on_click)
        self.neuron_label = ttk.Label(left, text="", font=small, foreground=TEXT_COLOUR, justify="left",
                                      wraplength=self.px(GRID_SIDE))
        self.neuron_label.grid(row=2, column=0, sticky="nw", pady=(self.px(4), 0))
        left.rowconfigure(2, minsize=self.px(60))  # three lines, so pointing at tiles moves nothing

        ttk.Label(right, text="Evidence", font=title).grid(row=0, column=0, sticky="w")
        self.evidence_label = tk.Label(right, borderwidth=0, highlightthickness=0)
        self.evidence_label.grid(row=1, column=0, sticky="w", pady=(self.px(4), 0))
        self.evidence_photo: tk.PhotoImage | None = None
        self.evidence_text = ttk.Label(right, text="", font=small, foreground=MUTED_COLOUR, justify="left",
                                       wraplength=self.px(240))
        self.evidence_text.grid(row=2, column=0, sticky="nw", pady=(self.px(2), 0))
        right.rowconfigure(2, minsize=self.px(72))  # room for five lines, so the bars below never move

        self.outputs_title = ttk.Label(right, text="", font=title)
        self.outputs_title.grid(row=3, column=0, sticky="w", pady=(self.px(10), 0))
        self.row_height, self.bar_length = self.px(16), self.px(130)
        self.outputs = tk.Canvas(right, width=self.px(18) + self.bar_length + self.px(50), height=1,
                                 highlightthickness=0, borderwidth=0,
                                 background=ttk.Style(self).lookup("TFrame", "background"))
        self.outputs.grid(row=4, column=0, sticky="w", pady=(self.px(4), 0))
        self.n_outputs = 0
        self.outputs.bind("<Button-1>", self._on_output_click)
        self.outputs_text = ttk.Label(right, text="", font=small, foreground=MUTED_COLOUR, justify="left",
                                      wraplength=self.px(240))
        self.outputs_text.grid(row=5, column=0, sticky="w")

        model = ttk.Frame(self)
        model.grid(row=1, column=0, columnspan=2, sticky="w", pady=(self.px(10), 0))
        about = ttk.Frame(model)
        about.grid(row=0, column=0, sticky="nw")
        ttk.Label(about, text="The model", font=title).pack(anchor="w")
        self.model_text = ttk.Label(about, text="", font=small, foreground=TEXT_COLOUR, justify="left",
                                    wraplength=self.px(230))
        self.model_text.pack(anchor="w", pady=(self.px(2), 0))
        self.curves_source = ttk.Label(about, text="", font=small, foreground=MUTED_COLOUR, justify="left",
                                       wraplength=self.px(230))
        self.curves_source.pack(anchor="w", pady=(self.px(6), 0))
        self.curves_label = tk.Label(model, borderwidth=0, highlightthickness=0)
        self.curves_label.grid(row=0, column=1, sticky="nw", padx=(self.px(12), 0))
        self.curves_photo: tk.PhotoImage | None = None
        self.built = True

    def _build_bars(self, n: int) -> None:
        """One bar per output neuron (ten for the digits; any more are numbered on, as the network's)."""
        c, h, x0 = self.outputs, self.row_height, self.px(18)
        t = self.px(9)
        c.delete("all")
        c.configure(height=n * h)
        self.n_outputs = n
        self.outputs_title.configure(text=f"Output layer: the {'ten' if n == 10 else n} sigmoid outputs")
        for digit in range(n):
            y = digit * h + h / 2
            c.create_text(x0 - self.px(6), y, text=str(digit), anchor="e", font=self.small_font,
                          fill=TEXT_COLOUR, tags=(f"label{digit}",))
            c.create_rectangle(x0, y - t / 2, x0 + self.bar_length, y + t / 2, fill=TRACK_COLOUR, width=0,
                               tags=(f"track{digit}",))
            c.create_rectangle(x0, y - t / 2, x0, y + t / 2, fill=BAR_COLOUR, width=0, tags=(f"bar{digit}",))
            c.create_text(x0 + self.bar_length + self.px(6), y, text="", anchor="w", font=self.small_font,
                          fill=MUTED_COLOUR, tags=(f"value{digit}",))

    # -- updating ------------------------------------------------------------------------------

    def show(self, recognizer, prediction) -> None:
        """Show what ``recognizer``'s network does with ``prediction``'s input; nothing but a note while closed."""
        self._recognizer, self._prediction = recognizer, prediction
        if not self.is_open:
            return
        if not self.built:
            self._build()
        network = recognizer.network
        model_key = (id(recognizer), getattr(recognizer, "path", None), id(getattr(recognizer, "record", None)))
        if model_key != self._model_key:
            self._show_model(recognizer)
            self._model_key = model_key
        key = weights_key(network)
        if key != self._weights_key:
            self._draw_tiles(network)
            self._weights_key = key
        x = None if prediction is None else np.asarray(prediction.input)
        from ..blas import fast_blas

        with fast_blas():  # small products: a second BLAS thread only adds hand-offs (60 ms, not 0.3, when busy)
            self.explanation = None if x is None or not x.any() else self._explain(network, x, prediction.digit)
        self._show_grid()
        self._show_evidence()
        self._show_outputs()
        self._show_neuron()
        self.renders += 1

    def _explain(self, network, x, digit: int) -> Explanation:
        """The answer ``digit`` against the rival the user set (the runner-up when none, or it is the answer)."""
        return explain(network, x, digit, None if self.rival == digit else self.rival)

    def set_rival(self, digit: int | None) -> None:
        """Set the answer against ``digit`` in the evidence map (None: against the runner-up)."""
        self.rival = digit
        if self._recognizer is not None:
            self.show(self._recognizer, self._prediction)

    def _on_output_click(self, event) -> None:
        digit = int(event.y // self.row_height)
        if 0 <= digit < self.n_outputs:
            chosen = self.explanation is not None and digit == self.explanation.digit
            self.set_rival(None if chosen or digit == self.rival else digit)

    def _show_model(self, recognizer) -> None:
        self.model_text.configure(text=model_lines(recognizer))
        image, source = curves_image(recognizer)
        self.curves_photo = None if image is None else photo_from_image(image, master=self)
        self.curves_label.configure(image=self.curves_photo or "")
        self.curves_source.configure(text=f"Training curves: {source}")

    def _draw_tiles(self, network) -> None:
        n = network.sizes[1]
        self.tile_grid = TileGrid.for_neurons(n, self.px(GRID_SIDE))
        self.base = weight_tiles(network.weights[0], self.tile_grid, self.weights_table)
        # what each drawing needs, flat: the tiles' difference from the background, whose pixels are whose
        self._ink = (self.base - np.asarray(BACKGROUND_RGB, np.float32)).reshape(-1, 3)
        self._tile_index = self.tile_grid.tile_of.ravel()
        self._ring = np.flatnonzero(self.tile_grid.frame_of < n)
        self._ring_neuron = self.tile_grid.frame_of.ravel()[self._ring]
        width, height = self.tile_grid.size
        self.grid_canvas.configure(width=width, height=height)
        layer = "Hidden layer" if network.num_layers > 2 else "Output layer (this network has no hidden layer)"
        self.grid_title.configure(text=f"{layer}: {n} neurons")
        if network.sizes[-1] != self.n_outputs:
            self._build_bars(network.sizes[-1])

    def _show_grid(self) -> None:
        if self.explanation is None:
            pixels = self.base
        else:
            # one extra entry for the pixels of no neuron (index n): full contrast
            a = np.clip(self.explanation.first_layer.astype(np.float32), 0, 1)
            contrast = np.append(DIM + (1 - DIM) * a, np.float32(1))[self._tile_index]
            pixels = self._ink * contrast[:, None]
            pixels += np.asarray(BACKGROUND_RGB, np.float32)
            pixels[self._ring] = self.activation_table[np.round(a * 255).astype(np.uint8)][self._ring_neuron]
            pixels = pixels.reshape(self.base.shape)
        image = Image.fromarray((pixels + 0.5).astype(np.uint8), "RGB")
        self.grid_photo = photo_from_image(image, master=self)
        self.grid_canvas.itemconfigure(self.grid_item, image=self.grid_photo)

    def _show_evidence(self) -> None:
        e = self.explanation
        if e is None or e.evidence.size != FIELD * FIELD:
            index = np.full((FIELD, FIELD), 128, np.uint8)
            text = "Draw a digit: red pixels will be those that pushed the answer towards the chosen digit, " \
                   "blue ones those that pushed it towards the runner-up."
        else:
            evidence = e.evidence.reshape(FIELD, FIELD)
            index = diverging_index(evidence, float(np.abs(evidence).max()))
            total = float(evidence.sum())
            which = "the runner-up" if self.rival != e.runner_up else "your pick"
            text = (f"Red pushed towards {e.digit}, blue towards {e.runner_up} ({which}). "
                    f"Together they move z{e.digit} − z{e.runner_up} by {total:+.1f} from a blank canvas "
                    f"(now {e.difference:+.1f}).")
        self.evidence_photo = zoomed_photo(self.weights_table[index], self.px(EVIDENCE_ZOOM), self)
        self.evidence_label.configure(image=self.evidence_photo)
        self.evidence_text.configure(text=text)

    def _show_outputs(self) -> None:
        e, c, x0 = self.explanation, self.outputs, self.px(18)
        output = np.zeros(self.n_outputs) if e is None else e.output
        for digit, a in enumerate(output):
            _, y0, _, y1 = c.coords(f"track{digit}")
            length = round(float(a) * self.bar_length)
            role = None if e is None else {e.digit: "for", e.runner_up: "against"}.get(digit)
            c.coords(f"bar{digit}", x0, y0, x0 + length, y1)
            c.itemconfigure(f"bar{digit}", fill=self.role_colours.get(role, BAR_COLOUR),
                            state="normal" if length >= 1 else "hidden")
            c.itemconfigure(f"value{digit}", text="" if e is None else f"{a:.3f}",
                            fill=MUTED_COLOUR if role is None else TEXT_COLOUR)
            c.itemconfigure(f"label{digit}", fill=self.role_colours.get(role, TEXT_COLOUR))
        self.outputs_text.configure(
            text="" if e is None else f"Each is a separate sigmoid neuron, not a share: they add up to "
                                      f"{float(output.sum()):.2f}, and all ten can be low (\"none of these\"). "
                                      f"Click a digit to set the answer against it.")

    def bar_width(self, digit: int) -> float:
        x0, _, x1, _ = self.outputs.coords(f"bar{digit}")
        return x1 - x0

    # -- one neuron ----------------------------------------------------------------------------

    def _on_motion(self, event) -> None:
        self._hovered = self.tile_grid.neuron_at(event.x, event.y)
        self._show_neuron()

    def _on_leave(self, event) -> None:
        self._hovered = None
        self._show_neuron()

    def _on_click(self, event) -> None:
        i = self.tile_grid.neuron_at(event.x, event.y)
        self._selected = None if i == self._selected else i
        self._show_neuron()

    @property
    def neuron(self) -> int | None:
        """The neuron described under the grid: the one under the mouse, else the one clicked."""
        return self._hovered if self._hovered is not None else self._selected

    def _show_neuron(self) -> None:
        i = self.neuron
        if i is None or self._recognizer is None:
            self.grid_canvas.itemconfigure(self.marker, state="hidden")
            self.neuron_label.configure(text="Each tile is one neuron's incoming weights (red +, blue −); "
                                             "its frame darkens as it fires. Point at a tile, or click to keep it.")
            return
        self.grid_canvas.coords(self.marker, *self.tile_grid.tile_box(i))
        self.grid_canvas.itemconfigure(self.marker, state="normal")
        self.neuron_label.configure(text=describe_neuron(self._recognizer.network, i, self.explanation))


def describe_neuron(network, i: int, explanation: Explanation | None, strongest: int = 3) -> str:
    """'Neuron 37: activation 0.93, bias -1.20' and its strongest outgoing weights."""
    text = f"Neuron {i}"
    if explanation is not None:
        text += f": activation {float(explanation.first_layer[i]):.2f}"
    text += f", bias {float(network.biases[0][i, 0]):+.2f}"
    if network.num_layers < 3:
        return text + " (an output neuron: digit " + str(i) + ")"
    outgoing = network.weights[1][:, i]
    order = np.argsort(-np.abs(outgoing))[:strongest]
    to = "digit" if network.num_layers == 3 else "neuron"
    text += "\nStrongest outgoing weights: " + ", ".join(f"to {to} {j} {float(outgoing[j]):+.2f}" for j in order)
    if explanation is not None and network.num_layers == 3:
        d = explanation.digit
        text += f"\nIts push on {d} now: activation × weight = {float(explanation.first_layer[i] * outgoing[d]):+.2f}"
    return text
