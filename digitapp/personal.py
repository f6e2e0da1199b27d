"""The user's own model: the one object that changes what the app answers with.

:class:`PersonalModel` owns the :class:`~digitapp.recognizer.Recognizer`
that answers, the user's samples (:mod:`digitapp.samples`) and their store,
and a :class:`~digitapp.learning.Learner`.  Learning a correction, undo,
relabel, delete and forget each build a new network, save it, and then
swap in a new Recognizer whole.

Who may touch what (the window has two threads):

- A Recognizer never changes after it is made, so any thread may read with it.
- Only one thread at a time calls the methods that change a PersonalModel
  (in the window: the learning worker, one job at a time).  They replace
  :attr:`PersonalModel.recognizer` and :attr:`PersonalModel.samples` by
  assignment, never change them in place, so the Tk thread reads either the
  old object or the new one, never half of one.
- The BLAS thread limit may be entered from both threads
  (:func:`digitapp.blas.fast_blas` counts who is inside).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .imagefile import ImageLike
from .ink import Ink
from .learning import Learner
from .model_io import ModelError, default_model_path, network_from, read_model_file, save_model
from .network import Network
from .preprocess import preprocess, strokes_input
from .recognizer import Prediction, Recognizer
from .samples import Sample, SampleStore, check_digit, relabelled, set_aside, without
from .strokes import clean_strokes


class PersonalModel:
    """The answering model plus what it learned from the user.

    ``store`` keeps samples and the personal model on disk (None: learning
    stays in memory, as in tests and the CI's check).  ``base_path`` is the
    model learning starts from: what Forget goes back to and what relearning
    after a delete or relabel starts from.
    """

    def __init__(self, recognizer: Recognizer, store: SampleStore | None = None, samples=(),
                 base_path: Path | None = None, learner: Learner | None = None):
        self.recognizer = recognizer
        self.store = store
        self.learner = learner if learner is not None else Learner(samples)
        self.base_path = Path(base_path) if base_path is not None else recognizer.path
        self._undo: tuple[Recognizer, str] | None = None  # the answer before the last correction, its sample

    def __repr__(self):
        return f"PersonalModel({self.recognizer!r}, {len(self.samples)} samples, store={self.store!r})"

    @classmethod
    def open(cls, model=None, store: SampleStore | None = None) -> tuple["PersonalModel", list[str]]:
        """What the app and ``predict`` start with, and one-line warnings for files that were set aside.

        With ``model`` that model answers; otherwise the personal model when
        there is one, else the shipped model.  A corrupt samples file or
        personal model is moved aside (renamed, never deleted) and the shipped
        model answers.  Raises ModelError when ``model`` (or the shipped model)
        cannot be loaded, UnreadableStore when the samples file cannot be read.
        """
        store = store if store is not None else SampleStore()
        samples, warnings = store.load_or_set_aside("starting without your samples"
                                                    + (" and with the shipped model" if model is None else ""))
        if model is None and store.model_path.is_file():
            try:
                data = read_model_file(store.model_path)
                personal = data["record"].get("personal")
                base = base_model(personal.get("base_model") if isinstance(personal, dict) else None)
                record = {**data["record"], "personal": {**(personal if isinstance(personal, dict) else {}),
                                                         "base_model": str(base)}}
                recognizer = Recognizer(network_from(data), store.model_path, record)
                return cls(recognizer, store, samples, base_path=base), warnings
            except ModelError as err:
                warnings.append(set_aside(store.model_path, err, "starting with the shipped model"))
        return cls(Recognizer.load(model), store, samples), warnings

    @property
    def samples(self) -> list[Sample]:
        """The user's samples so far (stored, or learned in memory)."""
        return self.learner.samples

    # -- learning ---------------------------------------------------------------------------------

    def learn(self, image: ImageLike, digit: int, ink: Ink = None) -> Prediction:
        """Learn that ``image`` (what Recognizer.predict takes) shows ``digit``; returns the new Prediction.

        Raises ValueError for a blank image or a label that is not 0-9.
        """
        return self.learn_input(preprocess(image, ink), digit)

    def learn_strokes(self, strokes, digit: int) -> Prediction:
        """Learn that mouse ``strokes`` (what Recognizer.predict_strokes takes) show ``digit``."""
        strokes = [s for s in clean_strokes(strokes) if s]
        return self.learn_input(strokes_input(strokes), digit, strokes)

    def learn_input(self, x: np.ndarray | None, digit: int, strokes=None) -> Prediction:
        """Learn a preprocessed input as ``digit``: a new network learns it, with replay of MNIST and of
        the user's earlier samples, and answers from now on; kept on disk when there is a store."""
        if x is None:
            raise ValueError("nothing to learn: the drawing is blank")
        sample = Sample.new(digit, x, strokes)
        before = self.recognizer
        if self.store is not None:
            self.learner.samples = self.store.add(sample)[:-1]  # other windows' samples too
        network = self.learner.learn(before.network, sample)
        self._become(network)
        self._undo = (before, sample.id)
        return self.recognizer.predict_input(x)

    def undo(self) -> bool:
        """Take back the last correction: its sample and its effect (the network from before it)."""
        if self._undo is None:
            return False
        before, sample_id = self._undo
        self._undo = None
        self._edit_samples(lambda samples: without(samples, sample_id))
        self._become(before.network, learned=bool(self.samples))
        return True

    def forget(self) -> None:
        """Back to the model the learning started from: samples and personal model deleted."""
        base = self._base_network()  # first: when it cannot be loaded, nothing is deleted
        self.learner.samples = []
        self._undo = None
        if self.store is not None:
            self.store.clear()
        self._become(base, learned=False)

    def delete(self, sample_id: str) -> None:
        """Delete one stored sample and its effect: the base model relearns the others."""
        self._change_samples(lambda samples: without(samples, sample_id))

    def relabel(self, sample_id: str, digit: int) -> None:
        """Give a stored sample another label; the base model relearns all samples."""
        digit = check_digit(digit)
        self._change_samples(lambda samples: relabelled(samples, sample_id, digit))

    def relearn(self) -> None:
        """The base model relearns every sample (after samples were imported or changed elsewhere)."""
        self._change_samples(None)

    def _edit_samples(self, change) -> None:
        """The samples become ``change(samples)`` (None: as stored now), in the store when there is one."""
        if self.store is not None:
            self.learner.samples = self.store.update(change) if change is not None else self.store.load()
        elif change is not None:
            self.learner.samples = change(self.learner.samples)

    def _change_samples(self, change) -> None:
        """:meth:`_edit_samples`, then the base model relearns them all."""
        self._edit_samples(change)
        self._undo = None
        network = self.learner.relearn(self._base_network()) if self.samples else self._base_network()
        self._become(network, learned=bool(self.samples))

    def _base_network(self) -> Network:
        return network_from(read_model_file(self.base_path or default_model_path()))

    def _become(self, network: Network, learned: bool = True) -> None:
        """Answer with ``network`` from now on: recorded (and with a store, saved) as personal, or as
        the base model again when nothing is learned."""
        old = self.recognizer
        base_record = {k: v for k, v in old.record.items() if k != "personal"}
        if learned:
            record = {**base_record, "personal": {"base_model": str(self.base_path) if self.base_path else None,
                                                  "samples": len(self.samples)}}
            path = save_model(network, self.store.model_path, record) if self.store is not None else old.path
        else:
            record, path = base_record, self.base_path
            if self.store is not None:
                self.store.model_path.unlink(missing_ok=True)
        self.recognizer = Recognizer(network, path, record, old.unsure_below, old.none_below, old.weak_below)


def base_model(recorded) -> Path:
    """The model a personal model was learned from: the one recorded when it is still there, else the
    shipped model (the one recorded, or one gone since, as after a new install)."""
    try:
        if isinstance(recorded, str) and Path(recorded).is_file():
            return Path(recorded)
    except (OSError, ValueError):  # a name too long, a folder we may not look in, a NUL byte
        pass
    return default_model_path()
