"""The "look inside" panel: the hidden neurons' weights and activations, the evidence map, the raw outputs, the model.

The first hidden layer is a grid of tiles (each neuron's incoming weights,
framed by its activation); each deeper hidden layer of a deep model is a
strip of squares under it, coloured by its activations, in the same
canvas and the same fixed height, so the window is as tall for any depth.

Nothing here is built, and nothing is computed, until the panel is first
opened; while it is hidden :meth:`InsideView.show` only remembers what to
show.  The maths is :func:`digitapp.explain.explain`; the pictures and words
are made without Tk by :mod:`digitapp.look_inside` (the tile grid is one
image, drawn once per set of weights, e.g. until the network learns from a
correction, and only dimmed and framed by each drawing's activations) and
:mod:`digitapp.curves`; this module puts them on screen.  matplotlib (colour
maps, training curves) is imported when the panel first opens.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

import numpy as np
from PIL import Image

from ..curves import curves_image
from ..explain import Explanation, explain
from ..look_inside import (ACTIVATION_COLOURMAP, BACKGROUND_RGB, NEURON_HINT, SIGNED_COLOURMAP, STRIPS_HEIGHT,
                           WEIGHTS_COLOURMAP, Strip, TilePicture, activation_levels, colour_table, layers_layout,
                           describe_neuron, evidence_map, fit_lines, is_softmax, layer_title, neuron_hint, neuron_tile,
                           output_role, outputs_note, outputs_title, role_colours, strip_at, weights_key)
from .canvas import photo_from_image
from .scaling import Scaled
from .widgets import BAR_COLOUR, MUTED_COLOUR, TEXT_COLOUR, TRACK_COLOUR, derived_font, zoomed_photo

GRID_SIDE = 250                  # the tile grid's side at 96 dpi, whatever the number of neurons
EVIDENCE_ZOOM = 4
SIDE_TEXT = 226                  # the evidence and output column's width at 96 dpi
MODEL_LINES = 6                  # the model's lines under the tiles, at most (a long record is cut short)
#: The panel's widths and heights are fixed (text wraps, rows keep their height), so that the window with the
#: panel open fits a 1366x768 laptop screen and pointing at tiles or drawing moves nothing.
HIGHLIGHT = "#1f2328"


def fitting(text: str, width: int, fonts):
    """The first of ``fonts`` in which ``text`` is at most ``width`` pixels wide (else the last)."""
    return next((font for font in fonts if font.measure(text) <= width), fonts[-1])


class InsideView(ttk.Frame, Scaled):
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
        self.tiles: TilePicture | None = None  # the tile grid of the weights shown
        self.strips: list[Strip] = []          # the deeper hidden layers under it (none for one hidden layer)
        self._selected: tuple[int, int] | None = None  # (layer, neuron) clicked: stays shown
        self.rival: int | None = None       # the digit the evidence sets against the answer; None: the runner-up
        self._hovered: tuple[int, int] | None = None
        self.explanation: Explanation | None = None

    def __repr__(self):
        grid = self.tile_grid
        return (f"InsideView({'open' if self.is_open else 'closed'}, {self.renders} updates"
                + (f", {grid.n} neurons)" if grid else ")"))

    @property
    def tile_grid(self):
        """The tile grid's geometry (None until weights are shown)."""
        return None if self.tiles is None else self.tiles.grid

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
        self.role_colours = role_colours(self.weights_table)
        self.activation_table = colour_table(ACTIVATION_COLOURMAP)
        self.signed_table = colour_table(SIGNED_COLOURMAP)
        small, title = derived_font(size=8), derived_font(size=9, weight="bold")
        self.small_font = small
        # a layer's title too long for the grid's width takes the next of these (a long activation name, 8 layers)
        self.title_fonts = (title, derived_font(size=8, weight="bold"), small)
        self.strip_fonts = (small, derived_font(size=7))
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
        self.strip_photos: list[tk.PhotoImage] = []
        self.strip_items: list[int] = []  # one image per deeper layer, under the tiles
        self.marker = self.grid_canvas.create_rectangle(0, 0, 0, 0, outline=HIGHLIGHT, width=2, state="hidden")
        self.grid_canvas.bind("<Motion>", self._on_motion)
        self.grid_canvas.bind("<Leave>", self._on_leave)
        self.grid_canvas.bind("<Button-1>", self._on_click)
        # the neuron pointed at, magnified over the grid beside its tile (its weights, readable)
        self.zoom_photo: tk.PhotoImage | None = None
        self.zoom_frame = self.grid_canvas.create_rectangle(0, 0, 0, 0, outline=HIGHLIGHT, width=2, state="hidden")
        self.zoom_item = self.grid_canvas.create_image(0, 0, anchor="nw", state="hidden")
        line = small.metrics("linespace")
        self.neuron_label = ttk.Label(left, text="", font=small, foreground=TEXT_COLOUR, justify="left",
                                      wraplength=self.px(GRID_SIDE))
        self.neuron_label.grid(row=2, column=0, sticky="nw", pady=(self.px(4), 0))
        left.rowconfigure(2, minsize=7 * line + self.px(4))  # seven lines, so pointing at tiles moves nothing
        left.columnconfigure(0, minsize=self.px(GRID_SIDE + 4))  # the wrapped words (and a label's border), any tiles

        ttk.Label(right, text="Evidence", font=title).grid(row=0, column=0, sticky="w")
        self.evidence_label = tk.Label(right, borderwidth=0, highlightthickness=0)
        self.evidence_label.grid(row=1, column=0, sticky="w", pady=(self.px(4), 0))
        self.evidence_photo: tk.PhotoImage | None = None
        self.evidence_text = ttk.Label(right, text="", font=small, foreground=MUTED_COLOUR, justify="left",
                                       wraplength=self.px(SIDE_TEXT))
        self.evidence_text.grid(row=2, column=0, sticky="nw", pady=(self.px(2), 0))
        right.rowconfigure(2, minsize=6 * line + self.px(2))  # room for six lines, so the bars below never move

        self.outputs_title = ttk.Label(right, text="", font=title)
        self.outputs_title.grid(row=3, column=0, sticky="w", pady=(self.px(10), 0))
        self.row_height, self.bar_length = self.px(15), self.px(120)
        self.outputs = tk.Canvas(right, width=self.px(18) + self.bar_length + self.px(50), height=1,
                                 highlightthickness=0, borderwidth=0,
                                 background=ttk.Style(self).lookup("TFrame", "background"))
        self.outputs.grid(row=4, column=0, sticky="w", pady=(self.px(4), 0))
        self.n_outputs = 0
        self.outputs.bind("<Button-1>", self._on_output_click)
        self.outputs_text = ttk.Label(right, text="", font=small, foreground=MUTED_COLOUR, justify="left",
                                      wraplength=self.px(SIDE_TEXT))
        self.outputs_text.grid(row=5, column=0, sticky="w")
        right.columnconfigure(0, minsize=self.px(SIDE_TEXT))

        about = ttk.Frame(left)  # the model under the tiles, its training curves across the bottom
        about.grid(row=3, column=0, sticky="nw", pady=(self.px(6), 0))
        ttk.Label(about, text="The model", font=title).pack(anchor="w")
        self.model_text = ttk.Label(about, text="", font=small, foreground=TEXT_COLOUR, justify="left",
                                    wraplength=self.px(GRID_SIDE))
        self.model_text.pack(anchor="w", pady=(self.px(2), 0))
        model = ttk.Frame(self)
        model.grid(row=1, column=0, columnspan=2, sticky="w", pady=(self.px(8), 0))
        self.curves_label = tk.Label(model, borderwidth=0, highlightthickness=0)
        self.curves_label.grid(row=0, column=0, sticky="nw")
        self.curves_source = ttk.Label(model, text="", font=small, foreground=MUTED_COLOUR, justify="left",
                                       wraplength=self.px(100))
        self.curves_source.grid(row=0, column=1, sticky="nw", padx=(self.px(8), 0))
        self.curves_photo: tk.PhotoImage | None = None
        self.built = True

    def _build_bars(self, n: int) -> None:
        """One bar per output neuron (ten for the digits; any more are numbered on, as the network's)."""
        c, h, x0 = self.outputs, self.row_height, self.px(18)
        t = self.px(9)
        c.delete("all")
        c.configure(height=n * h)
        self.n_outputs = n
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
        lines = fit_lines(recognizer.info.details(), self.px(GRID_SIDE), MODEL_LINES, self.small_font.measure)
        self.model_text.configure(text="\n".join(lines))
        image, source = curves_image(recognizer.record.get("history"), getattr(recognizer, "path", None))
        self.curves_photo = None if image is None else photo_from_image(image, master=self)
        self.curves_label.configure(image=self.curves_photo or "")
        self.curves_source.configure(text=f"Training curves: {source}")

    def _draw_tiles(self, network) -> None:
        """The tiles of the first layer's weights, and under them a strip for each deeper hidden layer: in a deep
        model the tiles give up about STRIPS_HEIGHT of their height to the strips (more for many layers)."""
        side, line = self.px(GRID_SIDE), self.small_font.metrics("linespace")
        grid, self.strips = layers_layout(network, side, self.px(STRIPS_HEIGHT), line)
        self.tiles = TilePicture(network.weights[0], side, self.weights_table, self.activation_table, grid)
        width, height = grid.size
        c = self.grid_canvas
        c.delete("strip")
        self.strip_items, self.strip_photos = [], []
        for strip in self.strips:
            c.create_text(0, strip.top, text=strip.title, anchor="nw", font=fitting(strip.title, side, self.strip_fonts),
                          fill=TEXT_COLOUR, tags=("strip", f"strip-title{strip.layer}"))
            self.strip_items.append(c.create_image(0, strip.squares_top, anchor="nw", tags=("strip",)))
        c.configure(width=max([width] + [s.grid.size[0] for s in self.strips]),
                    height=self.strips[-1].bottom if self.strips else height)
        for item in (self.marker, self.zoom_frame, self.zoom_item):
            c.tag_raise(item)
        title = layer_title(network)
        self.grid_title.configure(text=title, font=fitting(title, side, self.title_fonts), wraplength=side)
        if network.sizes[-1] != self.n_outputs:
            self._build_bars(network.sizes[-1])
        self.outputs_title.configure(text=outputs_title(network.sizes[-1], is_softmax(network)))

    def strip_title(self, layer: int) -> str:
        """The words above hidden layer ``layer``'s strip (2 onwards)."""
        return self.grid_canvas.itemcget(f"strip-title{layer}", "text")

    def _show_grid(self) -> None:
        network, e = self._recognizer.network, self.explanation
        levels = None
        if e is not None:
            levels, signed = activation_levels(network, e.layers[0])
            levels = np.abs(levels) if signed else levels  # a tile shows how far from zero its neuron is
        image = Image.fromarray(self.tiles.pixels(levels), "RGB")
        self.grid_photo = photo_from_image(image, master=self)
        self.grid_canvas.itemconfigure(self.grid_item, image=self.grid_photo)
        self.strip_photos = []
        for strip, item in zip(self.strips, self.strip_items):
            levels, signed = (None, False) if e is None else activation_levels(network, e.layers[strip.layer - 1])
            pixels = strip.grid.pixels(levels, signed, self.activation_table, self.signed_table)
            self.strip_photos.append(photo_from_image(Image.fromarray(pixels, "RGB"), master=self))
            self.grid_canvas.itemconfigure(item, image=self.strip_photos[-1])

    def _show_evidence(self) -> None:
        colours, text = evidence_map(self.explanation, self.rival, self.weights_table)
        self.evidence_photo = zoomed_photo(colours, self.px(EVIDENCE_ZOOM), self)
        self.evidence_label.configure(image=self.evidence_photo)
        self.evidence_text.configure(text=text)

    def _show_outputs(self) -> None:
        e, c, x0 = self.explanation, self.outputs, self.px(18)
        output = np.zeros(self.n_outputs) if e is None else e.output
        for digit, a in enumerate(output):
            _, y0, _, y1 = c.coords(f"track{digit}")
            length = round(float(a) * self.bar_length)
            role = output_role(e, digit)
            c.coords(f"bar{digit}", x0, y0, x0 + length, y1)
            c.itemconfigure(f"bar{digit}", fill=self.role_colours.get(role, BAR_COLOUR),
                            state="normal" if length >= 1 else "hidden")
            c.itemconfigure(f"value{digit}", text="" if e is None else f"{a:.3f}",
                            fill=MUTED_COLOUR if role is None else TEXT_COLOUR)
            c.itemconfigure(f"label{digit}", fill=self.role_colours.get(role, TEXT_COLOUR))
        self.outputs_text.configure(text=outputs_note(e, is_softmax(self._recognizer.network)))

    def bar_width(self, digit: int) -> float:
        x0, _, x1, _ = self.outputs.coords(f"bar{digit}")
        return x1 - x0

    # -- one neuron ----------------------------------------------------------------------------

    def _neuron_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(layer, neuron) under the canvas point (x, y): a tile (layer 1) or a deeper layer's square."""
        i = self.tile_grid.neuron_at(x, y)
        return (1, i) if i is not None else strip_at(self.strips, x, y)

    def _on_motion(self, event) -> None:
        self._hovered = self._neuron_at(event.x, event.y)
        self._show_neuron()

    def _on_leave(self, event) -> None:
        self._hovered = None
        self._show_neuron()

    def _on_click(self, event) -> None:
        pointed = self._neuron_at(event.x, event.y)
        self._selected = None if pointed == self._selected else pointed
        self._show_neuron()

    @property
    def neuron(self) -> tuple[int, int] | None:
        """(layer, neuron) described under the grid: the one under the mouse, else the one clicked."""
        return self._hovered if self._hovered is not None else self._selected

    def _show_neuron(self) -> None:
        pointed = self.neuron
        c = self.grid_canvas
        network = None if self._recognizer is None else self._recognizer.network
        if pointed is None or network is None or pointed[0] > network.num_layers - 2 \
                or pointed[1] >= network.sizes[pointed[0]]:  # nothing, or a neuron of a model since replaced
            for item in (self.marker, self.zoom_item, self.zoom_frame):
                c.itemconfigure(item, state="hidden")
            self.neuron_label.configure(text=NEURON_HINT if network is None else neuron_hint(network))
            return
        layer, i = pointed
        if layer == 1:
            c.coords(self.marker, *self.tile_grid.tile_box(i))
            self._show_zoom(i)
        else:
            strip = next(s for s in self.strips if s.layer == layer)
            x0, y0, x1, y1 = strip.grid.cell_box(i)
            c.coords(self.marker, x0 - 1, strip.squares_top + y0 - 1, x1 + 1, strip.squares_top + y1 + 1)
            for item in (self.zoom_item, self.zoom_frame):
                c.itemconfigure(item, state="hidden")
        c.itemconfigure(self.marker, state="normal")
        x = None if self._prediction is None or self.explanation is None else self._prediction.input
        self.neuron_label.configure(text=describe_neuron(network, i, self.explanation, x, layer=layer))

    def _show_zoom(self, i: int) -> None:
        """Neuron i's weights magnified beside its tile, inside the grid (on the side with more room)."""
        c = self.grid_canvas
        pixels = neuron_tile(self._recognizer.network.weights[0], i, self.weights_table, self.px(3))
        if pixels is None:
            c.itemconfigure(self.zoom_item, state="hidden")
            c.itemconfigure(self.zoom_frame, state="hidden")
            return
        self.zoom_photo = zoomed_photo(pixels, 1, self)
        side = pixels.shape[0]
        width, height = self.tile_grid.size
        x0, y0, x1, y1 = self.tile_grid.tile_box(i)
        x = x1 + self.px(4) if x1 + self.px(4) + side <= width else x0 - self.px(4) - side
        y = min(max(0, y0), max(0, height - side))
        c.coords(self.zoom_item, x, y)
        c.coords(self.zoom_frame, x - 1, y - 1, x + side, y + side)
        c.itemconfigure(self.zoom_item, image=self.zoom_photo, state="normal")
        c.itemconfigure(self.zoom_frame, state="normal")
        c.tag_raise(self.zoom_frame)
        c.tag_raise(self.zoom_item)

