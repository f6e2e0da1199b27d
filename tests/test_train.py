"""digitapp.train: the retraining script end to end on a tiny synthetic MNIST."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from PIL import Image, ImageDraw

import digitapp
from conftest import listing, mnist_files, write_files
from digitapp import train
from digitapp.arguments import DefaultsOnceFormatter
from digitapp.curves import curves_path
from digitapp.model_io import default_model_path, load_model, read_model_file, save_model
from digitapp.network2 import Network
from harness.shapes import DIGITS, place

N_TRAIN, N_TEST = 600, 120


def synthetic_digit(label, rng):
    """28x28 MNIST-like (white on black): a 0, 1 or 7 of harness.shapes, shifted and of random width."""
    image = Image.new("L", (28, 28), 0)
    draw = ImageDraw.Draw(image)
    dx, dy = rng.integers(-2, 3, 2)
    width = int(rng.integers(2, 4))
    for stroke in place(DIGITS[label], 4 + dx, 4 + dy, 20):
        draw.line(stroke, fill=255, width=width, joint="curve")
    return np.asarray(image)


def tiny_synthetic_mnist(seed=0):
    rng = np.random.default_rng(seed)
    arrays = []
    for n in (N_TRAIN, N_TEST):
        labels = rng.choice([0, 1, 7], n)
        arrays += [np.stack([synthetic_digit(int(j), rng) for j in labels]), labels]
    return mnist_files(*arrays)


@pytest.fixture(scope="module")
def synthetic_files():
    return tiny_synthetic_mnist()


@pytest.fixture(autouse=True)
def few_template_drawings(monkeypatch):
    """The default recipe's 75,000 drawings take minutes; a few hundred test the same path."""
    for key, count in (("writers", 100), ("styles", 300), ("non_digits", 200), ("turned_digits", 30)):
        monkeypatch.setitem(train.DEFAULTS, key, count)


@pytest.fixture
def data_dir(tmp_path, offline, trust_files, synthetic_files):
    return write_files(tmp_path / "mnist", trust_files(synthetic_files), gz=True)


@pytest.mark.slow
def test_train_end_to_end(data_dir, tmp_path, capsys):
    out_dir = tmp_path / "out"
    output = out_dir / "m.pkl"
    argv = ["--data-dir", str(data_dir), "--hidden", "8", "--epochs", "2", "--seed", "3",
            "--output", str(output)]
    started = datetime.datetime.now(datetime.timezone.utc)
    assert train.main(argv) == 0
    assert "Traceback" not in capsys.readouterr().err

    network = load_model(output)
    assert network.sizes == [784, 8, 10]
    record = read_model_file(output)["record"]
    hyper = record["hyperparameters"]
    assert hyper["hidden"] == [8] and hyper["epochs"] == 2 and hyper["seed"] == 3
    for key in ("batch_size", "eta", "lmbda", "cost", "init"):
        assert hyper[key] == train.DEFAULTS[key], key
    assert "output" not in hyper and "data_dir" not in hyper
    assert record["seed"] == 3 and record["epochs"] == 2
    assert hyper["styles"] == 300 and hyper["non_digits"] == 200 and hyper["turned_digits"] == 30
    date = datetime.datetime.fromisoformat(record["date"])
    assert date.tzinfo is not None
    assert started - datetime.timedelta(seconds=5) <= date <= datetime.datetime.now(datetime.timezone.utc)
    assert record["package_version"] == digitapp.__version__
    assert len(record["history"]) == 2
    assert record["validation_accuracy"] == record["history"][-1]["evaluation_accuracy"]
    for key in ("validation_accuracy", "test_accuracy"):
        assert type(record[key]) is float and 0.0 <= record[key] <= 1.0
    # three easy classes: the network has learnt them
    assert record["validation_accuracy"] >= 0.8 and record["test_accuracy"] >= 0.8
    # the training curves are beside the model
    assert listing(out_dir) == ["m.curves.png", "m.pkl"]
    with Image.open(out_dir / "m.curves.png") as curves:
        assert curves.format == "PNG" and min(curves.size) > 100


@pytest.mark.slow
def test_without_output_the_model_goes_to_the_users_data_dir(data_dir, tmp_path, monkeypatch, caplog):
    shipped = default_model_path().read_bytes()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DIGITAPP_USER_DIR", raising=False)
    caplog.set_level("INFO", logger="digitapp.train")
    assert train.main(["--data-dir", str(data_dir), "--hidden", "8", "--epochs", "1"]) == 0
    written = tmp_path / "xdg" / "digitapp" / "models" / "digit_model.pkl"
    assert load_model(written).sizes == [784, 8, 10] and curves_path(written).is_file()
    assert default_model_path().read_bytes() == shipped
    assert f"use it with: digitapp --model {written}" in caplog.text


@pytest.mark.slow
def test_same_seed_trains_the_same_model(data_dir, tmp_path):
    weights = []
    for name in ("a.pkl", "b.pkl"):
        argv = ["--data-dir", str(data_dir), "--hidden", "8", "--epochs", "1", "--seed", "5", "--no-plot",
                "--output", str(tmp_path / name)]
        assert train.main(argv) == 0
        weights.append(load_model(tmp_path / name).weights)
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
    assert not (tmp_path / "a.png").exists()


@pytest.mark.slow
def test_ctrl_c_leaves_the_existing_model_untouched(data_dir, tmp_path, monkeypatch, capsys):
    output = tmp_path / "models" / "digit_model.pkl"
    save_model(Network([784, 5, 10], seed=0), output, {"test_accuracy": 0.5})
    before = output.read_bytes()

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Network, "update_mini_batch", interrupted)
    code = train.main(["--data-dir", str(data_dir), "--hidden", "8", "--epochs", "2", "--output", str(output)])
    assert code == 130
    assert output.read_bytes() == before
    assert listing(output.parent) == ["digit_model.pkl"]
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    messages = [line for line in err.splitlines() if "interrupt" in line.lower()]
    assert len(messages) == 1 and "no model written" in messages[0]


def test_missing_data_with_no_source_is_a_one_line_error_and_no_model(tmp_path, offline, capsys):
    output = tmp_path / "m.pkl"
    missing = tmp_path / "no-mnist-here"
    code = train.main(["--data-dir", str(missing), "--hidden", "8", "--epochs", "2", "--output", str(output)])
    assert code != 0
    assert not output.exists() and not curves_path(output).exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("digitapp train:")]
    assert len(lines) == 1
    assert str(missing) in lines[0] and "train-images-idx3-ubyte" in lines[0]


def test_train_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as info:
        train.main(["--help"])
    assert info.value.code in (0, None)
    assert "--epochs" in capsys.readouterr().out


def test_without_the_train_extras_it_says_what_to_install(monkeypatch, tmp_path, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "skimage" else real(name, *a))
    assert train.main(["--epochs", "1", "--output", str(tmp_path / "m.pkl")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "scikit-image" in err and "pip install 'digitapp[train]'" in err
    assert not (tmp_path / "m.pkl").exists()


# ---------------------------------------------------------------- arguments, output and saving

@pytest.mark.parametrize("args", [
    ["--eta", "-5"], ["--eta", "0"], ["--eta", "nan"], ["--eta", "inf"], ["--epochs", "0"], ["--epochs", "x"],
    ["--batch-size", "0"], ["--hidden", "0"], ["--hidden", "100", "-3"], ["--lmbda", "-1"], ["--seed", "-1"],
    ["--cost", "hinge"], ["--no-such-option"], ["--teacher-share", "1.5"], ["--teacher-share", "-0.1"],
    ["--teacher-share", "nan"],
], ids=" ".join)
def test_bad_arguments_are_one_line_and_nothing_is_trained(args, tmp_path, monkeypatch, capsys):
    output = tmp_path / "m.pkl"
    save_model(Network([784, 5, 10], seed=0), output)
    before = output.read_bytes()
    monkeypatch.setattr(train, "run_training", lambda *a: pytest.fail("training started"))
    with pytest.raises(SystemExit) as info:
        train.main([*args, "--output", str(output)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("digitapp train: ") and "--help" in err and args[0] in err
    assert output.read_bytes() == before


@pytest.mark.parametrize("content, words", [(None, "no such model file"), (b"garbage", "corrupt or truncated")])
def test_a_teacher_that_cannot_be_read_is_one_line_and_nothing_is_trained(content, words, tmp_path, monkeypatch,
                                                                          capsys):
    teacher = tmp_path / "teacher.pkl"
    if content is not None:
        teacher.write_bytes(content)
    monkeypatch.setattr(train, "run_training", lambda *a: pytest.fail("training started"))
    assert train.main(["--teacher", str(teacher), "--output", str(tmp_path / "m.pkl")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--teacher" in err and words in err and "nothing trained" in err
    assert not (tmp_path / "m.pkl").exists()


def test_a_teacher_share_without_a_teacher_or_a_teacher_of_other_inputs_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(train, "run_training", lambda *a: pytest.fail("training started"))
    assert train.main(["--teacher-share", "0.9", "--output", str(tmp_path / "m.pkl")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--teacher-share needs --teacher" in err
    raw = tmp_path / "raw.pkl"  # a teacher that read MNIST as it comes, not through the app's preprocessing
    save_model(Network([784, 5, 10], seed=0), raw, {"hyperparameters": {"inputs": "raw"}})
    assert train.main(["--teacher", str(raw), "--output", str(tmp_path / "m.pkl")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--inputs raw" in err and "nothing trained" in err
    assert not (tmp_path / "m.pkl").exists()


@pytest.mark.slow
def test_a_teacher_s_outputs_train_the_new_model(data_dir, tmp_path):
    """--teacher end to end: with the whole target the teacher's, the new model answers as the teacher does."""
    teacher = tmp_path / "teacher.pkl"
    common = ["--data-dir", str(data_dir), "--hidden", "8", "--no-plot", "--seed", "2"]
    assert train.main([*common, "--epochs", "3", "-o", str(teacher)]) == 0
    wrong = tmp_path / "wrong.pkl"  # a teacher that calls every drawing a 4, a digit the data never has
    save_model(Network.from_weights([np.zeros((8, 784)), np.zeros((10, 8))],
                                    [np.zeros((8, 1)), np.where(np.arange(10) == 4, 5.0, -5.0)[:, None]]), wrong)
    student = tmp_path / "student.pkl"
    assert train.main([*common, "--epochs", "1", "--teacher", str(wrong), "--teacher-share", "1", "-o",
                       str(student)]) == 0
    record = read_model_file(student)["record"]
    assert record["hyperparameters"]["teacher"] == str(wrong) and record["hyperparameters"]["teacher_share"] == 1
    assert record["test_accuracy"] < 0.1  # it learnt the teacher's 4, not the labels
    images = np.random.default_rng(0).random((20, 784)).astype(np.float32)
    assert (load_model(student).feedforward(images).argmax(axis=1) == 4).all()
    learnt = tmp_path / "learnt.pkl"
    assert train.main([*common, "--epochs", "1", "--teacher", str(teacher), "-o", str(learnt)]) == 0
    assert read_model_file(learnt)["record"]["test_accuracy"] >= 0.8


def test_a_network_too_big_to_load_is_refused_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(train, "run_training", lambda *a: pytest.fail("training started"))
    assert train.main(["--hidden", "100000", "--output", str(tmp_path / "m.pkl")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--hidden 100000" in err and "parameters" in err


@pytest.mark.parametrize("where", ["a-folder", "under-a-file", "in-proc"])
def test_an_unwritable_output_is_refused_before_training(where, tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder.pkl").mkdir()
    output = {"a-folder": tmp_path / "folder.pkl", "under-a-file": tmp_path / "file" / "m.pkl",
              "in-proc": __import__("pathlib").Path("/proc/digitapp-test/m.pkl")}[where]
    monkeypatch.setattr(train, "run_training", lambda *a: pytest.fail("training started"))
    assert train.main(["--epochs", "1", "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(output) in err and "-o" in err
    assert listing(tmp_path) == ["file", "folder.pkl"] and listing(tmp_path / "folder.pkl") == []


def _trained_then(monkeypatch, failure):
    """Training that finishes at once, then a save that fails with ``failure`` halfway through writing."""
    trained = (Network([784, 8, 10], seed=1), {"test_accuracy": 0.9, "history": []})
    monkeypatch.setattr(train, "run_training", lambda *args: trained)

    def dump(obj, file, protocol=None):
        file.write(b"\x80\x04half a model")
        raise failure

    monkeypatch.setattr(digitapp.model_io.pickle, "dump", dump)


@pytest.mark.parametrize("failure, code, words", [
    (KeyboardInterrupt(), 130, "interrupted while saving"),
    (OSError(28, "No space left on device"), 1, "no space left on device"),
], ids=["ctrl-c", "disk-full"])
def test_a_failed_save_is_one_line_and_keeps_the_old_model(failure, code, words, tmp_path, monkeypatch, capsys):
    output = tmp_path / "models" / "digit_model.pkl"
    save_model(Network([784, 5, 10], seed=0), output, {"test_accuracy": 0.5})
    before = output.read_bytes()
    _trained_then(monkeypatch, failure)
    assert train.main(["--epochs", "1", "--no-plot", "--output", str(output)]) == code
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert words in err and str(output) in err
    assert output.read_bytes() == before
    assert listing(output.parent) == ["digit_model.pkl"]


def test_train_help_shows_every_default_once(capsys):
    with pytest.raises(SystemExit):
        train.main(["--help"])
    options = " ".join(capsys.readouterr().out.split()).split(" options: ", 1)[1]
    assert "(default: None)" not in options
    formatter = DefaultsOnceFormatter("digitapp train")
    for action in train.build_parser()._actions:
        if action.option_strings and action.default not in (None, False, "==SUPPRESS=="):
            text = formatter._get_help_string(action) % {"default": action.default}
            assert text.count("default") == 1, (action.option_strings, text)
            assert text.split("(default")[-1].split(")")[0] in options  # wrapped lines split the rest


@pytest.mark.slow
def test_my_digits_retrains_with_the_users_samples_into_the_personal_model(data_dir, user_dir, caplog):
    from digitapp.personal import PersonalModel
    from digitapp.samples import Sample, SampleStore

    rng = np.random.default_rng(1)
    store = SampleStore()
    store.add(*[Sample.new(7, synthetic_digit(7, rng) / 255.0) for _ in range(3)])
    caplog.set_level("INFO", logger="digitapp.train")
    argv = ["--data-dir", str(data_dir), "--hidden", "8", "--epochs", "1", "--no-plot", "--my-digits"]
    assert train.main(argv) == 0
    record = read_model_file(store.model_path)["record"]
    assert record["personal"] == {"base_model": None, "samples": 3, "retrained": True, "not_digits": 0}
    assert "adding 3 samples of your handwriting" in caplog.text
    personal, warnings = PersonalModel.open()
    assert warnings == [] and personal.recognizer.info.personal_samples == 3
    assert personal.base_path == default_model_path()  # Forget goes back to the shipped model


def test_with_my_digits_weighs_a_few_samples_as_one_percent():
    from digitapp.samples import Sample

    samples = [Sample.new(d, np.full((784, 1), 0.5)) for d in (3, 4)]
    X, y = train.with_my_digits(np.zeros((1000, 784), np.uint8), np.zeros(1000, int), samples)
    assert X.shape == (1010, 784) and X.dtype == np.uint8 and list(np.bincount(y[1000:])[3:5]) == [5, 5]
    assert (X[1000:] == 128).all()


def test_my_digits_without_samples_is_one_line(data_dir, capsys):
    assert train.main(["--data-dir", str(data_dir), "--my-digits"]) == 1
    err = capsys.readouterr().err
    assert "no samples of your handwriting" in err and len(err.strip().splitlines()) == 1


def test_relu_softmax_adam_trains_and_the_model_reads_and_learns(data_dir, tmp_path, capsys):
    """--activation, --cost log-likelihood and --optimizer end to end: recorded, loaded, read, predicted, learned."""
    from digitapp import cli
    from digitapp.learning import Learner
    from digitapp.recognizer import SOFTMAX_NONE_BELOW, Recognizer
    from digitapp.samples import Sample

    output = tmp_path / "relu.pkl"
    argv = ["--data-dir", str(data_dir), "--hidden", "16", "8", "--epochs", "2", "--activation", "relu",
            "--cost", "log-likelihood", "--optimizer", "adam", "--eta", "0.003", "--no-plot", "-o", str(output),
            "--writers", "0"]  # the other writers' digits are the end-to-end test's; this one is about the maths
    assert train.main(argv) == 0
    data = read_model_file(output)
    assert data["activation"] == "relu" and data["cost"] == "log-likelihood" and data["sizes"] == [784, 16, 8, 10]
    record = data["record"]
    assert record["hyperparameters"]["optimizer"] == "adam" and record["optimizer"].startswith("Adam(")
    assert record["hyperparameters"]["activation"] == "relu" and record["test_accuracy"] >= 0.8
    recognizer = Recognizer.load(output)
    assert recognizer.none_below == SOFTMAX_NONE_BELOW
    assert any("softmax" in line for line in recognizer.info.details())
    image = tmp_path / "seven.png"
    Image.fromarray(255 - synthetic_digit(7, np.random.default_rng(1))).resize((112, 112)).save(image)
    capsys.readouterr()
    assert cli.main(["predict", "--model", str(output), str(image)]) == 0
    assert capsys.readouterr().out.startswith(f"{image}: 7")
    # learning your handwriting: the Learner's plain steps work on any activation and cost
    replay = (np.tile(synthetic_digit(0, np.random.default_rng(2)).reshape(1, -1), (50, 1)), np.zeros(50, np.intp))
    x = synthetic_digit(1, np.random.default_rng(3)).reshape(-1).astype(np.float32) / 255
    learned = Learner(replay=replay, seed=0).learn(recognizer.network, Sample.new(7, x))
    assert learned.activation is recognizer.network.activation and np.isfinite(learned.weights[0]).all()
    assert int(np.argmax(learned.feedforward(x[None, :]))) == 7
    # and through the app's own path: a personal model learns drawn strokes, with the shipped replay set
    from digitapp.personal import PersonalModel
    from digitapp.samples import SampleStore
    from harness.shapes import DIGITS as SHAPES

    personal = PersonalModel(recognizer, SampleStore(), learner=Learner(seed=0))  # seeded: the same steps each run
    strokes = [list(map(tuple, s)) for s in place(SHAPES[7], 40, 30, 140)]
    before = recognizer.predict_strokes(strokes).probabilities[1]
    answer = personal.learn_strokes(strokes, 1)
    assert answer.probabilities[1] > before + 0.1 and np.isfinite(answer.outputs).all()
    assert personal.recognizer.network.activation.name == "relu" and len(personal.samples) == 1
    assert personal.recognizer.none_below == SOFTMAX_NONE_BELOW
