"""Learning the user's handwriting: how one correction is taught to a network without forgetting MNIST.

:class:`Learner` teaches a :class:`~digitapp.samples.Sample` with a few of
the network's own ``update_mini_batch`` steps, each on a mini-batch that
mixes distorted copies of the new sample, some of the user's earlier samples
and MNIST training digits from the replay set that ships with the package
(``models/replay.npz``: MNIST digits, and drawings of the training
templates' digits and non-digits, whose target is every output 0), so the
network learns the new style at once without forgetting what it knew, nor
that a heart or an "a" is no digit.  A sample may itself be "not a digit"
(:data:`~digitapp.samples.NOT_A_DIGIT`), learned the same way.  :class:`Recipe` holds the numbers, chosen
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
from .samples import LABELS, Sample, StoreError
from .trainer import targets

REPLAY_NAME = "replay.npz"
RECHECKED = 1000  # after each round of steps, the newest earlier samples checked for being forgotten


# -- the replay set -----------------------------------------------------------------------------------

def replay_path() -> Path:
    """The replay set that ships beside the shipped model (``python -m harness.replay_set`` makes it)."""
    return default_model_path().with_name(REPLAY_NAME)


@functools.lru_cache(maxsize=2)
def load_replay(path=None) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 (N, 784), labels (N,))``: what is replayed while learning, MNIST training digits and
    template drawings (label NOT_A_DIGIT for a non-digit)."""
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
    ``copies`` distorted copies of it, up to ``earlier`` of the user's earlier samples, and ``near``
    plus ``replay`` drawings from the replay set; then ``then`` more at a time (``max_steps`` in all) until
    the network reads the sample as the app's "sure" of its label (its output at least ``strong``, its
    share at least ``sure``; for a "not a digit" sample, every output under the app's "not a digit"
    threshold) and reads every earlier sample right again.  An earlier sample it misreads is learned
    again like a new one (``copies`` copies, first in the ``earlier`` places), so one correction does
    not undo another.

    Two things keep MNIST.  The ``near`` replay digits of other labels closest to the sample (and the
    ``near_none`` closest non-digits) are in every step: they are the MNIST digits a new way of writing
    takes over (10 snowman 8s made 67-86 MNIST validation 0s read as 8 without them, 17-24 with them).  And every replayed
    drawing is distorted (a warp per ``replay_block``, from a bank of ``warps`` made once): 50 samples
    take some 4,000 steps, which replay the set about 200 times, and undistorted the network learned it
    by heart (replay alone lost 0.15 validation points in 4,000 steps; distorted, 0.08).

    Many samples at once (:meth:`Learner.relearn`: after a delete, a relabel or an import) are learned
    together: each step takes ``together`` of them (those not yet read sure first) with a distorted
    copy each, ``together_near`` near drawings of each and the ``replay`` random ones, until all are
    read sure (looked at every ``steps`` steps), ``steps`` at least, ``max_steps`` plus ``steps`` per
    ``together`` samples at most.  Chosen on the learning bench's writers and the MNIST validation set,
    never the test set (docs/learning.md, "How it learns without forgetting")."""

    steps: int = 40
    copies: int = 4
    earlier: int = 6
    replay: int = 246
    near: int = 32
    near_none: int = 8
    replay_block: int = 32
    eta: float = 0.1
    max_steps: int = 240
    then: int = 10
    boost: int = 4
    sure: float = UNSURE_BELOW + 0.02  # a little above the app's own "sure": the drawing is read sure however
    strong: float = WEAK_BELOW + 0.02  # its input is rounded (a sample keeps it as uint8)
    warps: int = 256
    together: int = 16
    together_near: int = 2


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
        self._augment = self._augment_replay = self._replay_pixels = None

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
        self._teach(trained, sample, self.samples)
        self.samples = [*self.samples, sample]  # a new list: another thread may be showing the old one
        return trained

    def relearn(self, base: Network, progress: Callable[[int, int], None] | None = None) -> Network:
        """A copy of ``base`` that has learned every sample, all together (after a delete, a relabel or an
        import); ``progress(done, total)`` hears how many are read sure so far."""
        trained = base.copy()
        if self.samples:
            self._teach_together(trained, self.samples, progress)
        return trained

    def _pixels(self) -> np.ndarray:
        """The replay images as float32 in [0, 1], made once (for finding the nearest to a sample)."""
        if self._replay_pixels is None:
            self._replay_pixels = self.replay[0] * np.float32(1 / 255)
        return self._replay_pixels

    def _distort(self):
        """The two distortions: each of the user's rows its own warp; replayed rows a warp per block."""
        if self._augment is None:
            self._augment = Augmenter(block=1, bank=self.recipe.warps)
            self._augment_replay = Augmenter(block=self.recipe.replay_block, bank=self.recipe.warps)
        return self._augment, self._augment_replay

    def _step(self, network: Network, mine: np.ndarray, mine_labels, pick: np.ndarray) -> None:
        """One mini-batch step: the user's rows ``mine`` (floats) and the replay rows ``pick``, distorted."""
        images, labels = self.replay
        replayed = self._distort()[1](images[pick], self.rng)
        X = np.concatenate([mine.astype(network.dtype, copy=False), replayed * network.dtype.type(1 / 255)])
        Y = targets(np.concatenate([mine_labels, labels[pick]]), network.sizes[-1], network.dtype,
                    network.output_activation is Softmax)
        network.update_mini_batch((X, Y), self.recipe.eta)

    def _teach(self, network: Network, sample: Sample, earlier: Sequence[Sample]) -> None:
        r, rng = self.recipe, self.rng
        augment = self._distort()[0]
        images, labels = self.replay
        x = sample.x[None, :]
        near = _near(self._pixels(), labels, x, np.array([sample.label]), r)[0]
        forgotten: list[Sample] = []
        exact = 1  # undistorted rows of the sample: more when it is not read sure after the first steps
        with fast_blas():
            for step in range(r.max_steps):
                if step >= r.steps and (step - r.steps) % r.then == 0:
                    forgotten = misread(network, earlier[-RECHECKED:])
                    sure = reads_sure(network, x, [sample.label], r).all()
                    if not forgotten and sure:
                        break
                    exact = 1 if sure else 1 + r.boost
                again = forgotten[:r.earlier]  # earlier samples it now reads wrong: learned like a new one
                taken = {s.id for s in again}
                others = [s for s in earlier if s.id not in taken]
                chosen = [sample] * r.copies + again * r.copies + [
                    others[i] for i in rng.choice(len(others), min(r.earlier - len(again), len(others)), replace=False)]
                mine = np.concatenate([np.repeat(x, exact, axis=0),
                                       augment(np.array([s.x for s in chosen]).reshape(-1, x.size), rng)])
                self._step(network, mine, [sample.label] * exact + [s.label for s in chosen],
                           np.concatenate([near, rng.integers(len(images), size=r.replay)]))

    def _teach_together(self, network: Network, samples: Sequence[Sample],
                        progress: Callable[[int, int], None] | None) -> None:
        r, rng = self.recipe, self.rng
        augment = self._distort()[0]
        images, labels = self.replay
        X = np.stack([s.x for s in samples])
        L = np.array([s.label for s in samples])
        n = len(samples)
        near = _near(self._pixels(), labels, X, L, r)
        most = r.max_steps + r.steps * -(-n // r.together)
        done = 0
        with fast_blas():
            for step in range(most):
                if step % r.steps == 0:
                    sure = reads_sure(network, X, L, r)
                    done = max(done, int(sure.sum()))
                    if progress is not None:
                        progress(done, n)
                    if step and sure.all():
                        break
                    todo, rest = np.flatnonzero(~sure), np.flatnonzero(sure)
                first = rng.permutation(todo)[:r.together]
                chosen = np.concatenate([first, rng.choice(rest, min(r.together - len(first), len(rest)), replace=False)])
                mine = np.concatenate([X[chosen], augment(X[chosen], rng)])
                close = near[chosen[:, None], rng.integers(near.shape[1], size=(len(chosen), r.together_near))].ravel()
                self._step(network, mine, np.concatenate([L[chosen], L[chosen]]),
                           np.concatenate([close, rng.integers(len(images), size=r.replay)]))
        if progress is not None and done < n:
            progress(n, n)


def nearest_other(pixels: np.ndarray, labels: np.ndarray, X: np.ndarray, own: np.ndarray, n: int,
                  non_digits: bool = False) -> np.ndarray:
    """For each row of ``X`` ((m, 784) in [0, 1]), the indices (m, n) of the ``n`` replay images (float32 rows
    in [0, 1]) nearest it in pixels among the digits not labelled its ``own`` label (with ``non_digits``:
    among the non-digits): what learning it is most likely to take over (nearest first)."""
    squares = np.square(pixels).sum(axis=1)
    out = np.empty((len(X), n), np.intp)
    for start in range(0, len(X), 256):  # a block at a time: 5,000 samples never need a 5,000 x N matrix
        part = X[start:start + 256].astype(np.float32)
        distances = squares[None, :] - 2 * part @ pixels.T
        if non_digits:
            distances[:, labels >= 0] = np.inf
        else:
            distances[(labels[None, :] == own[start:start + 256, None]) | (labels[None, :] < 0)] = np.inf
        nearest = np.argpartition(distances, n, axis=1)[:, :n]
        order = np.argsort(np.take_along_axis(distances, nearest, axis=1), axis=1)
        out[start:start + len(part)] = np.take_along_axis(nearest, order, axis=1)
    return out


def _near(pixels: np.ndarray, labels: np.ndarray, X: np.ndarray, own: np.ndarray, recipe: Recipe) -> np.ndarray:
    """Each row's ``recipe.near`` nearest digits of other labels, then its ``recipe.near_none`` nearest non-digits."""
    digits = nearest_other(pixels, labels, X, own, recipe.near)
    if not recipe.near_none or not (labels < 0).any():
        return digits
    return np.concatenate([digits, nearest_other(pixels, labels, X, own, recipe.near_none, non_digits=True)], axis=1)


def reads_sure(network: Network, X: np.ndarray, labels, recipe: Recipe = Recipe()) -> np.ndarray:
    """For each row of ``X``, whether the network gives the app's "sure" answer for its label: output at least
    ``recipe.strong`` and share at least ``recipe.sure``; for NOT_A_DIGIT, every output under "not a digit"."""
    return _read_right(network, X, labels, recipe.strong, recipe.sure)


def misread(network: Network, samples: Sequence[Sample]) -> list[Sample]:
    """The samples the network reads as another digit than their label (a "not a digit" sample: as a digit)."""
    if not samples:
        return []
    right = _read_right(network, np.stack([s.x for s in samples]), [s.label for s in samples], 0.0, 0.0)
    return [s for s, ok in zip(samples, right) if not ok]


def _read_right(network: Network, X: np.ndarray, labels, strong: float, sure: float) -> np.ndarray:
    outputs = network.feedforward(np.asarray(X, network.dtype).reshape(len(labels), -1))
    labels = np.asarray(labels)
    top = outputs.max(axis=1)
    mine = outputs[np.arange(len(labels)), np.maximum(labels, 0)]
    digit = (np.argmax(outputs, axis=1) == labels) & (mine >= strong) & (mine >= sure * outputs.sum(axis=1))
    return np.where(labels < 0, top < none_below_for(network), digit)
