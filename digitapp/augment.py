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

    def __post_init__(self):
        self._up = _upsample_matrix(self.elastic_grid)
        rows, cols = np.mgrid[0:FIELD, 0:FIELD]
        self._grid = np.stack([rows.ravel(), cols.ravel()]).astype(np.float64) - (FIELD - 1) / 2

    def __call__(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Distorted copies of the rows of X: floats in [0, 1], or uint8 pixels (kept uint8)."""
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
        square = images.reshape(-1, FIELD, FIELD)
        padded = np.zeros((len(images), FIELD + 1, FIELD + 1), images.dtype)
        padded[:, :FIELD, :FIELD] = square
        pick = np.maximum if u < self.thickness / 2 else np.minimum
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
