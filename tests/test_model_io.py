"""digitapp.model_io: model files are plain data, saved atomically and loaded safely."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import numpy as np
import pytest

from digitapp import model_io
from digitapp.model_io import FORMAT, VERSION, ModelError, encode_array, load_model, read_model_file, save_model
from digitapp.network2 import Network  # chapter 3 defaults, as the app's models

from conftest import assert_one_line_naming, listing

PLAIN_TYPES = (dict, list, str, int, float, bool, type(None), bytes)


def assert_plain(value):
    """Only builtins, all the way down: no ndarray, no class instance."""
    assert isinstance(value, PLAIN_TYPES), type(value)
    if isinstance(value, dict):
        for k, v in value.items():
            assert type(k) is str
            assert_plain(v)
    elif isinstance(value, list):
        for v in value:
            assert_plain(v)


def valid_data(net=None) -> dict:
    """A version 2 model written by hand, independently of save_model."""
    net = net or Network([784, 3, 10], seed=0)
    def stored(a):
        return {"dtype": a.dtype.str, "shape": list(a.shape), "data": a.tobytes()}
    return {"format": FORMAT, "version": VERSION, "sizes": list(net.sizes), "cost": net.cost.name,
            "weights": [stored(w) for w in net.weights], "biases": [stored(b) for b in net.biases],
            "record": {}}


# ---------------------------------------------------------------- round trip

@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_load_round_trip(tmp_path, cost, dtype):
    net = Network([784, 5, 4, 10], cost=cost, seed=11, dtype=dtype)
    record = {
        "test_accuracy": np.float32(0.975),
        "validation_accuracy": np.float64(0.9812),
        "epochs": np.int64(30),
        "nested": {"eta": np.float64(0.5), "hidden": (np.int64(100),), "flag": np.bool_(True)},
        "history": [{"epoch": 1, "evaluation_accuracy": np.float64(0.9)}],
        "where": Path("/some/data"),
        "none": None,
    }
    path = save_model(net, tmp_path / "model.pkl", record)
    assert path == tmp_path / "model.pkl"
    loaded = load_model(path)
    assert loaded.sizes == [784, 5, 4, 10]
    assert loaded.cost.name == cost
    for a, b in zip(loaded.weights + loaded.biases, net.weights + net.biases):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).random((3, 784)).astype(dtype)
    np.testing.assert_array_equal(loaded.feedforward(x), net.feedforward(x))
    rec = read_model_file(path)["record"]
    assert rec["test_accuracy"] == pytest.approx(0.975) and type(rec["test_accuracy"]) is float
    assert rec["validation_accuracy"] == 0.9812 and type(rec["validation_accuracy"]) is float
    assert rec["epochs"] == 30 and type(rec["epochs"]) is int
    assert rec["nested"] == {"eta": 0.5, "hidden": [100], "flag": True}
    assert type(rec["nested"]["eta"]) is float and type(rec["nested"]["flag"]) is bool
    assert rec["history"] == [{"epoch": 1, "evaluation_accuracy": 0.9}]
    assert rec["where"] == "/some/data" and rec["none"] is None


def test_loaded_network_is_independent_of_the_file_data(tmp_path):
    net = Network([784, 10], seed=0)
    save_model(net, tmp_path / "m.pkl")
    loaded = load_model(tmp_path / "m.pkl")
    before = [w.copy() for w in loaded.weights]
    loaded.SGD((np.ones((4, 784)), np.array([0, 1, 0, 1])), 1, 2, 0.5)  # trains in place without errors
    assert all(np.isfinite(w).all() and not np.array_equal(w, w0) for w, w0 in zip(loaded.weights, before))
    assert load_model(tmp_path / "m.pkl").weights[0].tolist() == before[0].tolist()


def test_file_is_a_pickle_of_plain_data(tmp_path):
    net = Network([784, 4, 10], seed=0)
    save_model(net, tmp_path / "m.pkl", {"test_accuracy": np.float64(0.5), "hyperparameters": {"eta": 0.1}})
    with open(tmp_path / "m.pkl", "rb") as f:
        data = pickle.load(f)
    assert isinstance(data, dict)
    assert data["format"] == FORMAT and data["version"] == VERSION
    assert data["sizes"] == [784, 4, 10] and data["cost"] == "cross-entropy"
    assert data["weights"][0] == {"dtype": "<f8", "shape": [4, 784], "data": net.weights[0].tobytes()}
    assert_plain(data)


def test_saving_no_record_gives_an_empty_dict(tmp_path):
    save_model(Network([784, 10], seed=0), tmp_path / "m.pkl")
    assert read_model_file(tmp_path / "m.pkl")["record"] == {}


def test_saved_file_is_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        save_model(Network([784, 10], seed=0), tmp_path / "m.pkl")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "m.pkl").stat().st_mode)
    assert mode != 0o600 and mode & stat.S_IRGRP and mode & stat.S_IROTH


def test_load_model_without_a_path_loads_the_shipped_model():
    net = load_model()
    assert model_io.default_model_path().name == "digit_model.pkl"
    assert model_io.default_model_path().parent.name == "models"
    assert net.sizes[0] == 784 and net.sizes[-1] == 10
    record = read_model_file()["record"]
    for key in ("test_accuracy", "validation_accuracy", "hyperparameters", "seed", "epochs", "date"):
        assert key in record, key
    assert 0.9 < record["test_accuracy"] <= 1.0
    assert 0.9 < record["validation_accuracy"] <= 1.0


# ---------------------------------------------------------------- atomic saving

class Midway(Exception):
    pass


def _failing_dump(obj, file, protocol=None, **kwargs):
    file.write(b"\x80\x04 half a pickle")
    raise Midway("disk full")


def test_failed_save_keeps_the_previous_model_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.pkl"
    save_model(Network([784, 10], seed=1), path, {"run": 1})
    before = path.read_bytes()
    monkeypatch.setattr(model_io.pickle, "dump", _failing_dump)
    with pytest.raises(Midway):
        save_model(Network([784, 10], seed=2), path, {"run": 2})
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["model.pkl"]
    monkeypatch.undo()
    assert read_model_file(path)["record"] == {"run": 1}


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(model_io.pickle, "dump", _failing_dump)
    with pytest.raises(Midway):
        save_model(Network([784, 10], seed=2), tmp_path / "model.pkl")
    assert listing(tmp_path) == []


# ---------------------------------------------------------------- hostile files

class OpensAFile:
    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (open, (self.target, "w"))


class RunsAShellCommand:
    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (os.system, (f"touch '{self.target}'",))


@pytest.mark.parametrize("payload", [OpensAFile, RunsAShellCommand])
@pytest.mark.parametrize("where", ["top-level", "inside-a-valid-model"])
def test_hostile_pickle_is_refused_before_it_runs(tmp_path, payload, where):
    target = tmp_path / "pwned"
    evil = payload(target)
    obj = evil if where == "top-level" else {**valid_data(), "record": {"note": evil}}
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(obj, protocol=4))
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert_one_line_naming(info.value, path)
    assert not target.exists()


def test_hostile_pickle_check_is_real():
    """The payloads above do create the file when unpickled by a normal unpickler."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "made"
        pickle.loads(pickle.dumps(OpensAFile(target))).close()
        assert target.exists()


def test_refusal_message_stays_one_line_for_a_crafted_global_name(tmp_path):
    # STACK_GLOBAL takes module and name from strings, which may hold newlines
    module, name = b"os\nWARNING: forged line", b"system"
    raw = (b"\x80\x04" + b"\x8c" + bytes([len(module)]) + module + b"\x8c" + bytes([len(name)]) + name
           + b"\x93" + b".")
    path = tmp_path / "model.pkl"
    path.write_bytes(raw)
    with pytest.raises(ModelError) as info:
        read_model_file(path)
    assert_one_line_naming(info.value, path)


# ---------------------------------------------------------------- broken files

def _truncated(tmp_path):
    save_model(Network([784, 10, 10], seed=0), tmp_path / "good.pkl")
    return (tmp_path / "good.pkl").read_bytes()[:300]


def _changed(**changes):
    def make(tmp_path):
        data = valid_data()
        for key, value in changes.items():
            data[key] = value(data) if callable(value) else value
        return pickle.dumps(data, protocol=4)
    return make


BROKEN = {
    "empty": lambda tmp_path: b"",
    "truncated": _truncated,
    "random-bytes-0": lambda tmp_path: np.random.default_rng(0).bytes(2000),
    "random-bytes-1": lambda tmp_path: np.random.default_rng(1).bytes(64),
    "random-after-pickle-header": lambda tmp_path: b"\x80\x04" + np.random.default_rng(2).bytes(500),
    "text": lambda tmp_path: b"this is a text file\n",
    "a-list": lambda tmp_path: pickle.dumps([1, 2, 3]),
    "a-string": lambda tmp_path: pickle.dumps("digitapp-network"),
    "wrong-format-name": _changed(format="other-network"),
    "no-format": _changed(format=None),
    "version-1": _changed(version=1),
    "version-as-string": _changed(version="2"),
    "version-true": _changed(version=True),
    "no-weights": _changed(weights=None),
    "transposed-weights": _changed(weights=lambda d: [{**w, "shape": w["shape"][::-1]} for w in d["weights"]]),
    "bias-rows": _changed(biases=lambda d: [{**b, "shape": b["shape"][:1]} for b in d["biases"]]),
    "bytes-short": _changed(weights=lambda d: [{**w, "data": w["data"][:-1]} for w in d["weights"]]),
    "bytes-long": _changed(biases=lambda d: [{**b, "data": b["data"] + b"x"} for b in d["biases"]]),
    "big-endian": _changed(weights=lambda d: [encode_array(np.zeros(w["shape"], ">f8")) | {"dtype": ">f8"}
                                              for w in d["weights"]]),
    "object-dtype": _changed(weights=lambda d: [{**w, "dtype": "|O"} for w in d["weights"]]),
    "mixed-dtypes": _changed(biases=lambda d: [encode_array(np.zeros(b["shape"], np.float32)) for b in d["biases"]]),
    "extra-key-in-array": _changed(weights=lambda d: [{**w, "offset": 8} for w in d["weights"]]),
    "array-not-a-dict": _changed(weights=lambda d: [w["data"] for w in d["weights"]]),
    "input-not-784": _changed(sizes=[783, 3, 10]),
    "output-not-10": _changed(sizes=[784, 3, 9]),
    "declared-huge-never-stored": _changed(sizes=[784, 300000, 10]),
    "one-layer-missing": _changed(weights=lambda d: d["weights"][:1]),
    "nan-weights": _changed(weights=lambda d: [encode_array(np.full(w["shape"], np.nan)) for w in d["weights"]]),
    "inf-bias": _changed(biases=lambda d: [encode_array(np.full(b["shape"], np.inf)) for b in d["biases"]]),
    "integer-weights": _changed(weights=lambda d: [encode_array(np.ones(w["shape"], int)) for w in d["weights"]]),
    "sizes-disagree": _changed(sizes=[784, 7, 10]),
    "negative-size": _changed(sizes=[784, -3, 10]),
    "nan-in-record": _changed(record={"test_accuracy": float("nan")}),
    "int-key-in-record": _changed(record={1: 2}),
    "unknown-cost": _changed(cost="hinge"),
    "cost-is-a-list": _changed(cost=["cross-entropy"]),
    "version-is-an-array": _changed(version=np.array([1.0, 1.0])),
    "record-not-a-dict": _changed(record=[1, 2]),
}


@pytest.mark.parametrize("make", BROKEN.values(), ids=BROKEN.keys())
def test_broken_file_is_a_one_line_model_error_naming_it(tmp_path, make):
    path = tmp_path / "broken model.pkl"
    path.write_bytes(make(tmp_path))
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert_one_line_naming(info.value, path)


def test_a_directory_is_a_model_error(tmp_path):
    with pytest.raises(ModelError) as info:
        load_model(tmp_path)
    assert_one_line_naming(info.value, tmp_path)


def test_a_missing_file_is_a_model_error(tmp_path):
    path = tmp_path / "nope.pkl"
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert_one_line_naming(info.value, path)


def test_a_valid_hand_made_file_loads(tmp_path):
    """The checks refuse what is wrong, not everything: the oracle file above is accepted."""
    data = valid_data()
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(data, protocol=4))
    net = load_model(path)
    assert net.weights[0].tobytes() == data["weights"][0]["data"] and net.weights[0].shape == (3, 784)


def test_load_accepts_str_paths(tmp_path):
    save_model(Network([784, 10], seed=0), str(tmp_path / "m.pkl"))
    assert load_model(str(tmp_path / "m.pkl")).sizes == [784, 10]



def test_any_record_saves_within_the_loaders_bounds(tmp_path):
    deep = {}
    for _ in range(40):
        deep = {"x": deep}
    record = {"deep": deep, "long": "y" * 50_000, "huge": 10**30, "nan": float("nan"), "tuple": (1, (2, 3)),
              7: "int key", "path": Path("/a"), "surrogate": "a\udc80b"}
    save_model(Network([784, 10], seed=0), tmp_path / "m.pkl", record)
    loaded = read_model_file(tmp_path / "m.pkl")["record"]
    assert len(loaded["long"]) == model_io.MAX_TEXT and loaded["huge"] == 1e30 and loaded["nan"] is None
    assert loaded["tuple"] == [1, [2, 3]] and loaded["7"] == "int key" and loaded["path"] == "/a"
    assert loaded["surrogate"] == "a?b"
    level, depth = loaded["deep"], 0
    while isinstance(level, dict):
        level, depth = level["x"], depth + 1
    assert isinstance(level, str) and depth < model_io.MAX_DEPTH
