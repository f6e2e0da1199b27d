"""Learning the user's handwriting: how one correction is taught to a network without forgetting MNIST.

:class:`Learner` teaches a :class:`~digitapp.samples.Sample` with a few of
the network's own ``update_mini_batch`` steps, each on a mini-batch that
mixes distorted copies of the new sample, some of the user's earlier samples
and MNIST training digits from the replay set that ships with the package
(``models/replay.npz``), so the network learns the new style at once
without forgetting what it knew.  :class:`Recipe` holds the numbers, chosen
on validation data.  Pure computation: no files but the replay set, no Tk.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .augment import Augmenter
from .blas import fast_blas
from .model_io import default_model_path
from .network import Network, shares
from .preprocess import DIGITS, FIELD
from .recognizer import UNSURE_BELOW
from .samples import Sample, StoreError

REPLAY_NAME = "replay.npz"
RECHECKED = 1000  # after each round of steps, the newest earlier samples checked for being forgotten


# -- the replay set -----------------------------------------------------------------------------------

def replay_path() -> Path:
    """The replay set that ships beside the shipped model (``python -m harness.replay_set`` makes it)."""
    return default_model_path().with_name(REPLAY_NAME)


@functools.lru_cache(maxsize=2)
def load_replay(path=None) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 (N, 784), labels (N,))``: the MNIST training digits replayed while learning."""
    path = Path(path) if path is not None else replay_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            images, labels = data["images"], data["labels"]
    except FileNotFoundError:
        raise StoreError(f"{path}: the replay set is missing; reinstall digitapp") from None
    except (OSError, ValueError, KeyError) as err:
        raise StoreError(f"{path}: not a usable replay set ({type(err).__name__}); reinstall digitapp") from None
    if not (images.dtype == np.uint8 and images.ndim == 2 and images.shape[1] == FIELD * FIELD
            and labels.shape == (len(images),) and len(images) and labels.max() < DIGITS):
        raise StoreError(f"{path}: not a usable replay set (wrong shapes); reinstall digitapp")
    return images, labels.astype(np.intp)


# -- learning -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipe:
    """How one sample is learned: ``steps`` mini-batches at learning rate ``eta``, each of the sample,
    ``copies`` distorted copies of it, up to ``earlier`` of the user's earlier samples, and ``near``
    plus ``replay`` MNIST digits; then ``steps`` more at a time (``max_steps`` in all) until the
    network reads the sample as its label with at least ``sure`` of its outputs (UNSURE_BELOW, the share
    the app's "sure" also needs) and reads every earlier sample right again.  An earlier
    sample it misreads is learned again like a new one (``copies`` copies, first in the ``earlier``
    places), so one correction does not undo another.

    Two things keep MNIST.  The ``near`` replay digits of other labels closest to the sample are in
    every step: they are the MNIST digits a new way of writing takes over (10 snowman 8s made
    67-86 MNIST validation 0s read as 8 without them, 17-24 with them).  And every replayed
    digit is distorted (a fresh warp per ``replay_block``): 50 samples take some 4,000 steps,
    which replay the 5,000 digits about 200 times each, and undistorted the network learned them
    by heart (replay alone lost 0.15 validation points in 4,000 steps; distorted, 0.08).  Chosen
    on the learning bench's writers and the MNIST validation set, never the test set (docs/learning.md,
    "How it learns without forgetting")."""

    steps: int = 40
    copies: int = 4
    earlier: int = 6
    replay: int = 246
    near: int = 32
    replay_block: int = 32
    eta: float = 0.1
    max_steps: int = 240
    sure: float = UNSURE_BELOW


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
        self._augment = self._augment_replay = None

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
        """A copy of ``base`` that has learned every sample in order (after a delete, a relabel or an
        import); ``progress(done, total)`` hears of each sample learned."""
        trained = base.copy()
        for k, sample in enumerate(self.samples):
            self._teach(trained, sample, self.samples[:k])
            if progress is not None:
                progress(k + 1, len(self.samples))
        return trained

    def _teach(self, network: Network, sample: Sample, earlier: Sequence[Sample]) -> None:
        r, rng = self.recipe, self.rng
        if self._augment is None:
            self._augment = Augmenter(block=1)  # every copy of the user's digits gets its own distortion
            self._augment_replay = Augmenter(block=r.replay_block)
        images, labels = self.replay
        eye = np.eye(network.sizes[-1], dtype=network.dtype)
        x = sample.x[None, :]
        near = nearest_other_digits(images, labels, x, sample.label, r.near)
        forgotten: list[Sample] = []
        with fast_blas():
            for step in range(r.max_steps):
                if step and step % r.steps == 0:
                    forgotten = misread(network, earlier[-RECHECKED:])
                    if not forgotten and _reads(network, x, sample.label, r.sure):
                        break
                again = forgotten[:r.earlier]  # earlier samples it now reads wrong: learned like a new one
                taken = {s.id for s in again}
                others = [s for s in earlier if s.id not in taken]
                chosen = [sample] * r.copies + again * r.copies + [
                    others[i] for i in rng.choice(len(others), min(r.earlier - len(again), len(others)), replace=False)]
                mine = np.concatenate([x, self._augment(np.array([s.x for s in chosen]).reshape(-1, x.size), rng)])
                pick = np.concatenate([near, rng.integers(len(images), size=r.replay)])
                replayed = self._augment_replay(images[pick], rng) * np.float32(1 / 255)
                X = np.concatenate([mine, replayed]).astype(network.dtype, copy=False)
                Y = eye[np.concatenate([[sample.label], [s.label for s in chosen], labels[pick]]).astype(np.intp)]
                network.update_mini_batch((X, Y), r.eta)


def nearest_other_digits(images: np.ndarray, labels: np.ndarray, x: np.ndarray, label: int, n: int) -> np.ndarray:
    """Indices of the ``n`` images (uint8 rows) nearest ``x`` (a (1, 784) row in [0, 1]) in pixels,
    among those not labelled ``label``: the digits learning ``x`` is most likely to take over."""
    distances = np.square(images * np.float32(1 / 255) - x).sum(axis=1)
    distances[labels == label] = np.inf
    return np.argsort(distances)[:n]


def misread(network: Network, samples: Sequence[Sample]) -> list[Sample]:
    """The samples the network reads as another digit than their label."""
    if not samples:
        return []
    answers = np.argmax(network.feedforward(np.stack([s.x for s in samples]).astype(network.dtype)), axis=1)
    return [s for s, answer in zip(samples, answers) if answer != s.label]


def _reads(network: Network, x: np.ndarray, label: int, sure: float) -> bool:
    """Whether the network answers ``label`` for the (1, 784) row ``x`` with at least ``sure`` confidence."""
    output = network.feedforward(x.astype(network.dtype, copy=False)).ravel()
    return int(np.argmax(output)) == label and shares(output)[label] >= sure
