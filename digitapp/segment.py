"""A drawing or a picture of a number → one piece of ink per digit, left to right.  No Tk here.

People write a number as digits side by side, slanted alike, of roughly one
height.  Both paths below first undo the common slant (the weighted median
lean of the near-vertical ink), then group ink items whose horizontal extents
overlap, that touch, or that are small and nearly touch, so a 4 or a 5 drawn
in two strokes, a crossed 7 or a flagged 1 stay one digit while neighbours
separate; pieces that nearly touch are joined when the network (its raw top
outputs, with a prior against ink much wider than a digit) prefers them joined:

* strokes (:func:`group_strokes`): an item is one stroke;
* pictures (:func:`ink_pieces`): an item is one connected piece of ink; a
  group wider than a digit, or made of pieces each as tall as a digit, may be
  two digits, and is cut where the network likes both parts best when it
  likes them better than the whole by a margin that shrinks as the ink widens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from scipy import ndimage

from .network import shares

MAX_SLANT = 0.8        # ink leaning more than this (x per unit of y) is not an upright stroke's
MERGE_OVERLAP = 0.35   # items overlapping by this share of the narrower one are one digit
NEAR = 0.12            # ... or, for a small item (flag, bar), nearer than this share of a digit's height
SMALL = 0.5            # an item lower than this share of a digit's height is part of a digit, not one
MIN_WIDTH = 0.2        # widths are floored at this share of a digit's height (a 1 is a line)
DOT = 0.15             # a group smaller than this share of a digit's height is a stray dot
TOUCH = 0.08           # strokes nearer than this share of a digit's height touch
JOINED_WIDTH = 1.0     # pieces are joined into one digit only if it is at most this many heights wide
SCORED_WIDTH = 1.4     # strokes are joined up to this wide when the network is surer of them joined
                       # (in a picture, pieces that wide are more often two digits whose ink nearly touches)
SPECK = 0.02           # ink pieces below this share of the largest one's area are dust
# Cutting a group of ink into two digits (chosen on the numbers bench, seeds 0, 1 and 10-12; see _split):
# a group wider than SPLIT_WIDTH digit heights, or holding pieces that do not touch, is cut when
#   log(parts) + APART_BONUS (for a cut between such pieces) + WIDTH_PRIOR * (width - 1) > log(whole) + SPLIT_BAR
# with parts and whole the network's top outputs (the two parts' multiplied), or when it is wider than
# UNSURE_WIDTH and the network's confidence is under WHOLE_UNSURE for the whole and PARTS_SURE for each part.
SPLIT_WIDTH = 0.9
WIDTH_PRIOR = 2.0
SPLIT_BAR = 2.0
JOIN_BAR = 0.0         # strokes that nearly touch are joined when log(whole) + JOIN_BAR - WIDTH_PRIOR * (width - 1)
                       # is at least log(parts) (seeds 0, 1, 10, 11; see join_by_score)
APART_BONUS = 3.0
UNSURE_WIDTH = 0.95
WHOLE_UNSURE = 0.7
PARTS_SURE = 0.96
MAX_CUTS = 6           # cut positions tried per split


@dataclass
class Piece:
    """One digit's ink: its box (x0, y0, x1, y1) in the drawing, and the strokes or the pixels it holds."""

    box: tuple[int, int, int, int]
    strokes: list[int] = field(default_factory=list)
    image: np.ndarray | None = field(default=None, repr=False)


# ---------------------------------------------------------------- shared by strokes and pictures

def estimate_slant(directions: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The shear s such that x + s * y stands the writing upright, from (n, 2) ink directions (dx, dy).

    The directions are along the ink (stroke segments, or edges of a picture's
    ink); the near-vertical ones, weighed by ``weights`` (their length or edge
    strength), vote with their lean -dx/dy; the weighted median wins.
    """
    directions = np.asarray(directions, float).reshape(-1, 2)
    weights = np.ones(len(directions)) if weights is None else np.asarray(weights, float)
    dx, dy = directions[:, 0], directions[:, 1]
    upright = np.abs(dx) < MAX_SLANT * np.abs(dy)
    if weights[upright].sum() <= 0:
        return 0.0
    lean, w = -dx[upright] / dy[upright], weights[upright]
    order = np.argsort(lean)
    cumulative = np.cumsum(w[order])
    return float(lean[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def digit_height(heights: Sequence[float]) -> float:
    """The height of a digit in this writing: the median of the items at least half as tall as the tallest."""
    heights = np.asarray(heights, float)
    if not len(heights):
        return 1.0
    tall = heights[heights >= 0.5 * heights.max()]
    return max(float(np.median(tall)), 1.0)


def group_boxes(boxes: np.ndarray, height: float, touching: np.ndarray | None = None) -> list[list[int]]:
    """Items (rows x0, y0, x1, y1, upright) grouped into digits, groups and members left to right.

    Two items are one digit when they overlap horizontally by MERGE_OVERLAP of
    the narrower one, or when one is small (a flag, a bar, a tail) and the
    other is the nearest item to it, closer than NEAR digit heights, or when
    they touch (``touching``, n x n) and together are no wider than a digit.
    """
    n = len(boxes)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    centres = (boxes[:, 0] + boxes[:, 2]) / 2
    widths = np.maximum(boxes[:, 2] - boxes[:, 0], MIN_WIDTH * height)
    x0, x1 = centres - widths / 2, centres + widths / 2
    small = (boxes[:, 3] - boxes[:, 1]) < SMALL * height
    gap = np.maximum(x0[:, None], x0[None, :]) - np.minimum(x1[:, None], x1[None, :])  # < 0: overlap
    narrower = np.minimum(widths[:, None], widths[None, :])
    together = -gap >= MERGE_OVERLAP * narrower
    if touching is not None:
        joint = np.maximum(boxes[:, 2][:, None], boxes[:, 2][None, :]) - np.minimum(boxes[:, 0][:, None],
                                                                                 boxes[:, 0][None, :])
        together |= touching & (joint <= JOINED_WIDTH * height)
    np.fill_diagonal(gap, np.inf)
    for i in np.flatnonzero(small):
        j = int(np.argmin(gap[i]))
        if n > 1 and gap[i, j] < NEAR * height:
            together[i, j] = together[j, i] = True
    for i, j in zip(*np.nonzero(np.triu(together, 1))):
        parent[find(int(i))] = find(int(j))
    groups: dict[int, list[int]] = {}
    for i in np.argsort(centres, kind="stable"):
        groups.setdefault(find(int(i)), []).append(int(i))
    return sorted(groups.values(), key=lambda g: float(x0[g].min() + x1[g].max()))


def group_items(boxes: np.ndarray, distances: np.ndarray | None = None) -> tuple[list[list[int]], float]:
    """Items grouped into digits (see :func:`group_boxes`), and the height of a digit in this writing.

    The height is first guessed from the items, then measured again on the
    groups (a digit drawn in several strokes is taller than each of them);
    groups much smaller than a digit (a stray dot) are left out.
    """
    def grouped(height):
        touching = None if distances is None else distances <= TOUCH * height
        return group_boxes(boxes, height, touching)

    def heights(groups):
        return [boxes[g, 3].max() - boxes[g, 1].min() for g in groups]

    height = digit_height(boxes[:, 3] - boxes[:, 1])
    height = digit_height(heights(grouped(height)))
    groups = grouped(height)
    extent = [max(h, boxes[g, 2].max() - boxes[g, 0].min()) for g, h in zip(groups, heights(groups))]
    return [g for g, e in zip(groups, extent) if e >= DOT * height], height


def join_by_score(groups: list[list[int]], boxes: np.ndarray, height: float,
                  outputs: Callable[[list[int]], np.ndarray] | None, widest: float = JOINED_WIDTH) -> list[list[int]]:
    """Neighbouring groups that nearly touch become one digit when the network prefers them joined.

    A 4 or a broken stroke can come apart into pieces that each look like
    some digit; joined they look like one digit far more surely than the
    pieces, while two real neighbours joined look like none.  The choice is
    the one :func:`_split` makes for a cut (:func:`_one_digit_value`), with no
    bar: here there is one natural division to weigh, not the best of many cuts.
    """
    if outputs is None or len(groups) < 2:
        return groups
    cache: dict[tuple[int, ...], np.ndarray] = {}

    def outputs_of(members):
        key = tuple(sorted(members))
        if key not in cache:
            cache[key] = outputs(list(key))
        return cache[key]

    out = [groups[0]]
    for group in groups[1:]:
        last = out[-1]
        both = last + group
        gap = boxes[group, 0].min() - boxes[last, 2].max()
        width = boxes[both, 2].max() - boxes[both, 0].min()
        tall = max(height, boxes[both, 3].max() - boxes[both, 1].min())  # a lone digit may be all there is
        if gap < NEAR * tall and width <= widest * tall and \
                _log(outputs_of(last).max()) + _log(outputs_of(group).max()) <= \
                _one_digit_value(outputs_of(both), width / height, JOIN_BAR):
            out[-1] = both
        else:
            out.append(group)
    return out


def _upright(points: np.ndarray, slant: float, y_mean: float) -> np.ndarray:
    out = np.array(points, dtype=float, copy=True)
    out[:, 0] += slant * (out[:, 1] - y_mean)
    return out


# ---------------------------------------------------------------- strokes

def _even_points(stroke: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` along a stroke (so the slant is weighed by ink, not by mouse speed)."""
    if len(stroke) < 2:
        return stroke
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
    n = max(2, int(along[-1] / step) + 1)
    where = np.linspace(0.0, along[-1], n)
    return np.stack([np.interp(where, along, stroke[:, 0]), np.interp(where, along, stroke[:, 1])], axis=1)


def _distances(lines: list[np.ndarray], within: float) -> np.ndarray:
    """The nearest approach of each pair of polylines (evenly spaced points); inf when further than ``within``."""
    n = len(lines)
    boxes = np.array([[*line.min(axis=0), *line.max(axis=0)] for line in lines])
    out = np.full((n, n), np.inf)
    for i in range(n):
        for j in range(i + 1, n):
            apart = max(boxes[i, 0] - boxes[j, 2], boxes[j, 0] - boxes[i, 2],
                        boxes[i, 1] - boxes[j, 3], boxes[j, 1] - boxes[i, 3])
            if apart <= within:
                a, b = lines[i], lines[j]
                dx, dy = a[:, :1] - b[:, 0], a[:, 1:] - b[:, 1]  # no (n, m, 2) array to sum: the same numbers
                out[i, j] = out[j, i] = float(np.sqrt((dx * dx + dy * dy).min()))
    return out


def group_strokes(strokes, outputs: Callable[[list[int]], np.ndarray] | None = None) -> list[Piece]:
    """Strokes (sequences of (x, y) points) grouped into digits, left to right; empty strokes are left out.

    ``outputs(stroke indices)`` gives the network's ten outputs for those
    strokes drawn as one digit; with it, pieces that nearly touch are joined
    when the network prefers them joined (:func:`join_by_score`).
    """
    arrays = [np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes]
    kept = [i for i, a in enumerate(arrays) if len(a)]
    if not kept:
        return []
    if len(kept) == 1 and np.ptp(arrays[kept[0]][:, 1]) >= 1:
        # One stroke at least a pixel high is one digit: what the steps below find for it, at a fraction of
        # the cost (the slant moves x only, so the height, and whether it is more than a dot, do not change).
        return [_piece_of(arrays, kept)]
    all_points = np.concatenate([arrays[i] for i in kept])
    rough = digit_height([np.ptp(arrays[i][:, 1]) for i in kept])
    even = [_even_points(arrays[i], max(rough / 40, 0.5)) for i in kept]
    steps = np.concatenate([np.diff(e, axis=0) for e in even])
    slant = estimate_slant(steps, np.hypot(*steps.T))
    y_mean = float(all_points[:, 1].mean())
    upright = [_upright(arrays[i], slant, y_mean) for i in kept]
    boxes = np.array([[u[:, 0].min(), u[:, 1].min(), u[:, 0].max(), u[:, 1].max()] for u in upright])
    groups, height = group_items(boxes, _distances(even, 0.5 * rough))
    groups = join_by_score(groups, boxes, height, outputs and (lambda members: outputs([kept[g] for g in members])),
                           SCORED_WIDTH)
    return [_piece_of(arrays, [kept[g] for g in group]) for group in groups]


def _piece_of(arrays: list[np.ndarray], members: list[int]) -> Piece:
    """The piece of strokes ``members``: their box in whole pixels, and their indices in order."""
    points = np.concatenate([arrays[i] for i in members])
    box = (*np.floor(points.min(axis=0)).astype(int).tolist(), *np.ceil(points.max(axis=0)).astype(int).tolist())
    return Piece(tuple(box), sorted(members))


# ---------------------------------------------------------------- pictures

def ink_pieces(ink: np.ndarray, threshold: float,
               outputs: Callable[[np.ndarray], np.ndarray] | None = None) -> list[Piece]:
    """Ink strength (H, W; 0 = paper) cut into one piece per digit, left to right.

    Pixels at or above ``threshold`` are ink; each piece's ``image`` is the
    ink strength of its own pixels only (and their faint edges), cropped to
    its box with a margin of 2 px.  ``outputs(image)`` gives the network's ten
    outputs for a piece (light ink on black); without it, touching digits stay together.
    """
    ink = np.asarray(ink)
    binary = ink >= threshold
    labels, n = ndimage.label(binary, structure=np.ones((3, 3), bool))
    if n == 0:
        return []
    areas = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    objects = ndimage.find_objects(labels)
    keep = [k for k in range(n) if areas[k] >= SPECK * areas.max()]
    slant = _picture_slant(ink)
    y_mean = float(np.nonzero(binary)[0].mean())

    boxes = []
    for k in keep:
        rows, cols = objects[k]
        mine = labels[rows, cols] == k + 1
        yy, xx = np.nonzero(mine)
        u = xx + cols.start + slant * (yy + rows.start - y_mean)
        boxes.append([u.min(), rows.start, u.max(), rows.stop - 1])
    boxes = np.array(boxes, float)

    def crop_of(group):
        """The group's region (with a margin): its ink, its mask and where the region starts."""
        top = max(min(objects[keep[g]][0].start for g in group) - 2, 0)
        left = max(min(objects[keep[g]][1].start for g in group) - 2, 0)
        bottom = max(objects[keep[g]][0].stop for g in group) + 2
        right = max(objects[keep[g]][1].stop for g in group) + 2
        members = np.zeros(n + 1, bool)
        members[[keep[g] + 1 for g in group]] = True
        return ink[top:bottom, left:right], members[labels[top:bottom, left:right]], (left, top)

    def piece_of(group):
        region, mask, _ = crop_of(group)
        return _piece(region, mask, *np.nonzero(mask))

    groups, height = group_items(boxes)
    groups = join_by_score(groups, boxes, height, outputs and (lambda group: outputs(piece_of(group).image)))
    pieces = []
    for group in groups:
        region, mask, (left, top) = crop_of(group)
        for piece in _split(region, mask, slant, y_mean - top, height, outputs):
            x0, y0, x1, y1 = piece.box
            pieces.append(Piece((x0 + left, y0 + top, x1 + left, y1 + top), image=piece.image))
    return pieces


def _picture_slant(ink: np.ndarray) -> float:
    """The writing's slant from the edges of the ink: an edge runs across its gradient."""
    if min(ink.shape) < 2:  # a picture one pixel thin has no edge to lean
        return 0.0
    smooth = ndimage.gaussian_filter(ink.astype(np.float32), 1.0)
    gy, gx = np.gradient(smooth)
    strength = np.hypot(gx, gy)
    edges = strength > 0.25 * strength.max()
    return estimate_slant(np.stack([gy[edges], -gx[edges]], axis=1), strength[edges])


def _piece(ink: np.ndarray, mask: np.ndarray, yy: np.ndarray, xx: np.ndarray) -> Piece:
    """The piece of ``ink`` under ``mask`` (whose pixels are at rows ``yy``, columns ``xx``), grown by a
    pixel for the anti-aliased edge and cropped with a margin."""
    rows, cols = slice(int(yy.min()), int(yy.max()) + 1), slice(int(xx.min()), int(xx.max()) + 1)
    top, left = max(rows.start - 2, 0), max(cols.start - 2, 0)
    bottom, right = min(rows.stop + 2, ink.shape[0]), min(cols.stop + 2, ink.shape[1])
    grown = ndimage.binary_dilation(mask[top:bottom, left:right])
    image = np.where(grown, ink[top:bottom, left:right], 0).astype(np.uint8)
    image = np.pad(image, 2)
    return Piece((cols.start, rows.start, cols.stop - 1, rows.stop - 1), image=image)


def _split(ink, mask, slant, y_mean, height, outputs) -> list[Piece]:
    """One piece, or several when the ink may be two digits and the network prefers the parts.

    Two digits against one: the network's top outputs for the best pair of
    parts (multiplied) against its top output for the whole, with a prior
    that grows with the width (people write one number at one size, so ink
    much wider than a digit is rarely one).  No threshold on either alone
    works: the network reads two touching digits as one with high confidence,
    and many single digits are wide.  Pieces that do not touch yet were
    grouped (slanted neighbours overlap) get the cut between them first.
    """
    yy, xx = np.nonzero(mask)
    u = xx + slant * (yy - y_mean)
    width = float(np.ptp(u)) / height
    whole = _piece(ink, mask, yy, xx)
    if outputs is None or len(u) < 8:
        return [whole]
    apart = _apart_cuts(mask, u, yy, height)
    if width <= SPLIT_WIDTH and not apart:
        return [whole]
    whole_outputs = outputs(whole.image)
    bar = _one_digit_value(whole_outputs, width, SPLIT_BAR)
    unsure = width > UNSURE_WIDTH and _share(whole_outputs) < WHOLE_UNSURE
    if not unsure and (APART_BONUS if apart else 0.0) <= bar:
        return [whole]  # parts the network is sure of (top outputs 1) would not beat the whole: save the time
    cuts = [(r, APART_BONUS) for r in apart] + [(r, 0.0) for r in _column_cuts(xx, yy, slant, y_mean, height)]
    best = _best_cut(ink, mask, yy, xx, cuts, outputs)
    if best is None:
        return [whole]
    value, parts_sure, left, right = best
    if value <= bar and not (unsure and parts_sure >= PARTS_SURE):
        return [whole]
    return _split(ink, left, slant, y_mean, height, outputs) + _split(ink, right, slant, y_mean, height, outputs)


def _best_cut(ink, mask, yy, xx, cuts, outputs):
    """The cut (pixels right of it, bonus) whose parts the network likes best: (log of their top outputs
    multiplied, plus the bonus; the lower confidence of the two; left mask; right mask), or None."""
    best = None
    for right, bonus in cuts:
        left_mask = mask.copy()
        left_mask[yy[right], xx[right]] = False
        right_mask = mask & ~left_mask
        parts = [outputs(_piece(ink, left_mask, yy[~right], xx[~right]).image),
                 outputs(_piece(ink, right_mask, yy[right], xx[right]).image)]
        value = bonus + sum(_log(o.max()) for o in parts)
        if best is None or value > best[0]:
            best = (value, min(_share(o) for o in parts), left_mask, right_mask)
    return best


def _one_digit_value(whole: np.ndarray, width: float, bar: float) -> float:
    """What two parts must beat (the log of their top outputs multiplied) to be two digits rather than one
    whole (with its ten outputs, ``width`` digit heights wide): the whole's log top output, plus a bar, less
    a prior that grows with the width (people write one number at one size)."""
    return _log(whole.max()) + bar - WIDTH_PRIOR * (width - 1.0)


def _log(value: float) -> float:
    """The log of a network output, floored so that a silent output weighs a lot but not infinitely."""
    return float(np.log(max(value, 1e-4)))


def _share(outputs: np.ndarray) -> float:
    """The network's confidence: its top output's share of all ten (0 when it gives nothing)."""
    return float(shares(outputs).max()) if outputs.sum() > 0 else 0.0


def _column_cuts(xx, yy, slant, y_mean, height) -> list[np.ndarray]:
    """Cuts where the ink is thinnest, along the writing's slant and straight up and down (in case the slant
    was misjudged): for each, which pixels fall right of it.  A cut that leaves a bar or a tail on its own
    is not between two digits."""
    cuts = []
    for lean in {slant, 0.0}:
        along = xx + lean * (yy - y_mean)
        for cut in _cut_positions(along, height):
            right = along >= cut
            if right.any() and not right.all() and min(np.ptp(yy[~right]), np.ptp(yy[right])) >= SMALL * height:
                cuts.append(right)
    return cuts


def _apart_cuts(mask, u, yy, height) -> list[np.ndarray]:
    """Cuts between pieces of ink that do not touch, each as tall as a digit: for each, which pixels fall
    right of it.  Slanted or overlapping neighbours were grouped as one; their own pieces are the natural
    cut (small pieces, a bar or a dot, go with the tall piece nearest to them)."""
    labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
    if n < 2:
        return []
    label_of = labels[mask.nonzero()]
    tops = ndimage.minimum(yy, label_of, np.arange(1, n + 1))
    bottoms = ndimage.maximum(yy, label_of, np.arange(1, n + 1))
    centres = np.asarray(ndimage.mean(u, label_of, np.arange(1, n + 1)))
    tall = np.flatnonzero(np.asarray(bottoms) - np.asarray(tops) >= SMALL * height)
    if len(tall) < 2:
        return []
    tall = tall[np.argsort(centres[tall])]
    nearest = tall[np.argmin(np.abs(centres[:, None] - centres[tall][None, :]), axis=1)]
    rank = np.empty(n, int)
    rank[tall] = np.arange(len(tall))
    side = rank[nearest]  # each piece's place among the tall pieces, left to right
    return [side[label_of - 1] >= k for k in range(1, len(tall))]


def _cut_positions(u: np.ndarray, height: float) -> list[float]:
    """Where to try cutting touching digits: the thinnest columns, at least a third of a digit from either end."""
    low, high = u.min(), u.max()
    edges = np.arange(low, high + 1.0, 1.0)
    counts, _ = np.histogram(u, bins=edges)
    counts = ndimage.uniform_filter1d(counts.astype(float), 3)
    centres = (edges[:-1] + edges[1:]) / 2
    inside = (centres > low + height / 3) & (centres < high - height / 3)
    if not inside.any():
        return [float((low + high) / 2)]
    order = np.argsort(counts[inside], kind="stable")
    chosen: list[float] = []
    for c in centres[inside][order]:
        if all(abs(c - d) > height / 8 for d in chosen):
            chosen.append(float(c))
        if len(chosen) == MAX_CUTS:
            break
    return chosen
