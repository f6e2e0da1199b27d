"""digitapp.samples: the user's samples, their JSON format and the store that keeps them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import assert_one_line_naming, listing
from digitapp import samples
from digitapp.model_io import save_model
from digitapp.network2 import Network
from digitapp.samples import Sample, SampleStore, StoreError


def sample(label=3, seed=0, strokes=True) -> Sample:
    x = np.random.default_rng(seed).random((784, 1)).astype(np.float32)
    return Sample.new(label, x, [[(1, 2), (3.5, 4)]] if strokes else None)


# -- samples and the store ---------------------------------------------------------------------------

@pytest.mark.parametrize("strokes", [True, False], ids=["drawn", "image"])
def test_sample_json_round_trip(strokes):
    s = sample(7, strokes=strokes)
    back = Sample.from_json(json.loads(json.dumps(s.to_json())))
    assert (back.label, back.id, back.time, back.strokes) == (s.label, s.id, s.time, s.strokes)
    np.testing.assert_array_equal(back.input, s.input)
    assert back.input.dtype == np.uint8 and back.input.shape == (28, 28)


def test_a_not_a_digit_sample_round_trips_and_is_counted_apart():
    s = sample(samples.NO_DIGIT)
    back = Sample.from_json(json.loads(json.dumps(s.to_json())))
    assert back.label == -1 and samples.label_text(back.label) == "not a digit"
    counted = samples.counts([s, back, sample(3)])
    assert counted[-1] == 2 and counted[3] == 1 and sum(counted.values()) == 3 and list(counted)[-1] == -1
    with pytest.raises(ValueError, match="not a digit"):
        Sample.new(-2, np.zeros((784, 1)))


@pytest.mark.parametrize("change, why", [
    ({"label": 10}, "0 to 9"), ({"label": "3"}, "0 to 9"), ({"label": True}, "0 to 9"), ({"label": -2}, "not a digit"),
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
    assert [s.label for s in store.update(lambda stored: samples.relabelled(stored, b.id, 5))] == [1, 5]
    assert [s.id for s in store.update(lambda stored: samples.without(stored, a.id))] == [b.id]
    save_model(Network([784, 3, 10], seed=0), store.model_path)
    assert set(store.clear()) == {store.path, store.model_path}
    assert listing(user_dir) == []


def test_two_windows_adding_at_once_keep_both_samples(user_dir):
    first, second = SampleStore(), SampleStore()
    first.add(sample(1, 1))
    second.add(sample(2, 2))
    assert [s.label for s in first.load()] == [1, 2]
    assert listing(user_dir) == [samples.SAMPLES_NAME]  # no temporary files left behind


@pytest.mark.slow
def test_two_processes_writing_at_once_never_leave_a_broken_file(user_dir):
    """Two writers (as two windows would be) add samples as fast as they can while a reader reads:
    every read sees a complete file, and the end result is a valid store."""
    import subprocess
    import sys

    writer = ("import numpy as np; from digitapp.samples import Sample, SampleStore\n"
              "for k in range(15): SampleStore().add(Sample.new(k % 10, np.zeros((784, 1))))")
    procs = [subprocess.Popen([sys.executable, "-c", writer]) for _ in range(2)]
    reads = 0
    while any(p.poll() is None for p in procs):
        SampleStore().load()  # raises StoreError on a half-written file
        reads += 1
    assert all(p.returncode == 0 for p in procs)
    assert 15 <= len(SampleStore().load()) <= 30 and reads > 0
    assert listing(user_dir) == [samples.SAMPLES_NAME]


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
        samples.read_samples(path)
    assert_one_line_naming(err.value, path, why)


def test_a_point_too_large_for_a_float_is_a_one_line_error(tmp_path):
    path = tmp_path / "s.json"
    sample = Sample.new(3, np.zeros((28, 28)), [[(1, 2)]]).to_json()
    sample["strokes"] = [[[10 ** 400, 5]]]
    path.write_text(json.dumps({"format": "digitapp-samples", "version": 1, "samples": [sample]}))
    with pytest.raises(StoreError) as err:
        samples.read_samples(path)
    assert_one_line_naming(err.value, path, "strokes")


def test_a_directory_is_not_a_samples_file(tmp_path):
    with pytest.raises(StoreError, match="directory"):
        samples.read_samples(tmp_path)
