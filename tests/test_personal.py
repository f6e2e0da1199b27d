"""digitapp.personal and Recognizer.learn: the samples store, the replay set, learning, undo, forget."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_naming, listing
from digitapp import personal
from digitapp.model_io import ModelError, default_model_path, network_from, read_model_file, save_model
from digitapp.network import Network
from digitapp.personal import Learner, Sample, SampleStore, StoreError, nearest_other_digits, open_recognizer
from digitapp.recognizer import Recognizer
from digitapp.strokes import render_strokes
from harness.shapes import on_canvas
from harness.styles import draw_style


def hard_six():
    """A 6 with a round, open stem that the shipped model reads as a 5 (found with bench.styles' drawings)."""
    return [s.tolist() for s in draw_style("6-round-open", np.random.default_rng(34))]


def sample(label=3, seed=0, strokes=True) -> Sample:
    x = np.random.default_rng(seed).random((784, 1)).astype(np.float32)
    return Sample.new(label, x, [[(1, 2), (3.5, 4)]] if strokes else None)


@pytest.fixture
def recognizer(user_dir):
    """The shipped model with a store in this test's own user data directory."""
    return open_recognizer()[0]


# -- samples and the store ---------------------------------------------------------------------------

@pytest.mark.parametrize("strokes", [True, False], ids=["drawn", "image"])
def test_sample_json_round_trip(strokes):
    s = sample(7, strokes=strokes)
    back = Sample.from_json(json.loads(json.dumps(s.to_json())))
    assert (back.label, back.id, back.time, back.strokes) == (s.label, s.id, s.time, s.strokes)
    np.testing.assert_array_equal(back.input, s.input)
    assert back.input.dtype == np.uint8 and back.input.shape == (28, 28)


@pytest.mark.parametrize("change, why", [
    ({"label": 10}, "0 to 9"), ({"label": "3"}, "0 to 9"), ({"label": True}, "0 to 9"),
    ({"input": [0] * 783}, "pixels"), ({"input": [256] * 784}, "pixels"), ({"input": "x"}, "pixels"),
    ({"strokes": [[["a", 1]]]}, "strokes"), ({"strokes": [[[1]]]}, "strokes"), ({"strokes": 5}, "strokes"),
    ({"id": ""}, "id"), ({"id": 5}, "id"),
])
def test_sample_from_json_refuses_bad_data(change, why):
    data = {**sample().to_json(), **change}
    with pytest.raises(ValueError, match=why):
        Sample.from_json(data)


def test_store_round_trip_relabel_remove_clear(user_dir):
    store = SampleStore()
    assert store.folder == user_dir and store.load() == []
    a, b = sample(1, 1), sample(2, 2, strokes=False)
    assert [s.id for s in store.add(a)] == [a.id]
    assert [s.id for s in store.add(b, a)] == [a.id, b.id]  # a known id is not added twice
    raw = json.loads(store.path.read_text())
    assert raw["format"] == "digitapp-samples" and raw["samples"][1]["strokes"] is None
    assert [s.label for s in store.update(lambda samples: personal.relabelled(samples, b.id, 5))] == [1, 5]
    assert [s.id for s in store.update(lambda samples: personal.without(samples, a.id))] == [b.id]
    save_model(Network([784, 3, 10], seed=0), store.model_path)
    assert set(store.clear()) == {store.path, store.model_path}
    assert listing(user_dir) == []


def test_two_windows_adding_at_once_keep_both_samples(user_dir):
    first, second = SampleStore(), SampleStore()
    first.add(sample(1, 1))
    second.add(sample(2, 2))
    assert [s.label for s in first.load()] == [1, 2]
    assert listing(user_dir) == [personal.SAMPLES_NAME]  # no temporary files left behind


@pytest.mark.slow
def test_two_processes_writing_at_once_never_leave_a_broken_file(user_dir):
    """Two writers (as two windows would be) add samples as fast as they can while a reader reads:
    every read sees a complete file, and the end result is a valid store."""
    import subprocess
    import sys

    writer = ("import numpy as np; from digitapp.personal import Sample, SampleStore\n"
              "for k in range(15): SampleStore().add(Sample.new(k % 10, np.zeros((784, 1))))")
    procs = [subprocess.Popen([sys.executable, "-c", writer]) for _ in range(2)]
    reads = 0
    while any(p.poll() is None for p in procs):
        SampleStore().load()  # raises StoreError on a half-written file
        reads += 1
    assert all(p.returncode == 0 for p in procs)
    assert 15 <= len(SampleStore().load()) <= 30 and reads > 0
    assert listing(user_dir) == [personal.SAMPLES_NAME]


@pytest.mark.parametrize("content, why", [
    (b'{"format": "digitapp-samples", "version": 1, "samples": [', "corrupt or truncated"),
    (b"\x80\x04K\x01.", "corrupt or truncated"),
    (b'{"format": "other", "samples": []}', "not a digitapp samples file"),
    (b'{"format": "digitapp-samples", "version": 9, "samples": []}', "version"),
    (b'{"format": "digitapp-samples", "version": 1, "samples": [{"label": 3}]}', "input"),
    (b"[" * 100_000 + b"]" * 100_000, "corrupt or truncated"),
], ids=["truncated", "pickle", "other-format", "version", "bad-sample", "deep"])
def test_bad_samples_files_are_one_line_errors(tmp_path, content, why):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as err:
        personal.read_samples(path)
    assert_one_line_naming(err.value, path, why)


def test_a_point_too_large_for_a_float_is_a_one_line_error(tmp_path):
    path = tmp_path / "s.json"
    sample = Sample.new(3, np.zeros((28, 28)), [[(1, 2)]]).to_json()
    sample["strokes"] = [[[10 ** 400, 5]]]
    path.write_text(json.dumps({"format": "digitapp-samples", "version": 1, "samples": [sample]}))
    with pytest.raises(StoreError) as err:
        personal.read_samples(path)
    assert_one_line_naming(err.value, path, "strokes")


def test_a_directory_is_not_a_samples_file(tmp_path):
    with pytest.raises(StoreError, match="directory"):
        personal.read_samples(tmp_path)


# -- starting with the personal model -----------------------------------------------------------------

def test_start_without_samples_uses_the_shipped_model(recognizer, user_dir):
    assert recognizer.is_shipped and not recognizer.is_personal and recognizer.personal_samples == 0
    assert recognizer.store.folder == user_dir


def test_corrupt_samples_file_is_moved_aside_and_the_shipped_model_answers(user_dir, recognizer):
    recognizer.learn_strokes(on_canvas(3), 3)
    store = recognizer.store
    store.path.write_bytes(b'{"format": "digitapp-samples", "vers')
    trained = store.model_path.read_bytes()
    again, warnings = open_recognizer()
    assert again.is_shipped and again.learner.samples == []
    assert len(warnings) == 2
    assert_one_line_naming(warnings[0], store.path, "moved it to", "shipped model")
    assert_one_line_naming(warnings[1], store.model_path, "moved it to")
    aside = [name for name in listing(user_dir) if name.startswith(personal.SAMPLES_NAME + ".bad-")]
    assert len(aside) == 1 and not store.path.exists()
    assert (user_dir / aside[0]).read_bytes() == b'{"format": "digitapp-samples", "vers'  # kept, not deleted
    again.learn_strokes(on_canvas(5), 5)  # the personal model trained on those samples is not overwritten
    (model_aside,) = [name for name in listing(user_dir) if name.startswith(personal.PERSONAL_MODEL_NAME + ".bad-")]
    assert (user_dir / model_aside).read_bytes() == trained


@pytest.mark.parametrize("base", ["an old install/digit_model.pkl", "x" * 5000, 42, "a\0b"],
                         ids=["moved", "name-too-long", "not-a-string", "nul-byte"])
@pytest.mark.slow
def test_a_personal_model_whose_base_model_is_gone_relearns_from_the_shipped_model(user_dir, recognizer, base):
    recognizer.learn_strokes(on_canvas(3), 3)
    data = read_model_file(recognizer.store.model_path)
    data["record"]["personal"]["base_model"] = str(user_dir / base) if base == "an old install/digit_model.pkl" else base
    save_model(network_from(data), recognizer.store.model_path, record=data["record"])
    again, warnings = open_recognizer()
    assert again.is_personal and warnings == [] and again.base_path == default_model_path()
    again.forget()
    assert again.is_shipped


def test_a_samples_file_that_cannot_be_read_is_not_set_aside(user_dir, recognizer, monkeypatch):
    recognizer.learn_strokes(on_canvas(3), 3)

    def denied(path, max_bytes):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(personal, "read_regular_file", denied)
    with pytest.raises(personal.UnreadableStore) as err:
        open_recognizer()
    assert_one_line_naming(err.value, recognizer.store.path, "permission denied")
    assert sorted(listing(user_dir)) == [personal.SAMPLES_NAME, personal.PERSONAL_MODEL_NAME]


def test_corrupt_personal_model_is_moved_aside_and_the_shipped_model_answers(user_dir, recognizer):
    recognizer.learn_strokes(on_canvas(3), 3)
    recognizer.store.model_path.write_bytes(b"garbage")
    again, warnings = open_recognizer()
    assert again.is_shipped and len(again.learner.samples) == 1  # the samples are still there
    assert_one_line_naming(warnings[0], recognizer.store.model_path, "moved it to")
    assert any(name.startswith(personal.PERSONAL_MODEL_NAME + ".bad-") for name in listing(user_dir))


@pytest.mark.slow
def test_the_personal_model_answers_at_start_and_says_so(recognizer):
    recognizer.learn_strokes(hard_six(), 6)
    recognizer.learn_strokes(on_canvas(4), 4)
    again, warnings = open_recognizer()
    assert warnings == [] and again.is_personal and not again.is_shipped
    assert again.path == again.store.model_path and again.personal_samples == 2
    assert again.describe().startswith("personalised, trained on 2 of your digits, from shipped model")
    assert again.model_info()["personal_samples"] == 2
    for a, b in zip(again.network.weights, recognizer.network.weights):
        np.testing.assert_array_equal(a, b)
    assert again.predict_strokes(hard_six()).digit == 6


def test_model_option_wins_over_the_personal_model(recognizer, tmp_path):
    recognizer.learn_strokes(on_canvas(4), 4)
    other = save_model(Network([784, 5, 10], seed=1), tmp_path / "other.pkl")
    chosen, _ = open_recognizer(other)
    assert chosen.path == other and not chosen.is_personal and len(chosen.learner.samples) == 1
    with pytest.raises(ModelError):
        open_recognizer(tmp_path / "missing.pkl")


# -- learning ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_learn_strokes_corrects_a_wrong_answer_and_keeps_it(recognizer):
    drawing = hard_six()
    assert recognizer.predict_strokes(drawing).digit != 6
    prediction = recognizer.learn_strokes(drawing, 6)
    assert prediction.digit == 6 and prediction.is_sure  # learned until the app is sure of it
    np.testing.assert_array_equal(prediction.probabilities, recognizer.predict_strokes(drawing).probabilities)
    (stored,) = recognizer.store.load()
    assert stored.label == 6 and stored.strokes == tuple(tuple(map(tuple, s)) for s in drawing)
    record = read_model_file(recognizer.store.model_path)["record"]
    assert record["personal"] == {"base_model": str(default_model_path()), "samples": 1}
    assert record["test_accuracy"] == Recognizer.load().record["test_accuracy"]  # the base model's record


@pytest.mark.slow
def test_learn_from_an_image(recognizer):
    image = render_strokes(hard_six(), (320, 320), 18)
    assert recognizer.predict(image).digit != 6
    assert recognizer.learn(image, 6).digit == 6
    assert recognizer.store.load()[0].strokes is None


@pytest.mark.parametrize("args", [([], 3), ([[(5, 5)]], 10), ([[(5, 5)]], -1)], ids=["blank", "ten", "negative"])
def test_learn_refuses_a_blank_drawing_or_a_bad_label(recognizer, args):
    with pytest.raises(ValueError):
        recognizer.learn_strokes(*args)
    assert recognizer.store.load() == [] and not recognizer.is_personal


@pytest.mark.slow
def test_learning_leaves_the_network_it_was_given_untouched():
    network = Recognizer.load().network
    before = [w.copy() for w in network.weights]
    learner = Learner(seed=0)
    trained = learner.learn(network, Sample.new(9, np.ones((784, 1)) * 0.5))
    assert trained is not network and len(learner.samples) == 1
    for w, b in zip(network.weights, before):
        np.testing.assert_array_equal(w, b)
    assert any(not np.array_equal(w, t) for w, t in zip(network.weights, trained.weights))


@pytest.mark.slow
def test_undo_removes_the_sample_and_its_effect(recognizer):
    recognizer.learn_strokes(on_canvas(4), 4)
    after_first = [w.copy() for w in recognizer.network.weights]
    drawing = hard_six()
    wrong = recognizer.predict_strokes(drawing)
    recognizer.learn_strokes(drawing, 6)
    assert recognizer.undo_learning()
    for w, b in zip(recognizer.network.weights, after_first):
        np.testing.assert_array_equal(w, b)
    np.testing.assert_allclose(recognizer.predict_strokes(drawing).probabilities, wrong.probabilities)
    assert [s.label for s in recognizer.store.load()] == [4] and recognizer.personal_samples == 1
    assert not recognizer.undo_learning()  # only the last correction, once


@pytest.mark.slow
def test_undo_of_the_only_correction_goes_back_to_the_shipped_model(recognizer):
    recognizer.learn_strokes(hard_six(), 6)
    assert recognizer.undo_learning()
    assert recognizer.is_shipped and recognizer.path == default_model_path()
    assert not recognizer.store.model_path.exists() and recognizer.store.load() == []


@pytest.mark.slow
def test_forget_goes_back_to_the_shipped_model(recognizer, user_dir):
    shipped = Recognizer.load().network
    recognizer.learn_strokes(hard_six(), 6)
    recognizer.forget()
    assert recognizer.is_shipped and recognizer.personal_samples == 0 and listing(user_dir) == []
    for w, b in zip(recognizer.network.weights, shipped.weights):
        np.testing.assert_array_equal(w, b)
    assert not open_recognizer()[0].is_personal


@pytest.mark.slow
def test_delete_and_relabel_relearn_from_the_base(recognizer):
    nine, four = hard_six(), on_canvas(4)
    recognizer.learn_strokes(nine, 6)
    recognizer.learn_strokes(four, 4)
    first, second = recognizer.store.load()
    recognizer.delete_sample(first.id)
    assert [s.id for s in recognizer.store.load()] == [second.id] and recognizer.personal_samples == 1
    assert recognizer.predict_strokes(nine).digit != 6  # its effect is gone
    recognizer.relabel_sample(second.id, 7)
    assert [s.label for s in recognizer.store.load()] == [7]
    assert recognizer.predict_strokes(four).digit == 7
    recognizer.delete_sample(second.id)
    assert recognizer.is_shipped and not recognizer.store.model_path.exists()


@pytest.mark.slow
def test_a_learned_six_stays_six_after_other_corrections(recognizer):
    nine = hard_six()
    recognizer.learn_strokes(nine, 6)
    for d in (4, 7, 1, 3, 5):
        recognizer.learn_strokes(on_canvas(d), d)
    assert recognizer.predict_strokes(nine).digit == 6


@pytest.mark.slow
def test_in_memory_learning_needs_no_store():
    recognizer = Recognizer.load()
    assert recognizer.store is None
    assert recognizer.learn_strokes(hard_six(), 6).digit == 6
    assert recognizer.is_personal and recognizer.personal_samples == 1 and recognizer.path == default_model_path()


@pytest.mark.slow
def test_in_memory_relabel_and_delete_need_no_store():
    recognizer, four = Recognizer.load(), on_canvas(4)
    recognizer.learn_strokes(four, 4)
    sample_id = recognizer.learner.samples[0].id
    recognizer.relabel_sample(sample_id, 7)
    assert [s.label for s in recognizer.learner.samples] == [7] and recognizer.predict_strokes(four).digit == 7
    recognizer.delete_sample(sample_id)
    assert recognizer.learner.samples == [] and recognizer.is_shipped


# -- the replay set -----------------------------------------------------------------------------------

def test_the_shipped_replay_set_is_uint8_mnist_like_and_balanced():
    images, labels = personal.load_replay()
    assert images.dtype == np.uint8 and images.shape[1] == 784 and 1000 <= len(images) <= 10_000
    assert np.bincount(labels, minlength=10).min() >= len(images) // 20
    assert personal.replay_path().stat().st_size < 5e6
    assert (images.reshape(-1, 28, 28)[:, :, :2] == 0).mean() > 0.95  # preprocessed: ink in the middle
    accuracy = Recognizer.load().network.evaluate((images * np.float32(1 / 255), labels)) / len(labels)
    assert accuracy > 0.97  # digits the shipped model was trained on, labelled right


def test_the_replayed_neighbours_are_the_nearest_digits_of_other_labels():
    images, labels = personal.load_replay()
    x = images[:1] * np.float32(1 / 255)
    near = nearest_other_digits(images, labels, x, int(labels[0]), 64)
    assert len(near) == 64 and (labels[near] != labels[0]).all()
    distance = np.square(images * np.float32(1 / 255) - x).sum(axis=1)
    others = np.setdiff1d(np.flatnonzero(labels != labels[0]), near)
    assert (np.diff(distance[near]) >= 0).all() and distance[others].min() >= distance[near].max()


def test_a_replay_set_with_objects_is_refused(tmp_path):
    path = tmp_path / "hostile.npz"
    np.savez(path, images=np.array([object()], dtype=object), labels=np.zeros(1, np.uint8))
    with pytest.raises(StoreError) as err:
        personal.load_replay(path)
    assert_one_line_naming(err.value, path, "reinstall")
    with pytest.raises(StoreError, match="missing"):
        personal.load_replay(tmp_path / "none.npz")
    np.savez(path, images=np.zeros((3, 10), np.uint8), labels=np.zeros(3, np.uint8))
    with pytest.raises(StoreError, match="shapes"):
        personal.load_replay(path)


def test_images_opened_from_files_can_be_learned_as_numpy_arrays(recognizer):
    array = np.asarray(render_strokes(on_canvas(7), (320, 320), 20))
    assert recognizer.learn(array, 7).digit == 7
    assert Image.fromarray(recognizer.store.load()[0].input).size == (28, 28)
