"""Digits traced into strokes: the strokes a hand might have drawn a 28x28 MNIST digit with.

The digit is thresholded (upsampled), skeletonised
(``skimage.morphology.skeletonize``), and the skeleton's 8-connected graph
traced into polylines, joined at crossings into strokes that carry straight
on, as a hand would.  One tracer serves the training data (other writers'
digits redrawn through the app's stroke path, :mod:`digitapp.writers`) and
the benches that draw MNIST digits as a mouse user would (harness/drawn.py).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .preprocess import FIELD

UPSAMPLE = 4                  # MNIST pixels are upsampled this much before skeletonising
THRESHOLD = 0.45              # ink level that counts as stroke
SPUR = 2.0                    # skeleton branches shorter than this (MNIST pixels) are artefacts
JOIN_ANGLE_COS = -0.3         # at a crossing, branches this close to straight on join into one stroke

_OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def skeleton_of(digit: np.ndarray, upsample: int = UPSAMPLE, threshold: float = THRESHOLD) -> np.ndarray:
    """The one-pixel skeleton (bool, 28*upsample square) of a 28x28 (or 784) digit in [0, 1]."""
    from skimage.morphology import skeletonize  # the training extra; the app alone never traces

    image = np.asarray(digit, np.float32).reshape(FIELD, FIELD)
    big = ndimage.zoom(image, upsample, order=3, mode="grid-constant", grid_mode=True)
    big = ndimage.gaussian_filter(big, upsample / 4)
    ink = big >= threshold
    ink = _fill_small_holes(ink, upsample * upsample)           # pin-holes would become loops
    ink = _drop_small_specks(ink, 2 * upsample * upsample)      # dust would become dots
    return skeletonize(ink)


def _fill_small_holes(ink: np.ndarray, max_area: int) -> np.ndarray:
    holes, n = ndimage.label(~ink)  # 4-connected background
    if n == 0:
        return ink
    areas = np.bincount(holes.ravel())
    border = np.unique(np.concatenate([holes[0], holes[-1], holes[:, 0], holes[:, -1]]))
    small = areas <= max_area
    small[0] = False
    small[border] = False
    return ink | small[holes]


def _drop_small_specks(ink: np.ndarray, min_area: int) -> np.ndarray:
    parts, n = ndimage.label(ink, structure=np.ones((3, 3)))
    if n <= 1:
        return ink
    areas = np.bincount(parts.ravel())
    keep = areas >= min(min_area, areas[1:].max())  # never drop the biggest piece
    keep[0] = False
    return keep[parts]


def _adjacency(skeleton: np.ndarray) -> dict:
    """8-connected neighbours of each skeleton pixel (row, col), without redundant diagonal steps.

    A diagonal step is dropped where two 4-connected steps make the same
    connection; otherwise every staircase would look like a crossing.
    """
    pixels = set(zip(*map(lambda a: a.tolist(), np.nonzero(skeleton))))
    adjacency = {}
    for r, c in sorted(pixels):
        neighbours = []
        for dr, dc in _OFFSETS:
            q = (r + dr, c + dc)
            if q not in pixels:
                continue
            if dr and dc and ((r + dr, c) in pixels or (r, c + dc) in pixels):
                continue
            neighbours.append(q)
        adjacency[(r, c)] = neighbours
    return adjacency


def trace_skeleton(skeleton: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """The skeleton as branches ``(start_node, end_node, points)``; points are (n, 2) (x, y).

    Nodes are line ends and crossings (a cluster of touching crossing pixels
    is one node, at their mean); a branch runs from node to node through
    pixels with exactly two neighbours.  A closed ring without nodes (an
    ``0``) comes back with start and end node -1.
    """
    adjacency = _adjacency(skeleton)
    node_of, positions = {}, []
    for p in adjacency:  # crossings: clusters of pixels with 3 or more neighbours
        if len(adjacency[p]) >= 3 and p not in node_of:
            cluster, todo = [], [p]
            node_of[p] = len(positions)
            while todo:
                q = todo.pop()
                cluster.append(q)
                for n in adjacency[q]:
                    if len(adjacency[n]) >= 3 and n not in node_of:
                        node_of[n] = node_of[p]
                        todo.append(n)
            positions.append(np.mean([(c, r) for r, c in cluster], axis=0))
    for p in adjacency:  # line ends and single dots
        if len(adjacency[p]) <= 1:
            node_of[p] = len(positions)
            positions.append(np.array([p[1], p[0]], float))

    def xy(p):
        return (float(p[1]), float(p[0]))

    seen = set()
    branches = []
    for p in adjacency:
        if p not in node_of:
            continue
        start = node_of[p]
        if not adjacency[p]:
            branches.append((start, start, np.array([positions[start]])))
            continue
        for q in adjacency[p]:
            if frozenset((p, q)) in seen or node_of.get(q, -2) == start:
                continue
            seen.add(frozenset((p, q)))
            points = [tuple(positions[start])]
            previous, current = p, q
            while current not in node_of:
                points.append(xy(current))
                a, b = adjacency[current]
                previous, current = current, (b if a == previous else a)
                seen.add(frozenset((previous, current)))
            end = node_of[current]
            points.append(tuple(positions[end]))
            branches.append((start, end, np.array(points, float)))
    for p in adjacency:  # rings: every pixel has two neighbours, so no node was met
        if p in node_of or all(frozenset((p, q)) in seen for q in adjacency[p]):
            continue
        points, previous, current = [xy(p)], p, adjacency[p][0]
        seen.add(frozenset((p, current)))
        while current != p:
            points.append(xy(current))
            a, b = adjacency[current]
            previous, current = current, (b if a == previous else a)
            seen.add(frozenset((previous, current)))
        points.append(xy(p))
        branches.append((-1, -1, np.array(points, float)))
    return branches


def _length(points: np.ndarray) -> float:
    return float(np.hypot(*np.diff(points, axis=0).T).sum()) if len(points) > 1 else 0.0


def _prune_spurs(branches, spur: float):
    """Drop short branches that end in nothing: the skeleton's whiskers at thick corners."""
    ends = {}
    for start, end, _ in branches:
        for node in (start, end):
            ends[node] = ends.get(node, 0) + 1
    kept = []
    for start, end, points in branches:
        dangling = (ends[start] == 1) != (ends[end] == 1)  # one free end, the other at a crossing
        if dangling and _length(points) < spur:
            continue
        kept.append((start, end, points))
    return kept


def _direction(points: np.ndarray, reach: float) -> np.ndarray:
    """Unit vector from points[0] towards the point ``reach`` along the line."""
    steps = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    i = min(int(np.searchsorted(along, reach)), len(points) - 1)
    v = points[i] - points[0]
    n = float(np.hypot(*v))
    return v / n if n > 0 else np.zeros(2)


def join_branches(branches, reach: float) -> list[np.ndarray]:
    """Branches joined into strokes: at each node the branches that go most nearly straight on."""
    ends_at = {}
    for i, (start, end, _) in enumerate(branches):
        if start >= 0:
            ends_at.setdefault(start, []).append((i, 0))
            ends_at.setdefault(end, []).append((i, 1))

    def leaving(i, e):
        points = branches[i][2]
        return _direction(points if e == 0 else points[::-1], reach)

    partner = {}
    for ends in ends_at.values():
        if len(ends) < 2:
            continue
        pairs = []
        for a in range(len(ends)):
            for b in range(a + 1, len(ends)):
                cos = float(leaving(*ends[a]) @ leaving(*ends[b]))
                pairs.append((cos, a, b))
        for cos, a, b in sorted(pairs):
            if ends[a] in partner or ends[b] in partner:
                continue
            if cos <= JOIN_ANGLE_COS or len(ends) == 2:
                partner[ends[a]], partner[ends[b]] = ends[b], ends[a]

    def oriented(i, e):  # branch i entered at its end e
        points = branches[i][2]
        return points if e == 0 else points[::-1]

    used, strokes = set(), []

    def follow(i, e):
        parts = []
        while i not in used:
            used.add(i)
            points = oriented(i, e)
            parts.append(points if not parts else points[1:])
            nxt = partner.get((i, 1 - e))
            if nxt is None:
                break
            i, e = nxt
        return np.concatenate(parts)

    for i, (start, end, _) in enumerate(branches):  # strokes from free ends first
        for e in (0, 1):
            if i not in used and (i, e) not in partner:
                strokes.append(follow(i, e))
    for i in range(len(branches)):  # what is left goes round in loops
        if i not in used:
            strokes.append(follow(i, 0))
    return strokes


def _smooth(points: np.ndarray, window: int) -> np.ndarray:
    """Moving average along the line, ends kept where they are."""
    if len(points) <= 2 or window <= 1:
        return points
    k = min(window, len(points) - (len(points) + 1) % 2)
    kernel = np.ones(k) / k
    pad = k // 2
    padded = np.pad(points, ((pad, pad), (0, 0)), mode="edge")
    smoothed = np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(2)], axis=1)
    smoothed[0], smoothed[-1] = points[0], points[-1]
    return smoothed


def digit_strokes(digit: np.ndarray, upsample: int = UPSAMPLE) -> list[np.ndarray]:
    """The strokes a hand might have drawn a 28x28 MNIST digit with: (n, 2) (x, y) in MNIST pixels."""
    branches = trace_skeleton(skeleton_of(digit, upsample))
    branches = _prune_spurs(branches, SPUR * upsample)
    strokes = join_branches(branches, reach=3.0 * upsample)
    strokes = [_smooth(s, upsample + 1) / upsample for s in strokes]
    strokes = [s for s in strokes if len(s) > 1 or len(strokes) == 1]
    # Tiny fragments (a lone dot or whisker) are not something a user draws.
    total = sum(_length(s) for s in strokes)
    return [s for s in strokes if _length(s) >= 0.04 * total] or strokes
