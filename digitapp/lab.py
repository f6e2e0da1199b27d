"""The lab: choose a network, train it on a slice of MNIST, watch it learn, compare runs.

No Tk here: the panel (:mod:`digitapp.gui.lab`) drives these objects, and
tests call them directly.

- :class:`LabSettings`: what a learner chooses (checked on construction,
  one-line ValueError for a bad choice); presets :data:`CHAPTER_1` and
  :data:`SHIPPED`.
- :class:`LabRun`: the settings made into a network and its data; ``step()``
  trains one mini-batch, ``steps()`` yields a :class:`Point` (cost and
  accuracy) every ``report_every`` batches and at each epoch's end,
  ``confusion()``, ``snapshot()``, ``save()``, ``recognizer()``.
- :class:`Lab`: the runs kept for comparing.

The data is MNIST as ``mnist_loader.load_data`` gives it (raw: float pixels
in [0, 1], no re-centring), a slice of its training set; measuring uses a
fixed subset of the validation set and of the training slice.  Raw, not the
app's preprocessing: preparing 50,000 preprocessed images takes minutes,
and a learner wants the first point within seconds.  The app's recognizer
centres a drawing the way MNIST digits are centred, so a lab network reads
drawings too (less well than the shipped model, which also learnt from
preprocessed and pen-redrawn digits).

Threads: a LabRun's network belongs to whoever calls ``step()`` (the panel's
worker thread).  What it hands out (``snapshot()``, ``recognizer()``) is
copied, so another thread may keep and read it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from .activations import ACTIVATIONS, Softmax
from .augment import Augmenter
from .blas import fast_blas
from .files import user_data_dir
from .model_io import save_model
from .network import COSTS
from .network2 import Network
from .optimizers import OPTIMIZERS, SGD as PlainSGD, make_optimizer
from .recognizer import Recognizer
from .trainer import as_floats, targets

#: The limits a learner's choices must keep.
MAX_HIDDEN_LAYERS = 3
MAX_NEURONS = 500
MIN_TRAINING, MAX_TRAINING = 1_000, 50_000
MAX_EPOCHS = 1_000
MAX_BATCH = 10_000
#: Validation and training cost and accuracy are measured on this many images (fixed for a run).
MEASURED = 1_000
#: Mini-batches whose rows are gathered in one go.
BLOCK = 64
#: What a run may change as it goes (:meth:`LabRun.change`).
CHANGEABLE = ("eta", "lmbda", "epochs")
#: Unless told how often, a run measures itself so that measuring takes at most this share of its time.
MEASURING_SHARE = 0.05
#: The lab's runs are saved here, below the user's data directory.
LAB_FOLDER = "lab"


@dataclass(frozen=True)
class LabSettings:
    """One run's choices: ``Network([784, *hidden, 10])`` trained so.  Raises ValueError (one line) when bad."""

    hidden: tuple[int, ...] = (30,)
    activation: str = "sigmoid"
    cost: str = "cross-entropy"
    optimizer: str = "sgd"
    eta: float = 0.5
    lmbda: float = 1.0
    batch_size: int = 10
    epochs: int = 10
    training_size: int = 10_000
    augment: bool = False
    seed: int = 0
    init: str = "scaled"  # "scaled": N(0, 1/n_in) (chapter 3, or the activation's own); "large": N(0, 1) (chapter 1)

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(self.hidden))
        problem = self.problem()
        if problem:
            raise ValueError(problem)

    def problem(self) -> str | None:
        """What is wrong with these settings, in one line, or None."""
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            return f"{len(self.hidden)} hidden layers: choose 0 to {MAX_HIDDEN_LAYERS}"
        for i, n in enumerate(self.hidden, start=1):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_NEURONS:
                return f"hidden layer {i} has {n!r} neurons: choose 1 to {MAX_NEURONS}"
        if self.activation not in ACTIVATIONS:
            return f"unknown activation {self.activation!r}: choose one of {', '.join(ACTIVATIONS)}"
        if self.cost not in COSTS:
            return f"unknown cost {self.cost!r}: choose one of {', '.join(COSTS)}"
        if self.optimizer not in OPTIMIZERS:
            return f"unknown optimizer {self.optimizer!r}: choose one of {', '.join(OPTIMIZERS)}"
        if not _number(self.eta) or not 0 < self.eta <= 100:
            return f"learning rate eta {self.eta!r}: choose a number above 0 (and at most 100)"
        if not _number(self.lmbda) or not 0 <= self.lmbda <= 1e6:
            return f"L2 lmbda {self.lmbda!r}: choose 0 or more"
        checks = (("mini-batch size", self.batch_size, 1, MAX_BATCH), ("epochs", self.epochs, 1, MAX_EPOCHS),
                  ("training size", self.training_size, MIN_TRAINING, MAX_TRAINING), ("seed", self.seed, 0, 2**32 - 1))
        for name, value, low, high in checks:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
                return f"{name} {value!r}: choose a whole number from {low:,} to {high:,}"
        if self.init not in ("scaled", "large"):
            return f"unknown init {self.init!r}: choose scaled or large"
        return None

    @property
    def sizes(self) -> list[int]:
        return [784, *self.hidden, 10]

    def describe(self) -> str:
        """One short line: the layers and the recipe."""
        return (f"{self.sizes} {self.activation} {self.cost} {self.optimizer} eta {self.eta:g} "
                f"lmbda {self.lmbda:g} batch {self.batch_size} x{self.training_size:,}"
                f"{' aug' if self.augment else ''} seed {self.seed}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    def but(self, **changes) -> "LabSettings":
        """A copy with these changes (checked)."""
        return replace(self, **changes)


def _number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.floating, np.integer)) \
        and bool(np.isfinite(value))


#: The book's chapter 1 network: [784, 30, 10], sigmoid, quadratic cost, N(0, 1) weights, eta 3, batch 10.
CHAPTER_1 = LabSettings(hidden=(30,), activation="sigmoid", cost="quadratic", optimizer="sgd", eta=3.0, lmbda=0.0,
                        batch_size=10, epochs=30, training_size=50_000, augment=False, seed=0, init="large")
#: The shipped model's recipe (``digitapp train``'s defaults), on MNIST alone and with a constant eta.
SHIPPED = LabSettings(hidden=(100,), activation="sigmoid", cost="cross-entropy", optimizer="sgd", eta=0.5, lmbda=1.0,
                      batch_size=10, epochs=30, training_size=50_000, augment=True, seed=1, init="scaled")
PRESETS = {"chapter 1": CHAPTER_1, "shipped": SHIPPED}


@dataclass(frozen=True)
class Point:
    """One measurement of a run: after ``batches`` mini-batches (``epoch`` as a fraction, 1.0 = one epoch)."""

    epoch: float
    batches: int
    training_cost: float
    training_accuracy: float
    validation_cost: float
    validation_accuracy: float
    seconds: float  # training time so far, measuring excluded
    measuring: float = 0.0  # time spent measuring so far (this point's included)


@dataclass(frozen=True)
class Snapshot:
    """What a run looks like now, copied: safe to keep and read from another thread."""

    point: Point | None
    weights: np.ndarray  # the first layer's weights (n_1, 784)
    network: Network     # a copy of the whole network

    def recognizer(self) -> Recognizer:
        return Recognizer(self.network, record={"lab": True})


def _pixels(images: np.ndarray) -> np.ndarray:
    """Images as uint8 pixels: floats in [0, 1] (mnist_loader's k/255, so exactly) rounded, uint8 kept."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return np.ascontiguousarray(images)
    return np.ascontiguousarray(np.clip(np.round(images * 255), 0, 255).astype(np.uint8))


def mnist_split(data_dir=None):
    """``(training, validation)`` of mnist_loader.load_data (fetched if missing)."""
    import mnist_loader

    training, validation, _test = mnist_loader.load_data(data_dir)
    return training, validation


class LabRun:
    """A network being trained on a slice of MNIST, one mini-batch at a time."""

    def __init__(self, settings: LabSettings, training, validation, report_every: int | None = None,
                 name: str = "run"):
        """``training`` and ``validation`` are ``(images (N, 784) floats in [0, 1], labels (N,))``, as
        mnist_loader gives them; the first ``settings.training_size`` training images are used.
        ``report_every``: batches between points within an epoch; None: as often as measuring keeps
        within MEASURING_SHARE of the training time, and after 1, 2, 4, 8, ... batches (the first
        steps, where most changes, get points even when training is fast)."""
        self.settings = settings
        self.name = name
        s = settings
        images, labels = training
        if len(images) < s.training_size:
            raise ValueError(f"training size {s.training_size:,}: only {len(images):,} images are here")
        self.network = Network(s.sizes, cost=s.cost, activation=s.activation, seed=s.seed, dtype=np.float32,
                               weight_initializer="large" if s.init == "large" else None)
        # kept as uint8 pixels (a quarter of float32's memory and shuffling), made floats a batch at a time
        self.X = _pixels(images[:s.training_size])
        self.labels = np.asarray(labels[:s.training_size])
        softmax = self.network.output_activation is Softmax
        self.Y = targets(self.labels, 10, np.float32, softmax=softmax)
        v_images, v_labels = validation
        self.validation = (np.ascontiguousarray(v_images[:MEASURED], dtype=np.float32),
                           targets(np.asarray(v_labels[:MEASURED]), 10, np.float32, softmax=softmax))
        self.validation_labels = np.asarray(v_labels[:MEASURED])
        self.training_measured = (as_floats(self.X[:MEASURED], np.float32), self.Y[:MEASURED])
        self.optimizer = make_optimizer(s.optimizer)
        if type(self.optimizer) is PlainSGD:
            self.optimizer = None  # the same step, fused (as trainer.train does)
        self.augmenter = Augmenter() if s.augment else None
        self.batches_per_epoch = -(-s.training_size // s.batch_size)
        self.report_every = report_every
        self._since_point = 0.0    # training seconds since the last point
        self._measuring = 0.0      # how long the last point took to measure
        self._confusion = None     # (batches, matrix) of the last point
        self.batches = 0      # mini-batches trained
        self.seconds = 0.0    # time spent training them
        self.measuring = 0.0  # time spent measuring
        self.history: list[Point] = []
        self._order = None     # this epoch's shuffled indices
        self._epoch_X = None   # with augmenting: this epoch's distorted images, in that order
        self._block_start, self._block_X, self._block_Y = 0, None, None  # the rows of the next BLOCK batches

    def __repr__(self):
        return f"LabRun({self.name!r}, {self.settings.describe()}, {self.batches} batches)"

    # ------------------------------------------------------------ training

    def change(self, **changes) -> None:
        """Go on with other CHANGEABLE settings (eta, lmbda, epochs), as ConvNetJS's demo lets you; the
        others make another network or data set: ValueError, one line."""
        fixed = sorted(set(changes) - set(CHANGEABLE))
        if fixed:
            raise ValueError(f"{', '.join(fixed)} cannot change during a run: Reset, then Start a new one")
        self.settings = self.settings.but(**changes)

    @property
    def epoch(self) -> float:
        return self.batches / self.batches_per_epoch

    @property
    def total_batches(self) -> int:
        return self.settings.epochs * self.batches_per_epoch

    @property
    def done(self) -> bool:
        return self.batches >= self.total_batches

    def step(self) -> Point | None:
        """Train one mini-batch; the new Point when one is due (every ``report_every`` batches, each epoch's end).

        After the last epoch it trains nothing and returns None."""
        if self.done:
            return None
        start = time.perf_counter()
        k = self.batches % self.batches_per_epoch
        if k == 0 or self._order is None:
            self._order = self.network.rng.permutation(len(self.X))
            if self.augmenter is not None:  # the epoch's distorted copy, in its shuffled order
                self._epoch_X = np.ascontiguousarray(self.augmenter(self.X[self._order], self.network.rng),
                                                     dtype=np.uint8)
        b = self.settings.batch_size
        i = k * b
        if self.augmenter is not None:
            X, Y = self._epoch_X[i:i + b], self.Y[self._order[i:i + b]]
        else:
            # the rows of the next BLOCK batches are gathered at once: no copy of the whole set per epoch,
            # and not one small gather per batch either (each costs as much as a tenth of a step)
            j = k - self._block_start
            if self._block_X is None or k == 0 or not 0 <= j < BLOCK:
                self._block_start, j = k, 0
                rows = self._order[i:i + BLOCK * b]
                self._block_X, self._block_Y = self.X[rows], self.Y[rows]
            X, Y = self._block_X[j * b:(j + 1) * b], self._block_Y[j * b:(j + 1) * b]
        mini_batch = (as_floats(X, np.float32), Y)
        self.network.update_mini_batch(mini_batch, self.settings.eta, self.settings.lmbda, len(self.X), self.optimizer)
        self.batches += 1
        took = time.perf_counter() - start
        self.seconds += took
        self._since_point += took
        if self.report_every is not None:
            due = self.batches % self.report_every == 0
        else:
            due = (self._since_point * MEASURING_SHARE >= self._measuring * (1 - MEASURING_SHARE)
                   or self.batches & (self.batches - 1) == 0)  # and after 1, 2, 4, 8, ... batches: the start shows
        if due or self.batches % self.batches_per_epoch == 0:
            return self.measure()
        return None

    def measure(self) -> Point:
        """Cost and accuracy now, on the fixed training and validation subsets; added to ``history``.

        Raises ArithmeticError when the weights became NaN or infinite."""
        if not all(np.isfinite(w).all() for w in self.network.weights):
            raise ArithmeticError(f"training diverged after {self.batches} batches (weights became NaN or "
                                  "infinite); try a smaller eta")
        start = time.perf_counter()
        net, lmbda = self.network, self.settings.lmbda
        values = []
        for X, Y in (self.training_measured, self.validation):
            A = net.feedforward(X)
            values += [float(net.cost_of(A, Y, lmbda)), net.correct(A, Y) / len(X)]
        self._confusion = (self.batches, self._count(A))
        self._measuring = time.perf_counter() - start
        self.measuring += self._measuring
        point = Point(round(self.epoch, 4), self.batches, *values, seconds=self.seconds, measuring=self.measuring)
        self.history.append(point)
        self._since_point = 0.0
        return point

    def steps(self, limit: int | None = None) -> Iterator[Point]:
        """Train until done (or ``limit`` batches), yielding each Point as it comes; one BLAS thread
        (:func:`~digitapp.blas.fast_blas`) while it runs, as ``digitapp train`` has."""
        n = 0
        with fast_blas():
            while not self.done and (limit is None or n < limit):
                point = self.step()
                n += 1
                if point is not None:
                    yield point

    def run_epoch(self) -> list[Point]:
        """Train to the end of the current epoch; the Points it made."""
        left = self.batches_per_epoch - self.batches % self.batches_per_epoch
        return list(self.steps(left))

    # ------------------------------------------------------------ looking

    def confusion(self) -> np.ndarray:
        """10x10 counts on the validation subset: row the true digit, column the network's answer."""
        if self._confusion is not None and self._confusion[0] == self.batches:
            return self._confusion[1].copy()  # measured with the last point
        return self._count(self.network.feedforward(self.validation[0]))

    def _count(self, A: np.ndarray) -> np.ndarray:
        matrix = np.zeros((10, 10), np.int64)
        np.add.at(matrix, (self.validation_labels, np.argmax(A, axis=1)), 1)
        return matrix

    def most_confused(self, n: int = 3) -> list[tuple[int, int, int]]:
        """The ``n`` commonest mistakes: (true digit, answer, count), most first; none counted 0."""
        matrix = self.confusion()
        np.fill_diagonal(matrix, 0)
        order = np.argsort(-matrix, axis=None, kind="stable")[:n]
        return [(int(i // 10), int(i % 10), int(matrix.flat[i])) for i in order if matrix.flat[i] > 0]

    def snapshot(self) -> Snapshot:
        """The first layer's weights and a copy of the network, as they are now."""
        network = self.network.copy()
        return Snapshot(self.history[-1] if self.history else None, network.weights[0], network)

    def recognizer(self) -> Recognizer:
        """A Recognizer on a copy of this network ("use this network"); training on does not change it."""
        return Recognizer(self.network.copy(), record=self.record())

    def record(self) -> dict:
        return {"lab": self.settings.to_dict(), "batches": self.batches, "epoch": self.epoch,
                "history": [asdict(p) for p in self.history]}

    def save(self, path=None) -> Path:
        """Save the network in the app's safe model format (atomic); default: the user's ``lab/`` folder."""
        return save_model(self.network, path or new_model_path(self.name), self.record())


def new_model_path(name: str) -> Path:
    """A new file name for a run's model in the user's ``lab/`` folder (made if missing), never an old one's."""
    folder = user_data_dir() / LAB_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{name.replace(' ', '-')}"
    path, i = folder / f"{stem}.pkl", 1
    while path.exists():
        i += 1
        path = folder / f"{stem}-{i}.pkl"
    return path


@dataclass
class Lab:
    """The runs of a session, kept with their settings and history for comparing."""

    runs: list[LabRun] = field(default_factory=list)
    data: tuple | None = None  # (training, validation), loaded once

    def load(self, data_dir=None) -> tuple:
        """MNIST's training and validation sets, read once; the training images kept as uint8 pixels."""
        if self.data is None:
            (images, labels), validation = mnist_split(data_dir)
            self.data = ((_pixels(images), labels), validation)
        return self.data

    def new_run(self, settings: LabSettings, report_every: int | None = None) -> LabRun:
        training, validation = self.load()
        run = LabRun(settings, training, validation, report_every, name=f"run {len(self.runs) + 1}")
        self.runs.append(run)
        return run

    def curves(self, chosen, key: str = "validation_accuracy") -> dict[str, list[tuple[float, float]]]:
        """For each chosen run (indices), its (epoch, value) points of ``key``."""
        return {self.runs[i].name: [(p.epoch, getattr(p, key)) for p in self.runs[i].history] for i in chosen}
