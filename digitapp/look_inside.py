"""What the look-inside panel shows, worked out without Tk: its pictures as arrays, its words as strings.

:mod:`digitapp.explain` says why the network chose; this module turns that
into what a person looks at: the hidden neurons' incoming weights as a grid
of tiles (drawn once per set of weights, then dimmed and framed by each
drawing's activations), the evidence map in a diverging colour map, and the
sentences beside them.  :mod:`digitapp.gui.inside` only puts these on
screen, so everything here is tested without a display.  matplotlib (for
its colour maps) is imported only when a colour table is first made.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .explain import Explanation
from .preprocess import DIGITS, FIELD
from .recognizer import SOFTMAX_NONE_BELOW

WEIGHTS_COLOURMAP = "RdBu_r"     # diverging: positive red, negative blue, zero white
ACTIVATION_COLOURMAP = "Greens"  # the tiles' frames and the deeper layers: the more a neuron fires, the darker
SIGNED_COLOURMAP = "PiYG"        # a layer whose activation goes below zero (tanh, ELU...): green above, pink below
DIM = 0.3                        # a silent neuron's tile keeps this much of its contrast
#: Each tile's colours span this percentile of its weights' sizes (not the largest, which one stray weight
#: holds: the tiles were mostly white); the few beyond it are full red or blue.
TILE_PERCENTILE = 95
NEURON_ZOOM = 3                  # the pointed-at neuron's weights, magnified beside its maths
BACKGROUND_RGB = (0xEE, 0xF0, 0xF3)
#: Where in the weights' colour table the answer ("for") and its rival ("against") take their colours.
ROLE_INDEX = {"for": 232, "against": 23}

NEURON_HINT = ("Each tile is one neuron's incoming weights: red where ink makes it fire, blue where ink "
               "holds it back. Its frame darkens as it fires. Point at a tile to see its sums; click to keep it.")
DEEPER_HINT = " Below them, the deeper layers: a square per neuron, darker as it fires{signed}; point at one too."
#: The hidden activations' names as a reader knows them, and how each turns z into the neuron's output.
ACTIVATION_WORDS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky-relu": "leaky ReLU",
                    "elu": "ELU", "swish": "swish"}
FORMULAS = {"sigmoid": "σ(z) = 1 / (1 + e^−z)", "tanh": "tanh(z)", "relu": "ReLU(z) = max(0, z)",
            "leaky-relu": "leaky ReLU(z) = max(0.01 z, z)", "elu": "ELU(z) = z, or e^z − 1 below 0",
            "swish": "swish(z) = z σ(z)", "softmax": "softmax: e^z / Σ e^z of all outputs"}
#: Activations whose outputs lie in [0, 1] or [-1, 1] are coloured as they are; the others (ReLU...) are
#: scaled to the layer's largest in the drawing shown.
BOUNDED = {"sigmoid", "tanh"}
#: Activations that can go below zero: their squares take a diverging colour map.
SIGNED = {"tanh", "leaky-relu", "elu", "swish"}
STRIP_CELL = (6, 16)             # a deeper layer's squares: at least and at most this many pixels a side
STRIPS_HEIGHT = 110              # the most height the deeper layers take from the tiles (96 dpi), however many
EVIDENCE_HINT = ("Draw a digit: red pixels will be those that push the network towards its answer, "
                 "blue ones those that push it towards the runner-up.")


def colour_table(name: str) -> np.ndarray:
    """A matplotlib colour map as 256 RGB rows of uint8, so colouring an array is one lookup."""
    import matplotlib

    return (matplotlib.colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255).round().astype(np.uint8)


def role_colours(weights_table: np.ndarray) -> dict[str, str]:
    """'#rrggbb' for the answer ("for") and its rival ("against"): the evidence map's own red and blue."""
    return {role: "#%02x%02x%02x" % tuple(weights_table[i]) for role, i in ROLE_INDEX.items()}


def diverging_index(values: np.ndarray, limit: float) -> np.ndarray:
    """Indices into a diverging colour table: -limit -> 0, 0 -> the middle, +limit -> 255."""
    if limit <= 0:
        return np.full(np.shape(values), 128, np.uint8)
    return np.clip(np.round((np.asarray(values) / limit + 1) * 127.5), 0, 255).astype(np.uint8)


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) for n tiles, as square as possible: 100 -> 10 x 10, 30 -> 5 x 6, 10 -> 3 x 4."""
    columns = math.ceil(math.sqrt(n))
    return math.ceil(n / columns), columns


def fitting_shape(n: int, width: int, height: int) -> tuple[int, int]:
    """(rows, columns) for n square tiles in a width x height box, the tiles as large as they can be."""
    def side(columns):
        return min(width // columns, height // math.ceil(n / columns))
    columns = max(range(1, n + 1), key=lambda c: (side(c), c))
    return math.ceil(n / columns), columns


class Cells:
    """Square cells of ``cell`` pixels, row by row, one per neuron: what the tile grid and the strips share."""

    n: int
    columns: int
    cell: int
    rows: int

    @property
    def size(self) -> tuple[int, int]:
        return self.columns * self.cell, self.rows * self.cell

    def neuron_at(self, x: float, y: float) -> int | None:
        """The neuron whose cell holds the pixel (x, y), or None."""
        if x < 0 or y < 0:
            return None
        row, column = int(y) // self.cell, int(x) // self.cell
        i = row * self.columns + column
        return i if row < self.rows and column < self.columns and i < self.n else None


@dataclass
class TileGrid(Cells):
    """The geometry of the tile grid: which pixel belongs to which neuron's tile or frame."""

    n: int
    rows: int
    columns: int
    cell: int    # pixels per grid cell
    frame: int   # frame width; the tile sits inside the frame with a pixel of space
    tile_of: np.ndarray = field(repr=False)   # (height, width) neuron index of each tile pixel, n elsewhere
    frame_of: np.ndarray = field(repr=False)  # (height, width) neuron index of each frame pixel, n elsewhere

    @classmethod
    def for_neurons(cls, n: int, side: int, height: int | None = None) -> "TileGrid":
        """The grid for n neurons ``side`` pixels wide: square, or within ``height`` when given."""
        if height is None or height >= side:
            rows, columns = grid_shape(n)
            cell = max(12, side // columns)
        else:  # under a deep model's strips: smaller tiles rather than a taller panel
            rows, columns = fitting_shape(n, side, height)
            cell = max(5, min(side // columns, height // rows))
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
    def tile_side(self) -> int:
        return self.cell - 2 * (self.frame + 1)

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
        index = diverging_index(w, tile_limit(w))
        square = index.reshape(shape, shape) if shape else index.reshape(1, -1)
        resized = np.asarray(Image.fromarray(square, "L").resize((side, side), Image.Resampling.BILINEAR))
        x0, y0, x1, y1 = grid.tile_box(i)
        pixels[y0:y1, x0:x1] = table[resized]
    return pixels


def quick_weight_tiles(weights: np.ndarray, side: int, table: np.ndarray) -> np.ndarray:
    """All neurons' incoming weights as one (h, w, 3) uint8 picture at most ``side`` wide, in one pass.

    For pictures redrawn as a network trains (the lab): tiles resampled by
    nearest neighbour, each scaled to its own TILE_PERCENTILE as in
    :func:`weight_tiles`, a pixel of background between them.  A layer whose
    inputs are no square image shows each neuron as a row.
    """
    weights = np.asarray(weights, np.float32)
    n, n_in = weights.shape
    rows, columns = grid_shape(n)
    tile = max(2, side // columns - 1)
    field_side = math.isqrt(n_in)
    square = field_side * field_side == n_in
    size = np.abs(weights)
    limits = np.percentile(size, TILE_PERCENTILE, axis=1)
    limits = np.where(limits > 0, limits, size.max(axis=1))
    limits[limits <= 0] = 1.0
    index = np.clip(np.round((weights / limits[:, None] + 1) * 127.5), 0, 255).astype(np.uint8)
    if square:
        pick = np.linspace(0, field_side - 1, tile).round().astype(np.intp)
        tiles = index.reshape(n, field_side, field_side)[:, pick][:, :, pick]
    else:
        pick = np.linspace(0, n_in - 1, tile).round().astype(np.intp)
        tiles = np.repeat(index[:, None, pick], tile, axis=1)
    cell = tile + 1
    picture = np.empty((rows * cell, columns * cell, 3), np.uint8)
    picture[:] = BACKGROUND_RGB
    colours = np.asarray(table)[tiles]
    colours = colours if colours.dtype == np.uint8 else np.clip(np.round(colours), 0, 255).astype(np.uint8)
    for i in range(n):
        r, c = divmod(i, columns)
        picture[r * cell:r * cell + tile, c * cell:c * cell + tile] = colours[i]
    return picture


def tile_limit(w: np.ndarray) -> float:
    """The weight size that gets a tile's full colour: TILE_PERCENTILE of its sizes (its largest if that is 0)."""
    size = np.abs(np.asarray(w, np.float64))
    return float(np.percentile(size, TILE_PERCENTILE)) or float(size.max())


def neuron_tile(weights: np.ndarray, i: int, table: np.ndarray, zoom: int = NEURON_ZOOM) -> np.ndarray | None:
    """Neuron i's incoming weights as a (side*zoom, side*zoom, 3) uint8 picture, coloured as its tile;
    None when its inputs are not a square picture."""
    w = np.asarray(weights[i])
    side = math.isqrt(w.size)
    if side * side != w.size:
        return None
    index = diverging_index(w.reshape(side, side), tile_limit(w))
    return np.repeat(np.repeat(table[index], zoom, axis=0), zoom, axis=1)


def weights_key(network) -> tuple:
    """Changes whenever the first layer's weights do, even in place (a CRC of their bytes, ~0.1 ms)."""
    w = network.weights[0]
    return id(network), id(w), w.shape, zlib.crc32(np.ascontiguousarray(w).view(np.uint8))


class TilePicture:
    """The tile grid of one set of first-layer weights: the tiles are drawn once, and each drawing only
    dims them (a silent neuron keeps DIM of its contrast) and colours their frames by activation."""

    def __init__(self, weights: np.ndarray, side: int, weights_table: np.ndarray, activation_table: np.ndarray,
                 grid: TileGrid | None = None):
        n = len(weights)
        self.grid = TileGrid.for_neurons(n, side) if grid is None else grid
        self.base = weight_tiles(weights, self.grid, weights_table)  # float32 (height, width, 3)
        self.activation_table = activation_table
        # what each drawing needs, flat: the tiles' difference from the background, whose pixels are whose
        self._ink = (self.base - np.asarray(BACKGROUND_RGB, np.float32)).reshape(-1, 3)
        self._tile_index = self.grid.tile_of.ravel()
        self._ring = np.flatnonzero(self.grid.frame_of < n)
        self._ring_neuron = self.grid.frame_of.ravel()[self._ring]

    def __repr__(self):
        return f"TilePicture({self.grid.n} neurons, {self.grid.size[0]}x{self.grid.size[1]})"

    def pixels(self, activations: np.ndarray | None) -> np.ndarray:
        """The picture (height, width, 3) uint8 for the first layer's ``activations``; None: the bare tiles.

        The activations are levels from 0 (silent) to 1 (fires fully): a sigmoid's as they are,
        others as :func:`activation_levels` makes them (their size, for one that can go below zero).
        """
        if activations is None:
            pixels = self.base
        else:
            # one extra entry for the pixels of no neuron (index n): full contrast
            a = np.clip(activations.astype(np.float32), 0, 1)
            contrast = np.append(DIM + (1 - DIM) * a, np.float32(1))[self._tile_index]
            pixels = self._ink * contrast[:, None]
            pixels += np.asarray(BACKGROUND_RGB, np.float32)
            pixels[self._ring] = self.activation_table[np.round(a * 255).astype(np.uint8)][self._ring_neuron]
            pixels = pixels.reshape(self.base.shape)
        return (pixels + 0.5).astype(np.uint8)


def activation_levels(network, activations: np.ndarray) -> tuple[np.ndarray, bool]:
    """A hidden layer's activations as its colours show them, and whether they can go below zero.

    Sigmoid and tanh outputs are shown as they are (0 to 1, -1 to 1); the
    unbounded ones (ReLU, ELU, swish...) divided by the layer's largest size
    in this drawing, so its strongest neuron is always the darkest.  Levels
    lie in [0, 1], or [-1, 1] when signed.
    """
    key = activation_key(network)
    a = np.asarray(activations, np.float32)
    if key not in BOUNDED:
        top = float(np.abs(a).max()) if a.size else 0.0
        a = a / np.float32(top) if top > 0 else np.zeros_like(a)
    signed = key in SIGNED
    return np.clip(a, -1 if signed else 0, 1), signed


@dataclass
class StripGrid(Cells):
    """A deeper hidden layer's squares, one per neuron in rows, a pixel of background between them."""

    n: int
    columns: int
    cell: int     # pixels per square, its gap included
    cell_of: np.ndarray = field(repr=False)  # (height, width) neuron index of each pixel, n for the gaps

    @classmethod
    def for_neurons(cls, n: int, width: int, height: int) -> "StripGrid":
        """The largest squares (up to STRIP_CELL's largest) that put n in ``width`` x ``height`` (or as near as 2 px)."""
        cell = next((c for c in range(STRIP_CELL[1], 2, -1) if math.ceil(n / max(1, width // c)) * c <= height), 2)
        columns = min(n, max(1, width // cell))
        rows = math.ceil(n / columns)
        y, x = np.mgrid[0:rows * cell, 0:columns * cell]
        index = (y // cell) * columns + x // cell
        gap = (y % cell == cell - 1) | (x % cell == cell - 1)
        return cls(n, columns, cell, np.where(gap | (index >= n), n, index))

    @property
    def rows(self) -> int:
        return math.ceil(self.n / self.columns)


    def cell_box(self, i: int) -> tuple[int, int, int, int]:
        """Neuron i's square as (x0, y0, x1, y1), x1 and y1 exclusive (its gap left out)."""
        row, column = divmod(i, self.columns)
        return (column * self.cell, row * self.cell, (column + 1) * self.cell - 1, (row + 1) * self.cell - 1)

    def pixels(self, levels: np.ndarray | None, signed: bool, activation_table: np.ndarray,
               signed_table: np.ndarray) -> np.ndarray:
        """The strip (height, width, 3) uint8: each square coloured by its neuron's level (None: all as silent)."""
        levels = np.zeros(self.n, np.float32) if levels is None else np.asarray(levels, np.float32)
        if signed:
            colours = signed_table[diverging_index(levels, 1.0)]
        else:
            colours = activation_table[np.round(np.clip(levels, 0, 1) * 255).astype(np.uint8)]
        return np.vstack([colours, np.asarray([BACKGROUND_RGB], np.uint8)])[self.cell_of]


@dataclass
class Strip:
    """One deeper hidden layer in the panel: its title line at ``top``, its squares ``line`` pixels below."""

    layer: int   # 2 for the second hidden layer, ...
    title: str
    grid: StripGrid
    top: int
    line: int

    @property
    def squares_top(self) -> int:
        return self.top + self.line

    @property
    def bottom(self) -> int:
        return self.squares_top + self.grid.size[1]


def deeper_strips(network, width: int, top: int, budget: int, line: int, gap: int = 4) -> list[Strip]:
    """The deeper hidden layers (2 onwards) stacked from ``top`` in ``budget`` pixels of height, each a title
    ``line`` high above its squares; nothing for a network with at most one hidden layer."""
    layers = range(2, network.num_layers - 1)
    if not layers:
        return []
    each = max(STRIP_CELL[0], (budget - len(layers) * (line + gap)) // len(layers))
    strips, y = [], top
    for layer in layers:
        grid = StripGrid.for_neurons(network.sizes[layer], width, min(each, 3 * STRIP_CELL[1]))
        strips.append(Strip(layer, hidden_title(network, layer), grid, y + gap, line))
        y = strips[-1].bottom
    return strips


def layers_layout(network, side: int, budget: int, line: int) -> tuple[TileGrid, list[Strip]]:
    """The first layer's tile grid ``side`` wide and the deeper layers' strips under it: as tall together as the
    square grid of one hidden layer, whatever the depth (the tiles give up ``budget`` or, with many layers, more)."""
    strips = deeper_strips(network, side, 0, budget, line)
    grid = TileGrid.for_neurons(network.sizes[1], side, side - strips[-1].bottom if strips else None)
    return grid, deeper_strips(network, side, grid.size[1], budget, line)


def strip_at(strips: list[Strip], x: float, y: float) -> tuple[int, int] | None:
    """(layer, neuron) of the square at (x, y), or None."""
    for strip in strips:
        i = strip.grid.neuron_at(x, y - strip.squares_top)
        if i is not None:
            return strip.layer, i
    return None


def activation_key(network) -> str:
    """The name of ``network``'s hidden activation ("sigmoid", "relu", ...; a class of one's own: its name)."""
    f = network.activation
    return getattr(f, "name", None) or f.__name__


def activation_words(network) -> str:
    """The hidden activation as a reader knows it: "sigmoid", "ReLU", "leaky ReLU"..."""
    key = activation_key(network)
    return ACTIVATION_WORDS.get(key, key)


def is_softmax(network) -> bool:
    return getattr(network.output_activation, "name", "") == "softmax"


def hidden_title(network, layer: int) -> str:
    """Which hidden layer (1 = the first after the input), its size and its activation function."""
    hidden = network.num_layers - 2
    which = f"Hidden layer {layer} of {hidden}" if hidden > 1 else "Hidden layer"
    return f"{which}: {network.sizes[layer]} neurons, {activation_words(network)}"


def layer_title(network) -> str:
    """The tile grid's title: which layer its neurons are in, how many, and their activation function."""
    if network.num_layers < 3:
        return f"Output layer (this network has no hidden layer): {network.sizes[1]} neurons"
    return hidden_title(network, 1)


def neuron_hint(network) -> str:
    """The words under the tiles while no neuron is pointed at: what the tiles and the deeper layers show."""
    if network.num_layers <= 3:
        return NEURON_HINT
    signed = " (pink: below 0)" if activation_key(network) in SIGNED else ""
    return NEURON_HINT + DEEPER_HINT.format(signed=signed)


def outputs_title(n: int, softmax: bool = False) -> str:
    ten = "ten" if n == DIGITS else str(n)
    return f"Output layer: softmax of {ten}" if softmax else f"Output layer: {ten} sigmoids"


def evidence_map(explanation: Explanation | None, rival: int | None,
                 weights_table: np.ndarray) -> tuple[np.ndarray, str]:
    """The evidence map as (FIELD, FIELD, 3) uint8 colours (red for the answer, blue for its rival) and the
    words under it; a neutral map and a hint without an explanation.  ``rival`` is the digit the user set
    the answer against (None: the runner-up)."""
    e = explanation
    if e is None or e.evidence.size != FIELD * FIELD:
        return weights_table[np.full((FIELD, FIELD), 128, np.uint8)], EVIDENCE_HINT
    evidence = e.evidence.reshape(FIELD, FIELD)
    index = diverging_index(evidence, float(np.abs(evidence).max()))
    which = "the runner-up" if rival != e.runner_up else "your pick"
    push = float(evidence.sum())
    toward, away = (e.digit, e.runner_up) if push >= 0 else (e.runner_up, e.digit)
    text = (f"This drawing pushes the network towards {toward} and away from {away}: red pixels push towards "
            f"{e.digit}, blue ones towards {e.runner_up} ({which}). Together they raise {toward}'s weighted "
            f"input by {abs(push):.1f} more than {away}'s, compared with a blank canvas.")
    return weights_table[index], text


def output_role(explanation: Explanation | None, digit: int) -> str | None:
    """"for" the answer, "against" for its rival in the evidence map, else None."""
    if explanation is None:
        return None
    return {explanation.digit: "for", explanation.runner_up: "against"}.get(digit)


def outputs_note(explanation: Explanation | None, softmax: bool = False) -> str:
    """The words under the output bars: separate sigmoids (not shares), or a softmax's shares that add to 100%."""
    if explanation is None:
        return ""
    if softmax:
        return (f"A softmax: shares that add up to 100%; one rises only as others fall (\"none of these\": no "
                f"digit reaches {SOFTMAX_NONE_BELOW:.0%}). Click a digit to set the answer against it.")
    return (f"Each is a separate sigmoid neuron, not a share: they add up to {float(explanation.output.sum()):.2f}, "
            f"and all ten can be low (\"none of these\"). Click a digit to set the answer against it.")


def wrap(text: str, width: int, measure) -> list[str]:
    """``text`` broken into lines of at most ``width`` pixels (``measure(s)`` is a string's width), at spaces,
    and inside a word too long for a line (a folder's path), as Tk's labels break it."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while measure(word) > width and len(word) > 1:
            cut = max(1, max(k for k in range(1, len(word) + 1) if measure(word[:k]) <= width or k == 1))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return lines + [line]


def fit_lines(lines: list[str], width: int, most: int, measure) -> list[str]:
    """``lines`` as they are when, wrapped at ``width``, they take at most ``most`` lines; else the longest ones
    cut short at a word, ending in '…', until they do, so a long record never makes the panel taller."""
    wrapped = [wrap(line, width, measure) for line in lines]
    while sum(map(len, wrapped)) > most:
        k = max(range(len(wrapped)), key=lambda j: (len(wrapped[j]), -j))
        if len(wrapped[k]) < 2:
            break
        kept, last = wrapped[k][:-2], wrapped[k][-2]
        while last and measure(last + " …") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        wrapped[k] = kept + [f"{last} …" if last else "…"]
    return [" ".join(w) for w in wrapped]


def signed(value: float) -> str:
    """'+3.61' or '−2.15' (a real minus sign)."""
    return f"{'+' if value >= 0 else '−'}{abs(value):.2f}"


def describe_neuron(network, i: int, explanation: Explanation | None, x: np.ndarray | None = None,
                    strongest: int = 3, layer: int = 1) -> str:
    """Neuron i of hidden ``layer`` (1: the first after the input) in numbers a learner can follow: its
    weighted input z = w·x + b with this drawing's numbers (``x``, the input, for layer 1; the layer below's
    activations for the others), its activation of z, and what it adds to the outputs' z."""
    b = float(network.biases[layer - 1][i, 0])
    name = "Neuron" if layer == 1 else f"Layer {layer}, neuron"
    if explanation is None:
        text = f"{name} {i}, bias {b:+.2f}"
    else:
        a = float(explanation.layers[layer - 1][i])
        text = f"{name} {i}: {'activation' if layer == 1 else 'a ='} {a:.2f}, bias {b:+.2f}"
        inputs = x if layer == 1 else explanation.layers[layer - 2]
        if inputs is not None:
            wx = float(np.asarray(network.weights[layer - 1][i], np.float64) @ np.asarray(inputs, np.float64).ravel())
            below = "x" if layer == 1 else "a"
            text += f"\nz = w·{below} + b = {wx:.2f} {signed(b)[0]} {abs(b):.2f} = {wx + b:.2f}"
            key = (activation_key(network) if network.num_layers > 2  # else an output neuron
                   else "softmax" if is_softmax(network) else "sigmoid")
            text += f"\n{FORMULAS.get(key, key + '(z)')} = {a:.2f}"
    if network.num_layers < 3:
        return text + " (an output neuron: digit " + str(i) + ")"
    outgoing = network.weights[layer][:, i]
    order = [int(j) for j in np.argsort(-np.abs(outgoing))[:strongest]]
    last_hidden = layer == network.num_layers - 2
    to = "digit" if last_hidden else "neuron"
    if explanation is None or not last_hidden:
        return text + "\nStrongest outgoing weights: " + ", ".join(f"to {to} {j} {float(outgoing[j]):+.2f}"
                                                                   for j in order)
    d = explanation.digit
    shown = [d] + [j for j in order if j != d][:strongest - 1]
    text += "\nIt adds a × w to the outputs' z:"
    for j in shown:
        w = float(outgoing[j])
        text += f"\n  to {j}: {a:.2f} × {signed(w)} = {signed(a * w)}" + (" (the answer)" if j == d else "")
    return text
