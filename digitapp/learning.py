"""Learning the user's handwriting: how one correction is taught to a network without forgetting MNIST.

:class:`Learner` teaches a :class:`~digitapp.samples.Sample` with a few of
the network's own ``update_mini_batch`` steps, each on a mini-batch that
mixes distorted copies of the new sample, some of the user's earlier samples
and MNIST training digits from the replay set that ships with the package
(``models/replay.npz``: MNIST digits, and drawings of the training
templates' digits and non-digits, whose target is every output 0), so the
network learns the new style at once without forgetting what it knew, nor
that a heart or an "a" is no digit.  A sample may itself be "not a digit"
(:data:`~digitapp.samples.NO_DIGIT`), learned the same way.  :class:`Recipe` holds the numbers, chosen
on validation data.  Pure computation: no files but the replay set, no Tk.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .activations import Softmax
from .augment import Augmenter
from .blas import fast_blas
from .model_io import default_model_path
from .network import Network
from .preprocess import DIGITS, FIELD
from .recognizer import UNSURE_BELOW, WEAK_BELOW, none_below_for
from .samples import LABELS, Sample, StoreError, relabelled, without
from .trainer import targets

REPLAY_NAME = "replay.npz"
RECHECKED = 1000  # after each round of steps, the newest earlier samples checked for being forgotten
MEND_ROUNDS = 4  # after a relearn, rounds of learning again the samples it reads wrong


# -- the replay set -----------------------------------------------------------------------------------

def replay_path() -> Path:
    """The replay set that ships beside the shipped model (``python -m harness.replay_set`` makes it)."""
    return default_model_path().with_name(REPLAY_NAME)


@functools.lru_cache(maxsize=2)
def load_replay(path=None) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 (N, 784), labels (N,))``: what is replayed while learning, MNIST training digits and
    template drawings (label NO_DIGIT for a non-digit)."""
    path = Path(path) if path is not None else replay_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            images, labels = data["images"], data["labels"]
    except FileNotFoundError:
        raise StoreError(f"{path}: the replay set is missing; reinstall digitapp") from None
    except (OSError, ValueError, KeyError) as err:
        raise StoreError(f"{path}: not a usable replay set ({type(err).__name__}); reinstall digitapp") from None
    if not (images.dtype == np.uint8 and images.ndim == 2 and images.shape[1] == FIELD * FIELD
            and labels.shape == (len(images),) and labels.dtype.kind in "iu" and len(images)
            and LABELS.start <= labels.min() and labels.max() < LABELS.stop):
        raise StoreError(f"{path}: not a usable replay set (wrong shapes); reinstall digitapp")
    return images, labels.astype(np.intp)


# -- learning -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipe:
    """How one sample is learned: ``steps`` mini-batches at learning rate ``eta``, each of the sample,
    ``copies`` distorted copies of it, up to ``earlier`` of the user's earlier samples, and ``near`` plus
    ``near_none`` drawings from the replay set and ``replay`` digits and ``replay_none`` non-digits picked
    at random; then ``then`` more at a time (``max_steps`` in all), with ``boost`` more distorted
    copies while the sample is not yet read sure, until the network reads it as the app's "sure" of its
    label (its output at least ``strong``, its share at least ``sure``, both a little above the app's
    thresholds; for a "not a digit" sample, every output under the app's "not a digit" threshold) and
    reads every earlier sample right again (and sure again, those of the last ``keep_sure`` it read sure).  An earlier sample
    it misreads is learned again like a new one (``copies`` copies, first in the ``earlier`` places), so
    one correction does not undo another.

    Two things keep MNIST.  The ``near`` replay digits of other labels closest to the sample (and the
    ``near_none`` closest non-digits) are in every step: they are the MNIST digits a new way of writing
    takes over (10 snowman 8s made 67-86 MNIST validation 0s read as 8 without them, 17-24 with them).  The
    replay set holds 20,000 MNIST digits so that these neighbours are close ones: with 5,000 and 32 of them,
    50 corrections cost 0.46 validation points on average over four writers' orders (test 0.35); with
    20,000 and 64, and 6 distorted copies of the sample (not 4) to win back how far one correction
    reaches, 0.40 in the same hour (test 0.24; 0.24 in the runs that chose it: from run to run the figure
    moves by as much, docs/learning.md).  And every replayed drawing is distorted (a warp per
    ``replay_block``, from a bank of ``warps`` made once; ``refresh`` blocks of the distorted set are
    distorted anew at each step): 50 samples take some 5,000 steps, and undistorted the network learned
    the set by heart (replay alone lost 0.15 validation points in 4,000 steps; distorted, 0.08).

    A relabel is learned as a correction; a delete teaches the sample's drawing (and distorted copies) to
    be answered as the base model answers it, the same way, until it is (every output within 0.1) and
    every other sample is read right.  Many samples at once (:meth:`Learner.relearn`: an import) are
    learned in order, ``together`` at a time or in at most ``groups`` groups, as one correction is but
    with ``group_near`` near drawings and ``group_copies`` distorted copies of each, ``boost`` more
    undistorted rows of those not yet read right, until all are read right (``together_steps`` steps at least, ``group_max_steps`` at most, so
    1,000 samples take some 800 steps); those already read sure are not taught.  Then those a later group
    took over (``together`` at most) are learned again together until every sample is read right
    (``max_steps`` at most, four rounds at most).  A delete and a relabel end with ``settle`` steps of
    replay and the user's samples alone.  Chosen on the learning bench's writers and the MNIST validation set, never the test
    set (docs/learning.md, "How it learns without forgetting")."""

    steps: int = 40
    copies: int = 6
    earlier: int = 6
    replay: int = 214
    replay_none: int = 40
    near: int = 64
    near_none: int = 8
    replay_block: int = 32
    eta: float = 0.1
    max_steps: int = 240
    then: int = 10
    keep_sure: int = 3
    boost: int = 4
    boost_copies: int = 0
    sure: float = UNSURE_BELOW + 0.02  # a little above the app's own "sure": the drawing is read sure however
    strong: float = WEAK_BELOW + 0.02  # its input is rounded (a sample keeps it as uint8)
    warps: int = 256
    refresh: int = 2
    together: int = 8
    groups: int = 20
    together_steps: int = 20
    group_max_steps: int = 40
    group_near: int = 4
    group_copies: int = 4
    settle: int = 20


class Learner:
    """Teaches samples to a network: the user's samples so far, the replay set, a seeded random state.

    :meth:`learn` returns a trained copy and leaves the network it was given
    untouched, so a caller can swap the copy in at once (another thread may
    be reading the old one) and keep the old one to undo.
    """

    def __init__(self, samples: Iterable[Sample] = (), recipe: Recipe = Recipe(), seed: int | None = None,
                 replay: tuple[np.ndarray, np.ndarray] | None = None):
        self.samples: list[Sample] = list(samples)
        self.recipe = recipe
        self.rng = np.random.default_rng(seed)
        self._replay = replay
        self._augment = self._augment_replay = self._replay_pixels = self._kinds = self._pool = None

    def __repr__(self):
        return f"Learner({len(self.samples)} samples, {self.recipe})"

    @property
    def replay(self) -> tuple[np.ndarray, np.ndarray]:
        if self._replay is None:
            self._replay = load_replay()
        return self._replay

    def learn(self, network: Network, sample: Sample) -> Network:
        """A copy of ``network`` that has learned ``sample``; the sample joins :attr:`samples`."""
        trained = network.copy()
        self._teach(trained, [sample], self.samples, until_sure=True)
        self.samples = [*self.samples, sample]  # a new list: another thread may be showing the old one
        return trained

    def relabel(self, network: Network, sample_id: str, label: int) -> Network:
        """A copy of ``network`` that has learned the sample ``sample_id`` as ``label``, as a correction is
        learned (every other sample still read right)."""
        samples = relabelled(self.samples, sample_id, label)
        trained = network.copy()
        changed = [s for s in samples if s.id == sample_id]
        if changed:
            self._teach(trained, changed, without(samples, sample_id), until_sure=True)
            self._mend(trained, samples)  # if its steps ran out with another sample taken over
            trained = self._settled(trained, samples, changed)
        self.samples = samples
        return trained

    def forget(self, network: Network, base: Network, sample_id: str) -> Network:
        """A copy of ``network`` that answers the drawing of sample ``sample_id`` as ``base`` does (and every
        other sample still right); the sample leaves :attr:`samples`.  What a delete does: the sample's
        trace goes, the others' stay, with no relearning of them all."""
        gone = [s for s in self.samples if s.id == sample_id]
        samples = without(self.samples, sample_id)
        trained = network.copy()
        if gone:
            self._teach(trained, gone, samples, until_sure=False, goal=base)
            self._mend(trained, samples)  # if its steps ran out with another sample taken over
            trained = self._settled(trained, samples)
        self.samples = samples
        return trained

    def relearn(self, base: Network, progress: Callable[[int, int], None] | None = None, start: int = 0) -> Network:
        """A copy of ``base`` that has learned every sample from number ``start`` on (those before it ``base``
        has learned already), in order, a group at a time: after an import, or to start again from the
        shipped model.  ``progress(done, total)`` hears of each group learned."""
        r = self.recipe
        trained = base.copy()
        samples = self.samples
        size = max(r.together, -(-(len(samples) - start) // r.groups))
        for first in range(start, len(samples), size):
            group = samples[first:first + size]
            sure = reads_sure(trained, np.stack([s.x for s in group]), [s.label for s in group], r)
            new = [s for s, ok in zip(group, sure) if not ok]  # those it reads sure already need no steps
            if new:
                self._teach(trained, new, samples[:first], until_sure=False)
            if progress is not None:
                progress(first + len(group) - start, len(samples) - start)
        self._mend(trained, samples)
        return trained

    def _mend(self, network: Network, samples: Sequence[Sample]) -> None:
        """After learning in groups, the samples a later group took over (up to ``together`` of them) learned
        again together, as one correction is (``max_steps`` at most, every other sample kept right), in
        place; ``MEND_ROUNDS`` times at most, and no more once a round leaves as many read wrong (those contradict
        other samples: a drawing given two labels, which more rounds of ``max_steps`` would not mend)."""
        left = None
        for _ in range(MEND_ROUNDS):  # mending some may take over others: look again
            wrong = misread(network, samples)
            if not wrong or (left is not None and len(wrong) >= left):
                return
            left, wrong = len(wrong), wrong[:self.recipe.together]
            ids = {s.id for s in wrong}
            self._teach(network, wrong, [s for s in samples if s.id not in ids], until_sure=False,
                        limit=self.recipe.max_steps)

    def _settled(self, network: Network, samples: Sequence[Sample], kept: Sequence[Sample] = ()) -> Network:
        """A copy of ``network`` after ``settle`` steps of replay and the user's samples alone (``kept`` in every
        step, ``earlier`` others picked at random, each with a distorted copy): what a delete or a relabel ends
        with, so it wins back some of what the corrections before it cost MNIST rather than adding to it.
        ``network`` itself if the steps left a sample read wrong, or no longer sure, that was right or sure."""
        r, rng = self.recipe, self.rng
        augment = self._distort()[0]
        if not samples:
            return network
        settled = network.copy()
        with fast_blas():
            for _ in range(r.settle):
                chosen = [*kept, *(samples[i] for i in rng.choice(len(samples), min(r.earlier, len(samples)),
                                                                   replace=False))]
                X = np.stack([s.x for s in chosen])
                labels = [s.label for s in chosen]
                self._step(settled, np.concatenate([X, augment(X, rng)]), self._targets(settled, labels * 2),
                           self._random_replay())
        X, labels = np.stack([s.x for s in samples]), [s.label for s in samples]
        before = {s.id for s in misread(network, samples)}
        after = misread(settled, samples, was_sure=reads_sure(network, X, labels, r), recipe=r)
        return network if any(s.id not in before for s in after) else settled

    def _pixels(self) -> tuple[np.ndarray, np.ndarray]:
        """The replay images as float32 in [0, 1] and their squared lengths, made once (for finding the nearest
        to a sample: the lengths of 21,700 images cost as much as the search itself)."""
        if self._replay_pixels is None:
            pixels = self.replay[0] * np.float32(1 / 255)
            self._replay_pixels = pixels, np.square(pixels).sum(axis=1)
        return self._replay_pixels

    def _random_replay(self) -> np.ndarray:
        """Indices of a step's random replay: ``replay`` digits and ``replay_none`` non-digits."""
        if self._kinds is None:
            labels = self.replay[1]
            self._kinds = np.flatnonzero(labels >= 0), np.flatnonzero(labels < 0)
        digits, none = self._kinds
        picks = [digits[self.rng.integers(len(digits), size=self.recipe.replay)]]
        if len(none):
            picks.append(none[self.rng.integers(len(none), size=self.recipe.replay_none)])
        return np.concatenate(picks)

    def prepare(self) -> None:
        """Load the replay set and distort it now (a second or two for its 21,700 drawings), so that the first
        correction does not wait for it: the window calls this on its learning thread once it is shown."""
        self._pixels()
        self._distorted_pool()

    def _distorted_pool(self) -> np.ndarray:
        if self._pool is None:
            self._pool = self._distort()[1](self.replay[0], self.rng)
        return self._pool

    def _replayed(self) -> np.ndarray:
        """The replay set distorted (uint8): made once, then ``refresh`` random blocks of it distorted anew
        at each step, so a replayed drawing is seen in ever new distortions without warping every row of
        every step."""
        r, images = self.recipe, self.replay[0]
        augment = self._distort()[1]
        self._distorted_pool()
        for start in self.rng.integers(0, max(1, len(images) - r.replay_block + 1), size=r.refresh):
            self._pool[start:start + r.replay_block] = augment(images[start:start + r.replay_block], self.rng)
        return self._pool

    def _distort(self):
        """The two distortions: each of the user's rows its own warp; replayed rows a warp per block."""
        if self._augment is None:
            self._augment = Augmenter(block=1, bank=self.recipe.warps)
            self._augment_replay = Augmenter(block=self.recipe.replay_block, bank=self.recipe.warps)
        return self._augment, self._augment_replay

    def _targets(self, network: Network, labels) -> np.ndarray:
        return targets(np.asarray(labels, np.intp), network.sizes[-1], network.dtype, network.output_activation is Softmax)

    def _step(self, network: Network, mine: np.ndarray, mine_targets: np.ndarray, pick: np.ndarray) -> None:
        """One mini-batch step: the user's rows ``mine`` (floats) with their target rows, and the replay rows
        ``pick``, distorted."""
        images, labels = self.replay
        X = np.concatenate([mine.astype(network.dtype, copy=False), self._replayed()[pick] * network.dtype.type(1 / 255)])
        Y = np.concatenate([mine_targets.astype(network.dtype, copy=False), self._targets(network, labels[pick])])
        network.update_mini_batch((X, Y), self.recipe.eta)

    def _teach(self, network: Network, new: Sequence[Sample], earlier: Sequence[Sample], until_sure: bool,
               goal: Network | None = None, limit: int | None = None) -> None:
        """Teach ``new`` samples (one correction, or a group when relearning) to ``network``, in place; with
        a ``goal`` network, teach it to answer their drawings as ``goal`` does instead (forgetting them)."""
        r, rng = self.recipe, self.rng
        augment = self._distort()[0]
        images, labels = self.replay
        X = np.stack([s.x for s in new])
        L = np.array([s.label for s in new])
        k = len(new)
        near = _near(*self._pixels(), labels, X, L, r)
        each = near.shape[1] if k == 1 else min(near.shape[1], r.group_near)  # a group: some of each one's
        first = r.steps if until_sure else r.together_steps
        forgotten: list[Sample] = []
        boosted = np.zeros(k, bool)  # those not read sure after the first steps get more rows
        recent = earlier[-RECHECKED:]
        # a correction keeps every earlier sample read right, and the last few read sure sure
        was_sure = None
        if until_sure and k == 1 and goal is None and recent:
            was_sure = reads_sure(network, np.stack([s.x for s in recent]), [s.label for s in recent], r)
            was_sure[:-r.keep_sure] = False
        with fast_blas():
            for step in range(limit or (r.max_steps if k == 1 else r.group_max_steps)):
                if step >= first and (step - first) % r.then == 0:
                    forgotten = misread(network, recent, was_sure, r)
                    if goal is not None:  # forgetting gives way to the other samples after 2 x steps
                        ok = answers_as(network, goal, X) | (step >= 2 * first)
                    else:
                        ok = reads_sure(network, X, L, r) if until_sure else _read_right(network, X, L, 0.0, 0.0)
                    if not forgotten and ok.all():
                        break
                    boosted = ~ok & (goal is None or not forgotten)  # forgetting: while no other sample suffers
                again = forgotten[:r.earlier]  # earlier samples it now reads wrong: learned like a new one
                taken = {s.id for s in again}
                others = [s for s in earlier if s.id not in taken]
                chosen = again * r.copies + [
                    others[i] for i in rng.choice(len(others), min(r.earlier - len(again), len(others)), replace=False)]
                copies = np.repeat(np.arange(k), (r.copies if k == 1 else r.group_copies) + r.boost_copies * boosted)
                exact = np.repeat(np.arange(k), 1 + r.boost * boosted)
                distorted = np.concatenate([X[copies], *([np.stack([s.x for s in chosen])] if chosen else [])])
                mine = np.concatenate([X[exact], augment(distorted, rng)])
                if goal is None:
                    Y = self._targets(network, np.concatenate([L[exact], L[copies], [s.label for s in chosen]]))
                else:  # the goal's own outputs for the drawings and their distorted copies
                    own = len(exact) + len(copies)
                    Y = np.concatenate([goal.feedforward(mine[:own].astype(goal.dtype)).astype(network.dtype),
                                        self._targets(network, [s.label for s in chosen])])
                close = near if k == 1 else near[np.arange(k)[:, None], rng.integers(near.shape[1], size=(k, each))]
                self._step(network, mine, Y, np.concatenate([close.ravel(), self._random_replay()]))


def nearest_other(pixels: np.ndarray, labels: np.ndarray, X: np.ndarray, own: np.ndarray, n: int,
                  non_digits: bool = False, squares: np.ndarray | None = None) -> np.ndarray:
    """For each row of ``X`` ((m, 784) in [0, 1]), the indices (m, n) of the ``n`` replay images (float32 rows
    in [0, 1]) nearest it in pixels among the digits not labelled its ``own`` label (with ``non_digits``:
    among the non-digits): what learning it is most likely to take over (nearest first).  ``squares``: each
    replay image's squared length, if known."""
    squares = np.square(pixels).sum(axis=1) if squares is None else squares
    n = min(n, len(pixels))  # a small replay set (a test's) has fewer
    out = np.empty((len(X), n), np.intp)
    for start in range(0, len(X), 256):  # a block at a time: 5,000 samples never need a 5,000 x N matrix
        part = X[start:start + 256].astype(np.float32)
        distances = squares[None, :] - 2 * part @ pixels.T
        if non_digits:
            distances[:, labels >= 0] = np.inf
        else:
            distances[(labels[None, :] == own[start:start + 256, None]) | (labels[None, :] < 0)] = np.inf
        nearest = np.argpartition(distances, n - 1, axis=1)[:, :n]
        order = np.argsort(np.take_along_axis(distances, nearest, axis=1), axis=1)
        out[start:start + len(part)] = np.take_along_axis(nearest, order, axis=1)
    return out


def _near(pixels: np.ndarray, squares: np.ndarray, labels: np.ndarray, X: np.ndarray, own: np.ndarray,
          recipe: Recipe) -> np.ndarray:
    """Each row's ``recipe.near`` nearest digits of other labels, then its ``recipe.near_none`` nearest
    non-digits."""
    digits = nearest_other(pixels, labels, X, own, recipe.near, squares=squares)
    if not recipe.near_none or not (labels < 0).any():
        return digits
    return np.concatenate([digits, nearest_other(pixels, labels, X, own, recipe.near_none, True, squares)], axis=1)


def answers_as(network: Network, goal: Network, X: np.ndarray, within: float = 0.1) -> np.ndarray:
    """For each row of ``X``, whether ``network`` answers it as ``goal`` does: the same strongest output, and
    every output within ``within`` of the goal's."""
    mine, theirs = (n.feedforward(np.asarray(X, n.dtype)) for n in (network, goal))
    return (mine.argmax(axis=1) == theirs.argmax(axis=1)) & (np.abs(mine - theirs).max(axis=1) <= within)


def reads_sure(network: Network, X: np.ndarray, labels, recipe: Recipe = Recipe()) -> np.ndarray:
    """For each row of ``X``, whether the network gives the app's "sure" answer for its label: output at least
    ``recipe.strong`` and share at least ``recipe.sure``; for NO_DIGIT, every output under "not a digit"."""
    return _read_right(network, X, labels, recipe.strong, recipe.sure)


def misread(network: Network, samples: Sequence[Sample], was_sure: np.ndarray | None = None,
            recipe: Recipe = Recipe()) -> list[Sample]:
    """The samples the network reads as another digit than their label, or as no digit (a "not a digit" sample: as a digit),
    and, given ``was_sure`` (one bool each), those that were read sure and are no longer."""
    if not samples:
        return []
    X, labels = np.stack([s.x for s in samples]), [s.label for s in samples]
    wrong = ~_read_right(network, X, labels, 0.0, 0.0)
    if was_sure is not None:
        wrong |= was_sure & ~reads_sure(network, X, labels, recipe)
    return [s for s, bad in zip(samples, wrong) if bad]


def _read_right(network: Network, X: np.ndarray, labels, strong: float, sure: float) -> np.ndarray:
    outputs = network.feedforward(np.asarray(X, network.dtype).reshape(len(labels), -1))
    labels = np.asarray(labels)
    top = outputs.max(axis=1)
    mine = outputs[np.arange(len(labels)), np.maximum(labels, 0)]
    none_below = none_below_for(network)  # a digit the app would answer "not a digit" is not read right
    digit = ((np.argmax(outputs, axis=1) == labels) & (mine >= max(strong, none_below))
             & (mine >= sure * outputs.sum(axis=1)))
    return np.where(labels < 0, top < none_below, digit)
