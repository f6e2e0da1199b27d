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

WEIGHTS_COLOURMAP = "RdBu_r"     # diverging: positive red, negative blue, zero white
ACTIVATION_COLOURMAP = "Greens"  # the tiles' frames: the more a neuron fires, the darker its frame
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

    def __init__(self, weights: np.ndarray, side: int, weights_table: np.ndarray, activation_table: np.ndarray):
        n = len(weights)
        self.grid = TileGrid.for_neurons(n, side)
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
        """The picture (height, width, 3) uint8 for the first layer's ``activations``; None: the bare tiles."""
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


def layer_title(network) -> str:
    """The tile grid's title: which layer its neurons are in, and how many."""
    layer = "Hidden layer" if network.num_layers > 2 else "Output layer (this network has no hidden layer)"
    return f"{layer}: {network.sizes[1]} neurons"


def outputs_title(n: int) -> str:
    return f"Output layer: {'ten' if n == DIGITS else n} sigmoids"


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


def outputs_note(explanation: Explanation | None) -> str:
    """The words under the output bars: they are separate sigmoids, not shares."""
    if explanation is None:
        return ""
    return (f"Each is a separate sigmoid neuron, not a share: they add up to {float(explanation.output.sum()):.2f}, "
            f"and all ten can be low (\"none of these\"). Click a digit to set the answer against it.")


def signed(value: float) -> str:
    """'+3.61' or '−2.15' (a real minus sign)."""
    return f"{'+' if value >= 0 else '−'}{abs(value):.2f}"


def describe_neuron(network, i: int, explanation: Explanation | None, x: np.ndarray | None = None,
                    strongest: int = 3) -> str:
    """Neuron i of the first layer after the input, in numbers a learner can follow: its weighted input
    z = w·x + b with this drawing's numbers (``x``, the input), σ(z), and what it adds to the outputs' z."""
    b = float(network.biases[0][i, 0])
    if explanation is None:
        text = f"Neuron {i}, bias {b:+.2f}"
    else:
        a = float(explanation.first_layer[i])
        text = f"Neuron {i}: activation {a:.2f}, bias {b:+.2f}"
        if x is not None:
            wx = float(np.asarray(network.weights[0][i], np.float64) @ np.asarray(x, np.float64).ravel())
            text += f"\nz = w·x + b = {wx:.2f} {signed(b)[0]} {abs(b):.2f} = {wx + b:.2f}"
            text += f"\nσ(z) = 1 / (1 + e^−z) = {a:.2f}"
    if network.num_layers < 3:
        return text + " (an output neuron: digit " + str(i) + ")"
    outgoing = network.weights[1][:, i]
    order = [int(j) for j in np.argsort(-np.abs(outgoing))[:strongest]]
    to = "digit" if network.num_layers == 3 else "neuron"
    if explanation is None or network.num_layers != 3:
        return text + "\nStrongest outgoing weights: " + ", ".join(f"to {to} {j} {float(outgoing[j]):+.2f}"
                                                                   for j in order)
    d = explanation.digit
    shown = [d] + [j for j in order if j != d][:strongest - 1]
    text += "\nIt adds a × w to the outputs' z:"
    for j in shown:
        w = float(outgoing[j])
        text += f"\n  to {j}: {a:.2f} × {signed(w)} = {signed(a * w)}" + (" (the answer)" if j == d else "")
    return text
