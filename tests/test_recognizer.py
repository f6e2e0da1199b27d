"""digitapp.recognizer: the shipped model plus preprocessing, as the app and the CLI use it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitapp.model_io import ModelError, default_model_path, read_model_file, save_model
from digitapp.network import Network
from digitapp.preprocess import ImageError, preprocess
from digitapp.recognizer import Prediction, Recognizer
from digitapp.strokes import render_strokes


def ellipse(cx, cy, rx, ry, n=48):
    return [(cx + rx * np.sin(t), cy - ry * np.cos(t)) for t in np.linspace(0, 2 * np.pi, n)]


#: Clear digits as a user would draw them on a 280x280 canvas.
DRAWN = {
    "1-centre": (1, [[(140, 60), (140, 220)]]),
    "1-left-small": (1, [[(60, 30), (62, 110)]]),
    "1-slanted": (1, [[(160, 50), (120, 230)]]),
    "0": (0, [ellipse(140, 140, 50, 80)]),
    "7": (7, [[(90, 70), (190, 70), (120, 220)]]),
    "4": (4, [[(170, 220), (170, 60), (90, 170), (200, 170)]]),
}


@pytest.fixture(scope="module")
def recognizer():
    return Recognizer.load()


@pytest.fixture(scope="module")
def seven():
    return render_strokes(DRAWN["7"][1], (280, 280), 18)


def test_load_without_a_path_gives_the_shipped_model(recognizer):
    assert recognizer.path == default_model_path() and recognizer.is_shipped
    assert recognizer.network.sizes[0] == 784 and recognizer.network.sizes[-1] == 10
    record = read_model_file()["record"]
    assert recognizer.record == record
    info = recognizer.model_info()
    assert info["file"] == str(default_model_path()) and info["shipped"] is True
    assert info["test_accuracy"] == record["test_accuracy"] and info["date"] == record["date"]
    assert info["recipe"] == record["command"] and info["epochs"] == record["epochs"]
    assert recognizer.describe() == (f"shipped model digit_model.pkl, trained {record['date'][:10]}, "
                                     f"MNIST test {100 * record['test_accuracy']:.2f}%")
    assert "Recognizer(" in repr(recognizer) and "Network(" in repr(recognizer)


def test_load_with_a_path(tmp_path):
    path = save_model(Network([784, 10], seed=0), tmp_path / "m.pkl", {"test_accuracy": 0.5})
    r = Recognizer.load(path)
    assert r.path == path and r.network.sizes == [784, 10] and not r.is_shipped
    assert r.record == {"test_accuracy": 0.5} and r.describe() == "model m.pkl, MNIST test 50.00%"


def test_load_of_a_bad_model_is_a_model_error(tmp_path):
    path = tmp_path / "bad.pkl"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError):
        Recognizer.load(path)


@pytest.mark.parametrize("name", sorted(DRAWN))
@pytest.mark.parametrize("width", [10, 18])
def test_clear_drawn_digits_are_recognised(recognizer, name, width):
    digit, strokes = DRAWN[name]
    prediction = recognizer.predict(render_strokes(strokes, (280, 280), width))
    assert prediction.digit == digit
    assert prediction.is_sure


def test_prediction_fields(recognizer, seven):
    p = recognizer.predict(seven)
    assert isinstance(p, Prediction) and not p.is_empty
    assert p.probabilities.shape == (10,)
    assert p.probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert (p.probabilities >= 0).all()
    assert p.digit == int(np.argmax(p.probabilities))
    assert p.confidence == pytest.approx(float(p.probabilities.max()))
    assert p.input.shape == (28, 28)
    np.testing.assert_array_equal(p.input, preprocess(seven).reshape(28, 28))
    d = p.to_dict()
    assert d["digit"] == p.digit and len(d["probabilities"]) == 10
    assert d["confidence"] == pytest.approx(p.confidence, abs=1e-6)


def test_probabilities_follow_the_networks_outputs(recognizer, seven):
    """The oracle: the network's ten outputs for the preprocessed input, normalised."""
    x = preprocess(seven)
    out = recognizer.network.feedforward(x).ravel().astype(np.float64)
    p = recognizer.predict(seven)
    np.testing.assert_allclose(p.probabilities, out / out.sum(), rtol=1e-5)


@pytest.mark.parametrize("blank", [Image.new("L", (280, 280), 0), Image.new("L", (100, 60), 255),
                                   np.zeros((28, 28))], ids=["black", "white", "zeros"])
def test_blank_drawing_has_no_digit(recognizer, blank):
    p = recognizer.predict(blank)
    assert p.digit is None and p.is_empty and not p.is_sure
    assert p.confidence == 0.0
    assert p.probabilities.shape == (10,) and not p.probabilities.any()
    assert p.input.shape == (28, 28) and not p.input.any()
    assert p.to_dict()["digit"] is None


def test_pil_array_and_path_give_the_same(recognizer, seven, tmp_path):
    path = tmp_path / "seven.png"
    seven.save(path)
    by_image = recognizer.predict(seven)
    for other in (recognizer.predict(np.asarray(seven)), recognizer.predict(path), recognizer.predict(str(path))):
        assert other.digit == by_image.digit
        np.testing.assert_allclose(other.probabilities, by_image.probabilities, atol=1e-6)
        np.testing.assert_allclose(other.input, by_image.input, atol=1e-6)


def test_ink_argument_is_passed_on(recognizer, seven):
    dark_on_light = Image.eval(seven, lambda v: 255 - v)
    p = recognizer.predict(dark_on_light, ink="dark")
    np.testing.assert_allclose(p.probabilities, recognizer.predict(seven).probabilities, atol=1e-6)
    assert recognizer.predict(dark_on_light, ink="light").digit is None  # the wrong way round: nothing


def test_bad_file_is_an_image_error(recognizer, tmp_path):
    path = tmp_path / "x.png"
    path.write_text("no")
    with pytest.raises(ImageError):
        recognizer.predict(path)


def test_unsure_threshold():
    net = Network([784, 10], seed=0, dtype=np.float64)
    net.weights[0][:] = 0.0
    net.biases[0][:] = 0.0
    net.biases[0][3] = 3.0  # digit 3 clearly ahead of nine equal others
    x = np.ones((784, 1), np.float32)
    p = Recognizer(net, unsure_below=0.5).predict_input(x)
    expected = 1 / (1 + np.exp(-3.0))
    assert p.digit == 3
    assert p.confidence == pytest.approx(expected / (expected + 9 * 0.5))
    assert not p.is_sure  # about 0.17
    assert Recognizer(net, unsure_below=0.1).predict_input(x).is_sure


def test_shipped_model_mnist_test_accuracy(recognizer, mnist_data):
    _, _, (images, labels) = mnist_data
    correct = recognizer.network.evaluate((images, labels))
    assert correct / len(labels) >= 0.974


def test_recognizer_agrees_with_the_network_on_mnist_inputs(recognizer, mnist_data):
    _, _, (images, labels) = mnist_data
    for image in images[:20]:
        p = recognizer.predict_input(image.reshape(784, 1))
        assert p.digit == int(np.argmax(recognizer.network.feedforward(image.reshape(784, 1))))
