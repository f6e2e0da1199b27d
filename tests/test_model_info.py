"""digitapp.model_info: which model answers, said the same way by the window, look inside, predict and --json.

Every description here comes from a real Recognizer: the shipped one, one
loaded from another file, and one personalised by learning a correction.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digitapp.model_info import ModelInfo
from digitapp.model_io import default_model_path, save_model
from digitapp.network2 import Network
from digitapp.personal import PersonalModel
from digitapp.recognizer import Recognizer
from harness.shapes import on_canvas


@pytest.fixture
def personalised(user_dir):
    """The shipped model after one correction, saved in this test's user data directory, opened again."""
    PersonalModel.open()[0].learn_strokes(on_canvas(4), 4)
    return PersonalModel.open()[0].recognizer


def test_the_shipped_model():
    recognizer = Recognizer.load()
    info, record = recognizer.info, recognizer.record
    assert info.kind == "shipped" and info.shipped and not info.is_personal
    assert info.file == default_model_path() and info.sizes == tuple(recognizer.network.sizes)
    assert info.describe() == (f"shipped model digit_model.pkl, trained {record['date'][:10]}, "
                               f"MNIST test {100 * record['test_accuracy']:.2f}%")
    details = "\n".join(info.details())
    assert details.startswith("digit_model.pkl: shipped model")
    assert f"Network({recognizer.network.sizes})" in details
    assert f"{record['epochs']} epochs" in details and record["date"][:10] in details
    assert f"MNIST test {100 * record['test_accuracy']:.2f}%" in details
    assert f"validation {100 * record['validation_accuracy']:.2f}%" in details


def test_a_personalised_model_says_so_everywhere(personalised):
    """The bug this module was made for: look inside called a personal model 'other file' and showed the
    shipped model's figures as its own."""
    info, shipped = personalised.info, Recognizer.load().info
    assert info.kind == "personalised" and info.is_personal and not info.shipped
    assert info.personal_samples == 1 and info.base_model == default_model_path()
    details = info.details()
    assert details[0] == "my_model.pkl: personalised model"
    assert details[1] == "trained on 1 of your digits, from shipped model digit_model.pkl"
    assert details[-1].endswith("(before your digits)") and f"{100 * shipped.test_accuracy:.2f}%" in details[-1]
    assert info.describe() == (f"personalised, trained on 1 of your digits, from shipped model digit_model.pkl "
                               f"(trained {shipped.date[:10]}, MNIST test {100 * shipped.test_accuracy:.2f}% "
                               "before your digits)")
    as_json = info.to_dict()
    assert as_json["personal_samples"] == 1 and as_json["shipped"] is False
    assert as_json["base_model"] == str(default_model_path()) and as_json["file"] == str(personalised.path)


@pytest.mark.slow
def test_in_memory_learning_is_personalised_too():
    me = PersonalModel(Recognizer.load())
    me.learn_strokes(on_canvas(4), 4)
    assert me.recognizer.info.kind == "personalised" and me.recognizer.info.personal_samples == 1


def test_another_file_and_a_model_in_memory(tmp_path):
    path = save_model(Network([784, 10], seed=0), tmp_path / "m.pkl", {"test_accuracy": 0.5})
    info = Recognizer.load(path).info
    assert info.kind == "other file" and info.describe() == "model m.pkl, MNIST test 50.00%"
    assert info.details()[:2] == ["m.pkl: other file model", f"in {tmp_path}"]
    memory = Recognizer(Network([784, 3, 10], seed=0)).info
    assert memory.kind == "in memory" and memory.details()[0] == "a model in memory, not from a file"


def test_an_odd_record_is_shown_as_nothing(tmp_path):
    odd = {"date": 20261121, "epochs": "many", "test_accuracy": "high", "command": ["x"], "epoch": True,
           "personal": {"samples": "many", "base_model": 7}}
    path = save_model(Network([784, 5, 10], seed=0), tmp_path / "odd.pkl", odd)
    info = Recognizer.load(path).info
    assert (info.date, info.epochs, info.test_accuracy, info.recipe) == (None, None, None, None)
    assert info.personal_samples == 0 and info.base_model is None
    assert info.details()[-1] == "no training record"
    assert info.describe() == "personalised, trained on 0 of your digits, from a model in memory"


def test_long_strings_are_cut_short(tmp_path):
    path = save_model(Network([784, 5, 10], seed=0), tmp_path / "long.pkl", {"command": "x" * 10_000})
    assert len(Recognizer.load(path).info.recipe) == 300


def test_it_is_frozen():
    info = Recognizer.load().info
    with pytest.raises(AttributeError):
        info.shipped = False  # type: ignore[misc]
    assert isinstance(info, ModelInfo) and isinstance(info.file, Path)


def test_a_model_retrained_with_the_users_digits_shows_its_own_figures(tmp_path):
    """train --my-digits writes a personal model trained from scratch: its accuracy is measured with the
    user's digits in, and it has no base model to name."""
    record = {"date": "2026-12-05T07:00:00", "test_accuracy": 0.8987,
              "personal": {"base_model": None, "samples": 3, "retrained": True}}
    info = Recognizer.load(save_model(Network([784, 5, 10], seed=0), tmp_path / "my_model.pkl", record)).info
    assert info.retrained and info.is_personal and info.base_model is None
    assert info.describe() == "personalised, retrained with 3 of your digits, trained 2026-12-05, MNIST test 89.87%"
    assert info.details()[1] == "retrained with 3 of your digits (digitapp train --my-digits)"
    assert info.details()[-1] == "MNIST test 89.87%"


@pytest.mark.slow
def test_not_a_digit_samples_are_counted_as_drawings_not_digits(user_dir):
    """A "not a digit" sample is one of the user's drawings, not one of their digits: every place that says
    what the model learned counts it apart."""
    from digitapp.samples import NO_DIGIT

    me = PersonalModel.open()[0]
    me.learn_strokes(on_canvas(4), 4)
    me.learn_strokes([[(40, 40), (160, 40), (40, 160), (160, 160)]], NO_DIGIT)
    info = PersonalModel.open()[0].recognizer.info
    assert (info.personal_samples, info.personal_not_digits) == (2, 1)
    words = "2 of your drawings: 1 digit, 1 not a digit"
    assert info.yours == words
    assert info.describe().startswith(f"personalised, trained on {words}, from shipped model")
    assert info.describe().endswith("before your drawings)") and "digits" not in info.describe().replace(words, "")
    assert info.details()[1] == f"trained on {words}, from shipped model digit_model.pkl"
    assert info.to_dict()["personal_not_digits"] == 1 and info.to_dict()["personal_samples"] == 2
    me.delete(me.samples[-1].id)
    assert PersonalModel.open()[0].recognizer.info.yours == "1 of your digits"
