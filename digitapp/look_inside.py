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
BACKGROUND_RGB = (0xEE, 0xF0, 0xF3)
#: Where in the weights' colour table the answer ("for") and its rival ("against") take their colours.
ROLE_INDEX = {"for": 232, "against": 23}

NEURON_HINT = ("Each tile is one neuron's incoming weights (red +, blue −); "
               "its frame darkens as it fires. Point at a tile, or click to keep it.")
EVIDENCE_HINT = ("Draw a digit: red pixels will be those that pushed the answer towards the chosen digit, "
                 "blue ones those that pushed it towards the runner-up.")


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
    return f"Output layer: the {'ten' if n == DIGITS else n} sigmoid outputs"


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
    text = (f"Red pushed towards {e.digit}, blue towards {e.runner_up} ({which}). "
            f"Together they move z{e.digit} − z{e.runner_up} by {float(evidence.sum()):+.1f} from a blank canvas "
            f"(now {e.difference:+.1f}).")
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
