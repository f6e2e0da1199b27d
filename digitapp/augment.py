"""Random distortions of 28x28 digits, so the network sees many versions of each MNIST digit.

Drawn digits differ from MNIST scans in slant, rotation, proportions,
wobble and stroke width.  Each epoch, every training image gets a fresh
random warp (rotation, shear, scaling, shift and a smooth elastic wobble)
and a random stroke width.  It is vectorised: the shuffled epoch is cut
into blocks, each block shares one warp, and a warp is a precomputed
bilinear gather (4 source pixels and weights per output pixel), so a whole
block is warped with a few array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .preprocess import BLUR_SIGMA, FIELD


def _upsample_matrix(coarse: int, fine: int = FIELD) -> np.ndarray:
    """(fine, coarse) linear-interpolation matrix: smooth fields from a few random values."""
    positions = np.linspace(0, coarse - 1, fine)
    lower = np.minimum(np.floor(positions).astype(int), coarse - 2)
    frac = positions - lower
    matrix = np.zeros((fine, coarse))
    matrix[np.arange(fine), lower] = 1 - frac
    matrix[np.arange(fine), lower + 1] = frac
    return matrix


@dataclass
class Augmenter:
    """Callable ``(X (N, 784), rng) -> distorted X``: the ``augment`` of :func:`digitapp.trainer.train`.

    Angles in degrees, lengths in pixels of the 28x28 field.
    """

    rotation: float = 12.0      # +- uniform
    shear: float = 0.25         # +- uniform, horizontal (slant)
    scale: float = 0.12         # each axis scaled by 1 +- uniform(scale)
    shift: float = 1.0          # +- uniform per axis
    elastic: float = 0.9        # std of the coarse random displacements
    elastic_grid: int = 4       # coarse grid side: small means smooth wobble
    thickness: float = 0.5      # probability that a block's strokes are thinned or thickened
    block: int = 100            # images sharing one warp
    #: 0: a fresh warp for every block.  N > 0: each block's warp is drawn from N warps made once (with the
    #: first call's rng), and all blocks are warped in one gather: for learning's many small calls (a
    #: few hundred rows each), where making a warp costs more than warping (python -m bench.learning).
    bank: int = 0

    def __post_init__(self):
        self._up = _upsample_matrix(self.elastic_grid)
        rows, cols = np.mgrid[0:FIELD, 0:FIELD]
        self._grid = np.stack([rows.ravel(), cols.ravel()]).astype(np.float64) - (FIELD - 1) / 2
        self._warps: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Distorted copies of the rows of X: floats in [0, 1], or uint8 pixels (kept uint8)."""
        if self.bank:
            return self._from_bank(X, rng)
        out = np.empty_like(X)
        pixels = X.dtype == np.uint8
        for start in range(0, len(X), self.block):
            images = X[start:start + self.block]
            images = images * np.float32(1 / 255) if pixels else images
            images = self._warp(self._vary_thickness(images, rng), *self.random_warp(rng))
            out[start:start + self.block] = np.round(images * 255) if pixels else images
        return out

    def random_warp(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Source pixel indices (4, 784) and bilinear weights (4, 784) of one random warp."""
        angle = np.radians(rng.uniform(-self.rotation, self.rotation))
        cos, sin = np.cos(angle), np.sin(angle)
        rotate = np.array([[cos, -sin], [sin, cos]])
        shear = np.array([[1.0, 0.0], [rng.uniform(-self.shear, self.shear), 1.0]])  # columns move with rows
        scale = np.diag(1 + rng.uniform(-self.scale, self.scale, size=2))
        # The matrix maps output coordinates back to where they are read in the source.
        inverse = np.linalg.inv(rotate @ shear @ scale)
        source = inverse @ self._grid + (FIELD - 1) / 2 + rng.uniform(-self.shift, self.shift, size=(2, 1))
        if self.elastic > 0:
            coarse = rng.normal(0, self.elastic, size=(2, self.elastic_grid, self.elastic_grid))
            source += np.stack([(self._up @ c @ self._up.T).ravel() for c in coarse])
        r0, c0 = np.floor(source).astype(int)
        fr, fc = source - np.floor(source)
        indices, weights = [], []
        for dr, dc, weight in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc),
                               (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
            r, c = r0 + dr, c0 + dc
            inside = (r >= 0) & (r < FIELD) & (c >= 0) & (c < FIELD)
            indices.append(np.where(inside, r * FIELD + c, 0))
            weights.append(np.where(inside, weight, 0.0))
        return np.array(indices), np.array(weights)

    def _from_bank(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """__call__ with warps from the bank: thickness and warp chosen per block, all drawn first, then the
        rows warped a chunk of CHUNK rows at a time: the same result as all at once, in a tenth of the memory
        (the window's 21,700 replayed drawings took some 250 MB at once, and a warp per row seven times that)."""
        if self._warps is None:
            made = [self.random_warp(rng) for _ in range(self.bank)]
            self._warps = (np.stack([m[0] for m in made]).astype(np.intp),
                           np.stack([m[1] for m in made]).astype(np.float32))
        blocks = -(-len(X) // self.block)
        pick = rng.random(blocks)  # thicken below thickness/2, thin below thickness, else leave
        which = rng.integers(self.bank, size=blocks)
        out = np.empty_like(X)
        per_chunk = max(1, self.CHUNK // self.block)
        for b in range(0, blocks, per_chunk):
            rows = slice(b * self.block, (b + per_chunk) * self.block)
            out[rows] = self._bank_chunk(X[rows], pick[b:b + per_chunk], which[b:b + per_chunk])
        return out

    #: Rows warped at a time from the bank.
    CHUNK = 2000

    def _bank_chunk(self, X: np.ndarray, pick: np.ndarray, which: np.ndarray) -> np.ndarray:
        """Rows X, whole blocks of them, each block thickened or thinned by ``pick`` and warped by bank warp ``which``."""
        n = len(X)
        pixels = X.dtype == np.uint8
        images = X * np.float32(1 / 255) if pixels else X.astype(np.float32, copy=False)
        rows = np.repeat(np.arange(len(pick)), self.block)[:n]
        for change, chosen in ((np.maximum, pick < self.thickness / 2),
                               (np.minimum, (pick >= self.thickness / 2) & (pick < self.thickness))):
            chosen_rows = chosen[rows]
            if chosen_rows.any():
                images = images.copy() if images is X else images
                images[chosen_rows] = self._thicken(images[chosen_rows], change)
        if self.block == 1:  # a warp per row: one gather from the flat rows (2.7x take_along_axis's speed)
            indices, weights = self._warps[0][which], self._warps[1][which]  # (n, 4, 784)
            gathered = images.ravel()[indices + (np.arange(n) * images.shape[1])[:, None, None]]
            gathered *= weights
            warped = gathered.sum(axis=1)
        else:
            warped = np.empty_like(images)
        for b, w in enumerate(which if self.block > 1 else ()):
            start = b * self.block
            warped[start:start + self.block] = self._warp(images[start:start + self.block], self._warps[0][w],
                                                          self._warps[1][w])
        if pixels:
            return np.round(warped * 255).astype(np.uint8)
        return warped.astype(X.dtype, copy=False)

    @staticmethod
    def _warp(images: np.ndarray, indices: np.ndarray, weights: np.ndarray) -> np.ndarray:
        weights = weights.astype(images.dtype)
        warped = images[:, indices[0]] * weights[0]
        for k in range(1, 4):
            warped += images[:, indices[k]] * weights[k]
        return warped

    def _vary_thickness(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Thin or thicken the strokes by about a pixel: a grey erosion or dilation over 2x2."""
        u = rng.random()
        if u >= self.thickness:
            return images
        return self._thicken(images, np.maximum if u < self.thickness / 2 else np.minimum)

    @staticmethod
    def _thicken(images: np.ndarray, pick) -> np.ndarray:
        """Rows of 28x28 images dilated (``pick`` np.maximum) or eroded (np.minimum) over 2x2, peaks kept at 1."""
        square = images.reshape(-1, FIELD, FIELD)
        padded = np.zeros((len(images), FIELD + 1, FIELD + 1), images.dtype)
        padded[:, :FIELD, :FIELD] = square
        result = pick(pick(padded[:, :-1, :-1], padded[:, 1:, :-1]), pick(padded[:, :-1, 1:], padded[:, 1:, 1:]))
        result = result.reshape(len(images), FIELD * FIELD)
        # Preprocessed inputs always peak at 1.0; keep thinned strokes that way.
        peak = result.max(axis=1, keepdims=True)
        return result / np.where(peak > 0, peak, 1)


def pen_redrawn(images: np.ndarray, rng: np.random.Generator, progress=None) -> np.ndarray:
    """Each 28x28 digit (a row of floats in [0, 1] or of uint8 pixels) redrawn with a uniform round pen.

    MNIST was written with pens and pencils whose strokes swell and fade; a
    mouse drawing has one width throughout.  The skeleton is found at twice
    the resolution, widened by a disc of radius 1, 2 or 3 (half-pixels),
    brought back to 28x28 by averaging (anti-aliasing) and softened like the
    app's input.
    """
    from scipy import ndimage
    from skimage.morphology import disk, skeletonize

    discs = [disk(radius) for radius in (1, 2, 3)]
    out = np.zeros_like(images)
    pixels = images.dtype == np.uint8
    for k, image in enumerate(images):
        image = image * np.float32(1 / 255) if pixels else image
        big = ndimage.zoom(image.reshape(FIELD, FIELD), 2, order=1)
        ink = ndimage.binary_dilation(skeletonize(big > 0.4), structure=discs[rng.integers(len(discs))])
        small = ndimage.gaussian_filter(ink.reshape(FIELD, 2, FIELD, 2).mean(axis=(1, 3)), BLUR_SIGMA)
        peak = small.max()
        if peak > 0:
            out[k] = (np.round(small * (255 / peak)) if pixels else small / peak).ravel()
        if progress is not None:
            progress(k)
    return out
