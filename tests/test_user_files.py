"""Hostile and unlucky cases for the user's own files, strokes and pictures (hardening, round two).

Each class of defect found by the second red team gets a case here: several
run in processes of their own under the corpus's memory cap and a timeout,
two at once, or killed at a chosen point, as a user's second window, a
script or a crash would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_naming, listing
from digitapp import model_io, samples
from digitapp.model_io import ModelError, read_model_file
from digitapp.personal import PersonalModel
from digitapp.recognizer import Recognizer
from digitapp.samples import Sample, SampleStore, StoreError
from digitapp.strokes import KEPT_POINTS, StrokeError
from harness.shapes import on_canvas
from hostile import ROOT, capped

SECONDS = 120  # for a process that learns a few samples; a hang is a failure, not a slow test


def python(code: str, env: dict | None = None, timeout: float = SECONDS, wait: bool = True):
    """``code`` in a fresh Python under the corpus's memory cap (the test's user data directory is
    inherited through DIGITAPP_USER_DIR); the finished process, or the running one with ``wait=False``."""
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), **(env or {})}
    argv = [sys.executable, "-c", code]
    if not wait:
        return subprocess.Popen(argv, cwd=ROOT, env=environment, preexec_fn=capped, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(argv, cwd=ROOT, env=environment, preexec_fn=capped, capture_output=True, text=True,
                          timeout=timeout)


LEARN = """
import sys
from digitapp.personal import PersonalModel
from harness.shapes import on_canvas
me = PersonalModel.open()[0]
for d in map(int, sys.argv[1:] or {digits!r}):
    me.learn_strokes(on_canvas(d), d)
print(len(me.samples))
"""


# ---------------------------------------------------------------- strokes and pictures (classes 1-3)

@pytest.mark.parametrize("strokes", [[[(1, 2), (float("nan"), 3)]], [[(0, 0), (1e300, 1)]],
                                     [[(0, 0), (1e6, 1e6)]], [[(1, 1)]] * 10_000],
                         ids=["nan", "huge", "wide", "10k-one-point-strokes"])
def test_strokes_no_drawing_could_be_are_one_line_errors_everywhere(strokes):
    recognizer, me = Recognizer.load(), PersonalModel(Recognizer.load())
    for call in (recognizer.read_strokes, recognizer.predict_strokes, lambda s: me.learn_strokes(s, 3)):
        with pytest.raises(StrokeError) as err:
            call(strokes)
        assert "\n" not in str(err.value)
    assert me.samples == []


@pytest.mark.slow
def test_a_million_points_read_in_a_capped_process_within_seconds():
    done = python("import time, numpy as np; from digitapp.recognizer import Recognizer\n"
                  "r = Recognizer.load(); t = np.linspace(0, 6.283, 1_000_000)\n"
                  "ring = np.stack([150 + 100 * np.cos(t), 150 + 140 * np.sin(t)], 1).tolist()\n"
                  "started = time.perf_counter(); reading = r.read_strokes([ring])\n"
                  "print(reading.text, time.perf_counter() - started)", timeout=60)
    assert done.returncode == 0, done.stderr
    text, seconds = done.stdout.split()
    assert text == "0" and float(seconds) < 10


@pytest.mark.slow
@pytest.mark.parametrize("shape", [(300, 1), (2, 1000), (8, 2000), (1, 40_000), (1, 1), (2, 2)])
def test_a_picture_of_any_shape_is_read(tmp_path, shape):
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    path = tmp_path / "thin.png"
    Image.fromarray(pixels).save(path)
    Recognizer.load().read(path)  # no error is the point: noise may read as anything, or nothing
    done = python(f"from digitapp.cli import main; raise SystemExit(main(['predict', {str(path)!r}]))")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["uint16", "float32", "int32"])
def test_a_40_megapixel_deep_picture_stays_under_the_memory_cap(tmp_path, kind):
    rows, columns = 5000, 8000
    if kind == "uint16":
        pixels = np.full((rows, columns), 60000, np.uint16)
        pixels[2000:3000, 3900:4100] = 1000
        path = tmp_path / "deep.png"
    else:
        pixels = np.full((rows, columns), 900, np.dtype(kind))
        pixels[2000:3000, 3900:4100] = 10
        path = tmp_path / "deep.tif"
    Image.fromarray(pixels).save(path)
    done = python(f"from digitapp.cli import main; raise SystemExit(main(['predict', {str(path)!r}]))", timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{path}: 1 "), done.stdout  # a dark bar on light paper


# ---------------------------------------------------------------- the samples and the personal model (4-12)

@pytest.mark.slow
def test_two_processes_learning_at_once_lose_nothing(user_dir):
    first, second = (python(LEARN.format(digits=[3, 4, 5]), wait=False),
                     python(LEARN.format(digits=[6, 7, 8]), wait=False))
    for process in (first, second):
        out, err = process.communicate(timeout=SECONDS)
        assert process.returncode == 0, err
    stored = SampleStore().load()
    assert sorted(s.label for s in stored) == [3, 4, 5, 6, 7, 8]
    record = read_model_file(SampleStore().model_path)["record"]
    assert sorted(record["personal"]["learned"]) == sorted(s.id for s in stored)


@pytest.mark.slow
def test_two_imports_at_once_keep_both_sets(user_dir, tmp_path):
    files = []
    for k, digits in enumerate(([1, 2, 3], [4, 5, 6])):
        path = tmp_path / f"mine{k}.json"
        samples.write_samples([Sample.new(d, np.full((784, 1), 0.1 * d)) for d in digits], path)
        files.append(path)
    code = "from digitapp.cli import main; import sys; raise SystemExit(main(['my-digits', 'import', sys.argv[1]]))"
    processes = [subprocess.Popen([sys.executable, "-c", code, str(f)], cwd=ROOT, preexec_fn=capped, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for f in files]
    for process in processes:
        out, err = process.communicate(timeout=SECONDS)
        assert process.returncode == 0 and "imported 3 new samples of 3" in out, err
    assert sorted(s.label for s in SampleStore().load()) == [1, 2, 3, 4, 5, 6]


@pytest.mark.slow
def test_a_clear_during_a_learn_is_not_undone(user_dir):
    slow = ("import time; from digitapp import learning\n"
            "real = learning.Learner.learn\n"
            "def slow(self, network, sample):\n"
            "    print('learning', flush=True); time.sleep(2); return real(self, network, sample)\n"
            "learning.Learner.learn = slow\n") + LEARN.format(digits=[3])
    learner = python(slow, wait=False)
    assert learner.stdout.readline().strip() == "learning"
    clear = python("from digitapp.cli import main; raise SystemExit(main(['my-digits', 'clear', '--yes']))")
    out, err = learner.communicate(timeout=SECONDS)
    assert learner.returncode == 0 and clear.returncode == 0, (err, clear.stderr)
    assert "deleted 1 samples" in clear.stdout  # it waited for the learn, then deleted what it wrote
    assert listing(user_dir) == [samples.LOCK_NAME]


@pytest.mark.slow
def test_killed_between_the_samples_and_the_model_the_files_still_say_what_happened(user_dir):
    killed = ("import os, signal; from digitapp import personal\n"
              "real, calls = personal.save_model, []\n"
              "def dying(*args, **kwargs):\n"
              "    calls.append(1)\n"
              "    if len(calls) == 2: os.kill(os.getpid(), signal.SIGKILL)\n"
              "    return real(*args, **kwargs)\n"
              "personal.save_model = dying\n") + LEARN.format(digits=[4, 7])
    done = python(killed)
    assert done.returncode == -9
    assert [s.label for s in SampleStore().load()] == [4, 7]  # the samples were written first
    me, warnings = PersonalModel.open()
    assert me.recognizer.info.personal_samples == 1  # what the model learned, not what is stored
    assert warnings == ["1 of your samples are not learned yet (the app stopped while learning); "
                        "your next correction learns them"]
    me.learn_strokes(on_canvas(1), 1)
    record = read_model_file(SampleStore().model_path)["record"]
    assert len(record["personal"]["learned"]) == 3 and me.recognizer.info.personal_samples == 3


def test_what_the_writer_keeps_the_reader_reads(user_dir):
    """A correction drawn with 100,001 points is kept thinned, and the next start reads every sample."""
    t = np.linspace(0, 2 * np.pi, 100_001)
    ring = np.stack([150 + 60 * np.cos(t), 150 + 100 * np.sin(t)], axis=1).tolist()
    me = PersonalModel.open()[0]
    me.learn_strokes([ring], 0)
    again, warnings = PersonalModel.open()
    assert warnings == [] and len(again.samples) == 1
    assert sum(len(s) for s in again.samples[0].strokes) <= KEPT_POINTS


@pytest.mark.slow
def test_a_store_of_huge_strokes_is_refused_in_one_line_without_a_memory_error(user_dir):
    """160 samples of 100,000 points each (96 MB) is no file digitapp writes: refused, quickly, under the cap."""
    sample = Sample.new(3, np.zeros((784, 1))).to_json()
    points = ",".join(["[123.456,234.567]"] * 100_000)
    body = ",".join(json.dumps({**sample, "id": f"s{k}"})[:-1] + f',"strokes":[[{points}]]}}' for k in range(160))
    folder = SampleStore().folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / samples.SAMPLES_NAME).write_text('{"format":"digitapp-samples","version":1,"samples":[' + body + "]}")
    done = python("from digitapp.cli import main; raise SystemExit(main(['my-digits', 'list']))", timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert_one_line_naming(done.stderr, samples.SAMPLES_NAME, "moved it to")


def test_a_lone_surrogate_in_an_imported_sample_is_refused(user_dir, tmp_path, capsys):
    from digitapp.cli import main

    sample = {**Sample.new(3, np.zeros((784, 1))).to_json(), "time": "\ud800"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "digitapp-samples", "version": 1, "samples": [sample]}))
    assert main(["my-digits", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert_one_line_naming(err, path, "time")
    assert SampleStore().load() == [] and main(["my-digits", "list"]) == 0


@pytest.mark.parametrize("field, value", [("id", "\x1b[2Jgone"), ("id", "x" * 65), ("time", "a\nb"),
                                          ("time", "t" * 41)])
def test_sample_strings_outside_the_table_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        Sample.from_json({**Sample.new(3, np.zeros((784, 1))).to_json(), field: value})


def test_a_corrupt_samples_file_that_cannot_be_moved_aside_is_a_warning(user_dir, monkeypatch):
    store = SampleStore()
    store.folder.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{broken")

    def refused(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(samples, "move_aside", refused)
    me, warnings = PersonalModel.open()
    assert me.samples == [] and me.recognizer.info.shipped
    assert_one_line_naming(warnings[0], store.path, "could not move it aside (permission denied)")
    assert store.path.read_text() == "{broken"  # still there, untouched


def test_a_personal_model_we_may_not_read_is_left_alone_and_not_replaced(user_dir, monkeypatch):
    me = PersonalModel.open()[0]
    me.learn_strokes(on_canvas(4), 4)
    model_path = SampleStore().model_path
    before = model_path.read_bytes()
    real = model_io.read_regular_file

    def denied(path, max_bytes):
        if path == model_path:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, max_bytes)

    monkeypatch.setattr(model_io, "read_regular_file", denied)
    again, warnings = PersonalModel.open()
    assert again.recognizer.info.shipped
    assert_one_line_naming(warnings[0], model_path, "permission denied", "fix its permissions")
    with pytest.raises(ModelError) as err:
        again.learn_strokes(on_canvas(7), 7)
    assert_one_line_naming(err.value, model_path, "fix its permissions")
    assert model_path.read_bytes() == before and not any(".bad-" in n for n in listing(user_dir))


def test_an_old_personal_model_without_the_learned_list_still_counts_its_samples(user_dir):
    me = PersonalModel.open()[0]
    me.learn_strokes(on_canvas(4), 4)
    data = read_model_file(SampleStore().model_path)
    del data["record"]["personal"]["learned"]
    model_io.save_model(model_io.network_from(data), SampleStore().model_path, data["record"])
    again, warnings = PersonalModel.open()
    assert warnings == [] and again.recognizer.info.personal_samples == 1


def test_samples_file_errors_stay_store_errors():
    with pytest.raises(StoreError):
        samples.read_samples(ROOT / "setup.cfg")


@pytest.mark.slow
def test_an_import_says_how_far_learning_has_got(user_dir, tmp_path, capsys):
    from digitapp.cli import main

    path = tmp_path / "mine.json"
    rng = np.random.default_rng(0)
    samples.write_samples([Sample.new(k % 10, rng.random((784, 1))) for k in range(20)], path)
    assert main(["my-digits", "import", str(path)]) == 0
    lines = capsys.readouterr().err.splitlines()  # a line for each group of 8 learned
    assert lines == [f"digitapp my-digits import: learning {k} of 20 samples" for k in (8, 16, 20)]


# ---------------------------------------------------------------- memory never runs ahead of the files

def test_a_personal_model_made_by_hand_on_a_store_keeps_its_samples(user_dir):
    PersonalModel.open()[0].learn_strokes(on_canvas(4), 4)
    me = PersonalModel(Recognizer.load(), SampleStore())  # knows nothing of the stored sample yet
    me.learn_strokes(on_canvas(7), 7)
    assert [s.label for s in SampleStore().load()] == [4, 7] and [s.label for s in me.samples] == [4, 7]


def test_another_model_answering_learns_in_memory_and_keeps_the_personal_model(user_dir, tmp_path):
    PersonalModel.open()[0].learn_strokes(on_canvas(4), 4)
    store = SampleStore()
    model, stored = store.model_path.read_bytes(), store.path.read_bytes()
    other = model_io.save_model(Recognizer.load().network, tmp_path / "other.pkl")
    me, _ = PersonalModel.open(other)
    me.learn_strokes(on_canvas(7), 7)
    assert me.recognizer.info.personal_samples == 2 and me.store is None
    assert store.model_path.read_bytes() == model and store.path.read_bytes() == stored


def test_after_a_kill_the_next_correction_learns_what_the_model_missed(user_dir, monkeypatch):
    from digitapp import learning

    me = PersonalModel.open()[0]
    me.learn_strokes(on_canvas(4), 4)
    store = SampleStore()
    model = store.model_path.read_bytes()
    me.learn_strokes(on_canvas(7), 7)
    store.model_path.write_bytes(model)  # as if killed after the samples were written, before the model
    again, warnings = PersonalModel.open()
    assert again.recognizer.info.personal_samples == 1 and len(warnings) == 1
    taught = []
    real = learning.Learner.learn
    monkeypatch.setattr(learning.Learner, "learn", lambda self, net, s: taught.append(s.label) or real(self, net, s))
    again.learn_strokes(on_canvas(1), 1)
    assert taught == [7, 1]  # the missed 7 first, then the new correction
    assert read_model_file(store.model_path)["record"]["personal"]["learned"] == [s.id for s in store.load()]


def test_a_failed_write_leaves_memory_as_the_files_are(user_dir, monkeypatch):
    me = PersonalModel.open()[0]
    me.learn_strokes(on_canvas(4), 4)
    real = SampleStore.save

    def full(self, samples):
        raise OSError(28, "No space left on device", str(self.path))

    monkeypatch.setattr(SampleStore, "save", full)
    with pytest.raises(OSError):
        me.learn_strokes(on_canvas(7), 7)
    assert [s.label for s in me.samples] == [4] and me.recognizer.info.personal_samples == 1
    monkeypatch.setattr(SampleStore, "save", real)
    me.learn_strokes(on_canvas(1), 1)
    stored = SampleStore().load()
    assert [s.label for s in stored] == [4, 1]
    assert read_model_file(SampleStore().model_path)["record"]["personal"]["learned"] == [s.id for s in stored]


def test_a_far_flung_stroke_is_drawn_small_under_the_memory_cap():
    done = python("from digitapp.recognizer import Recognizer\n"
                  "r = Recognizer.load(); print(len(r.read_strokes([[(0, 0), (99_999, 0)], [(-99_999, 50)]])))",
                  timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("change", [{"id": "bad id!"}, {"label": 11}, {"time": "\ud800"}])
def test_samples_added_through_the_api_meet_the_readers_rules(user_dir, change):
    import dataclasses

    good = Sample.new(3, np.zeros((784, 1)))
    bad = dataclasses.replace(good, **change)
    me = PersonalModel.open()[0]
    with pytest.raises(ValueError):
        me.add_samples([bad])
    assert SampleStore().load() == [] and PersonalModel.open()[1] == []


def test_the_first_correction_does_not_read_again_what_the_start_just_read(user_dir, monkeypatch):
    PersonalModel.open()[0].learn_strokes(on_canvas(4), 4)
    me = PersonalModel.open()[0]
    reads = []
    real = SampleStore.load
    monkeypatch.setattr(SampleStore, "load", lambda self: reads.append(1) or real(self))
    me.learn_strokes(on_canvas(7), 7)
    assert reads == [] and [s.label for s in SampleStore().load()] == [4, 7]
