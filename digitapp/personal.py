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

Who may touch the user's files: only a PersonalModel with a store, and only
holding the store's lock (:meth:`SampleStore.locked`, an OS lock, so other
windows and ``digitapp my-digits`` wait their turn).  Under the lock it first
catches up with what others wrote, then writes the samples and the personal
model; the model's record lists the ids of the samples it learned, so a
process killed between the two writes leaves files that say what happened.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .imagefile import ImageLike
from .ink import Ink
from .learning import Learner, Recipe, misread, replay_path
from .model_io import ModelError, UnreadableModel, default_model_path, network_from, read_model_file, save_model
from .network import Network
from .preprocess import strokes_input
from .recognizer import Prediction, Recognizer
from .samples import NO_DIGIT, Sample, SampleStore, check_label, relabelled, set_aside, without
from .strokes import clean_strokes


#: Up to this many samples the saved model has not learned are learned one by one, as corrections; more
#: (an import killed half-way) are learned all together (Learner.relearn, from the saved model).
CATCH_UP_ONE_BY_ONE = 3


class PersonalModel:
    """The answering model plus what it learned from the user.

    ``store`` keeps samples and the personal model on disk (None: learning
    stays in memory, as in tests and the CI's check).  ``base_path`` is the
    model learning starts from: what Forget goes back to and what relearning
    after a delete or relabel starts from.
    """

    def __init__(self, recognizer: Recognizer, store: SampleStore | None = None, samples=(),
                 base_path: Path | None = None, learner: Learner | None = None, *, blocked: str | None = None):
        self.recognizer = recognizer
        self.store = store
        self.learner = learner if learner is not None else Learner(samples)
        self.base_path = Path(base_path) if base_path is not None else recognizer.path
        self.blocked = blocked  # why nothing may be learned (a personal model we may not read and must not replace)
        self._undo: tuple[Recognizer, str] | None = None  # the answer before the last correction, its sample
        self._seen = None  # the files as we last read or wrote them: None, so the first change catches up

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
        seen = store.stamp()  # before reading: a write meanwhile makes the first change catch up
        samples, warnings = store.load_or_set_aside("starting without your samples"
                                                    + (" and with the shipped model" if model is None else ""))
        blocked = None
        if model is None and store.model_path.is_file():
            try:
                recognizer, base = _personal_recognizer(read_model_file(store.model_path), store.model_path)
                personal = cls(recognizer, store, samples, base_path=base)
                unlearned = len(samples) - len(set(learned_ids(recognizer.record, samples)) & {s.id for s in samples})
                if unlearned > 0:
                    warnings.append(f"{unlearned} of your samples are not learned yet (the app stopped while "
                                    "learning); your next correction learns them")
                else:  # what was just read is all there is: the first change need not read it again
                    personal._seen = seen
                return personal, warnings
            except UnreadableModel as err:  # it may be fine: leave it, and do not replace it
                blocked = f"{err.args[0].split('; ')[0]}; fix its permissions or delete it to learn again"
                warnings.append(f"{blocked}; starting with the shipped model")
            except ModelError as err:
                warnings.append(set_aside(store.model_path, err, "starting with the shipped model"))
        if model is not None:  # another model answers: learning stays in memory, the personal model is kept
            return cls(Recognizer.load(model), None, samples), warnings
        personal = cls(Recognizer.load(model), store, samples, blocked=blocked)
        if not samples:  # nothing stored to catch up with
            personal._seen = seen
        return personal, warnings

    @property
    def samples(self) -> list[Sample]:
        """The user's samples so far (stored, or learned in memory)."""
        return self.learner.samples

    # -- learning ---------------------------------------------------------------------------------

    def learn(self, image: ImageLike, digit: int, ink: Ink = None) -> Prediction:
        """Learn that ``image`` (what Recognizer.predict takes) shows ``digit``; returns the new Prediction.
        ``digit`` NO_DIGIT (-1) teaches that it is no digit at all.

        Raises ValueError for a blank image or a label that is neither 0-9 nor NO_DIGIT.
        """
        return self.learn_input(self.recognizer.input_for(image, ink)[0], digit)  # the input predict() reads

    def learn_strokes(self, strokes, digit: int) -> Prediction:
        """Learn that mouse ``strokes`` (what Recognizer.predict_strokes takes) show ``digit``."""
        strokes = [s for s in clean_strokes(strokes) if s]
        return self.learn_input(strokes_input(strokes, checked=True), digit, strokes)

    def learn_input(self, x: np.ndarray | None, digit: int, strokes=None) -> Prediction:
        """Learn a preprocessed input as ``digit``: a new network learns it, with replay of MNIST and of
        the user's earlier samples, and answers from now on; kept on disk when there is a store."""
        if x is None:
            raise ValueError("nothing to learn: the drawing is blank")
        sample = Sample.new(digit, x, strokes)
        with self._owning():
            before = self.recognizer
            network = self.learner.learn(before.network, sample)
            self._become(network)
            self._undo = (before, sample.id)
        return self.recognizer.predict_input(x)

    def undo(self) -> bool:
        """Take back the last correction: its sample and its effect (the network from before it)."""
        if self._undo is None:
            return False
        undo = self._undo  # a catch-up forgets it; a failure puts it back
        with self._owning() as changed_elsewhere:
            before, sample_id = undo
            self._undo = None
            if changed_elsewhere:  # the model from before is stale: relearn without the sample instead
                self._relearn(lambda samples: without(samples, sample_id))
            else:
                self.learner.samples = without(self.samples, sample_id)
                self._become(before.network, learned=bool(self.samples))
        return True

    def forget(self) -> None:
        """Back to the model the learning started from: samples and personal model deleted."""
        base = self._base_network()  # first: when it cannot be loaded, nothing is deleted
        with self._owning(catch_up=False):
            self.learner.samples = []
            self._undo = None
            if self.store is not None:
                self.store.clear()
            self._become(base, learned=False)

    def delete(self, sample_id: str) -> list[Sample]:
        """Delete one stored sample and its effect: the model learns to answer its drawing as the base model
        does, every other sample still read right (Learner.forget).  Returns the samples it reads wrong when
        its steps ran out (none, unless some contradict others), so the caller can say so."""
        with self._owning():
            self._undo = None
            base = self._base_network()
            network = self.learner.forget(self.recognizer.network, base, sample_id)
            self._become(network if self.samples else base, learned=bool(self.samples))
        return self.misread()

    def relabel(self, sample_id: str, digit: int) -> list[Sample]:
        """Give a stored sample another label (0-9, or NO_DIGIT): the model learns it as a correction.  The last
        correction (the one undo would take back) is learned again from the model before it, so a wrong key
        leaves no trace; afterwards there is nothing to undo.  Returns what is not read right when its steps
        ran out, so the caller can say so: the relabelled sample if the app does not answer it sure, and the
        others it reads wrong."""
        digit = check_label(digit)
        with self._owning():
            undo, self._undo = self._undo, None
            if undo is not None and undo[1] == sample_id:  # the last correction, a wrong key: learned again
                before = undo[0]                            # from the model before it, as if the key were right
                (changed,) = [s for s in relabelled(self.samples, sample_id, digit) if s.id == sample_id]
                self.learner.samples = without(self.samples, sample_id)
                self._become(self.learner.learn(before.network, changed))
            else:
                self._become(self.learner.relabel(self.recognizer.network, sample_id, digit))
        return self.misread(sure=sample_id)

    def add_samples(self, new, progress: Callable[[int, int], None] | None = None) -> int:
        """Add samples made elsewhere (``my-digits import``); ids already stored are skipped, and the model
        learns the new ones (``progress(done, total)`` hears of them, a group at a time).  Returns how many
        were new."""
        new = [Sample.from_json(s.to_json()) for s in new]  # the reader's checks: nothing it would refuse is kept
        with self._owning():
            known = {s.id for s in self.samples}
            fresh = [s for s in new if s.id not in known]
            if fresh:  # the model learns the new ones, after those it has learned
                start = len(self.samples)
                self.learner.samples = [*self.samples, *fresh]
                self._undo = None
                self._become(self.learner.relearn(self.recognizer.network, progress, start))
        return len(fresh)

    def relearn(self) -> list[Sample]:
        """The base model relearns every sample (after samples were imported or changed elsewhere).  Returns
        the samples it still reads wrong when its steps ran out (none, unless some contradict others)."""
        with self._owning(catch_up=False):
            return self._relearn(lambda samples: self.store.load() if self.store is not None else samples)

    def _relearn(self, change, progress: Callable[[int, int], None] | None = None) -> list[Sample]:
        """The samples become ``change(samples)``; the base model relearns them all; returns those it still
        reads wrong."""
        self.learner.samples = change(self.samples)
        self._undo = None
        network = self.learner.relearn(self._base_network(), progress) if self.samples else self._base_network()
        self._become(network, learned=bool(self.samples))
        return self.misread()

    def misread(self, sure: str | None = None) -> list[Sample]:
        """The samples the answering model reads wrong, and the one of id ``sure`` if the app does not answer it
        sure: none after learning, unless the steps ran out (samples that contradict each other)."""
        r = self.recognizer
        must_be_sure = np.array([s.id == sure for s in self.samples])
        return misread(r.network, self.samples, must_be_sure, Recipe(sure=r.unsure_below, strong=r.weak_below))

    @contextmanager
    def _owning(self, catch_up: bool = True) -> Iterator[bool]:
        """Around every change: with a store, hold its lock and first catch up with what others wrote
        (yields whether they had); after it, remember the files as written."""
        if self.blocked:
            raise ModelError(self.blocked)
        if self.store is None:
            yield False
            return
        with self.store.locked():
            before = self.recognizer, self.learner.samples, self._undo
            try:
                changed = self.store.stamp() != self._seen
                if changed and catch_up:
                    self._catch_up()
                yield changed
            except BaseException:  # a failed write or learn: memory goes back to what is on disk
                self.recognizer, self.learner.samples, self._undo = before
                self._seen = None  # and the next change catches up with the files as they are
                raise
            self._seen = self.store.stamp()

    def _catch_up(self) -> None:
        """Adopt the samples and the personal model as stored (another window's, a command's, or what a
        process killed mid-way left), and learn the samples that model has not learned."""
        samples = self.store.load()
        ids = {s.id for s in samples}
        if self.store.model_path.is_file():
            recognizer, _ = _personal_recognizer(read_model_file(self.store.model_path), self.store.model_path)
            learned = learned_ids(recognizer.record, samples)
            network = recognizer.network
        else:
            learned, network = [], self._base_network()
        if not set(learned) <= ids:  # it learned samples deleted since: only relearning undoes that
            learned, network = [], self._base_network()
        done = set(learned)
        self.learner.samples = [s for s in samples if s.id in done]
        missing = [s for s in samples if s.id not in done]
        if len(missing) > CATCH_UP_ONE_BY_ONE:  # many (a command killed mid-import): in groups, from that model
            start = len(self.learner.samples)
            self.learner.samples = [*self.learner.samples, *missing]
            network = self.learner.relearn(network, start=start)
        else:
            for sample in missing:
                network = self.learner.learn(network, sample)
        self._undo = None
        self._become(network, learned=bool(samples), save=bool(missing))

    def _base_network(self) -> Network:
        return network_from(read_model_file(self.base_path or default_model_path()))

    def _become(self, network: Network, learned: bool = True, save: bool = True) -> None:
        """Answer with ``network`` from now on: recorded (and with a store, saved after the samples) as
        personal, or as the base model again when nothing is learned."""
        old = self.recognizer
        base_record = {k: v for k, v in old.record.items() if k != "personal"}
        if learned:
            record = {**base_record, "personal": {"base_model": str(self.base_path) if self.base_path else None,
                                                  "samples": len(self.samples),
                                                  "not_digits": sum(s.label == NO_DIGIT for s in self.samples),
                                                  "learned": [s.id for s in self.samples]}}
            path = old.path
            if self.store is not None:
                if save:
                    self.store.save(self.samples)
                    save_model(network, self.store.model_path, record)
                path = self.store.model_path
        else:
            record, path = base_record, self.base_path
            if self.store is not None and save:
                self.store.save(self.samples)
                self.store.model_path.unlink(missing_ok=True)
        self.recognizer = Recognizer(network, path, record, old.unsure_below, old.none_below, old.weak_below)


def own_files(store: SampleStore | None = None) -> list[Path]:
    """The files the app keeps and no output may replace: the user's samples, personal model and lock, and
    the shipped model and replay set."""
    store = store if store is not None else SampleStore()
    return [store.path, store.model_path, store.lock_path, default_model_path(), replay_path()]


def _personal_recognizer(data: dict, path: Path) -> tuple[Recognizer, Path]:
    """The Recognizer of a personal model file's contents, and the model it was learned from."""
    personal = data["record"].get("personal")
    personal = personal if isinstance(personal, dict) else {}
    base = base_model(personal.get("base_model"))
    record = {**data["record"], "personal": {**personal, "base_model": str(base)}}
    return Recognizer(network_from(data), path, record), base


def learned_ids(record: dict, samples) -> list[str]:
    """The ids of the samples a personal model learned: as its record lists them, or, for a model
    saved before records listed them, the first ``samples`` of the stored samples."""
    personal = record.get("personal")
    personal = personal if isinstance(personal, dict) else {}
    listed = personal.get("learned")
    if isinstance(listed, list) and all(isinstance(i, str) for i in listed):
        return listed
    count = personal.get("samples")
    count = count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 0
    return [s.id for s in samples[:count]]


def base_model(recorded) -> Path:
    """The model a personal model was learned from: the one recorded when it is still there, else the
    shipped model (the one recorded, or one gone since, as after a new install)."""
    try:
        if isinstance(recorded, str) and Path(recorded).is_file():
            return Path(recorded)
    except (OSError, ValueError):  # a name too long, a folder we may not look in, a NUL byte
        pass
    return default_model_path()
