"""digitapp.recognizer: the shipped model plus preprocessing, as the app and the CLI use it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitapp.model_io import ModelError, default_model_path, read_model_file, save_model
from digitapp.network2 import Network
from digitapp.imagefile import ImageError
from digitapp.preprocess import FIELD, preprocess
from digitapp.recognizer import Prediction, Reading, Recognizer
from digitapp.strokes import CANVAS_SIDE, render_strokes
from harness.shapes import DIGITS, number_on_canvas, on_canvas, place

SIDE = CANVAS_SIDE

#: Where on the app's canvas a user puts a digit: large in the middle, small in a corner, slanted.
PLACES = {
    "large": lambda d: on_canvas(d),
    "small-top-left": lambda d: place(DIGITS[d], 0.1 * SIDE, 0.05 * SIDE, 0.35 * SIDE),
    "slanted": lambda d: place(DIGITS[d], 0.15 * SIDE, 0.12 * SIDE, 0.72 * SIDE, slant=0.3),
}


@pytest.fixture(scope="module")
def recognizer():
    return Recognizer.load()


@pytest.fixture(scope="module")
def seven():
    return render_strokes(on_canvas(7), (SIDE, SIDE), 18)


def test_load_without_a_path_gives_the_shipped_model(recognizer):
    assert recognizer.path == default_model_path() and recognizer.info.shipped
    assert recognizer.network.sizes[0] == 784 and recognizer.network.sizes[-1] == 10
    record = read_model_file()["record"]
    assert recognizer.record == record
    info = recognizer.info
    assert info.file == default_model_path() and info.shipped is True
    assert info.test_accuracy == record["test_accuracy"] and info.date == record["date"]
    assert info.recipe == record["command"] and info.epochs == record["epochs"]
    assert recognizer.describe() == (f"shipped model digit_model.pkl, trained {record['date'][:10]}, "
                                     f"MNIST test {100 * record['test_accuracy']:.2f}%")
    assert "Recognizer(" in repr(recognizer) and "Network(" in repr(recognizer)


def test_load_with_a_path(tmp_path):
    path = save_model(Network([784, 10], seed=0), tmp_path / "m.pkl", {"test_accuracy": 0.5})
    r = Recognizer.load(path)
    assert r.path == path and r.network.sizes == [784, 10] and not r.info.shipped
    assert r.record == {"test_accuracy": 0.5} and r.describe() == "model m.pkl, MNIST test 50.00%"


def test_load_of_a_bad_model_is_a_model_error(tmp_path):
    path = tmp_path / "bad.pkl"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError):
        Recognizer.load(path)


@pytest.mark.parametrize("digit", range(10))
@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize("width", [10, 18])
def test_clear_drawn_digits_are_recognised(recognizer, digit, where, width):
    strokes = PLACES[where](digit)
    for prediction in (recognizer.predict(render_strokes(strokes, (SIDE, SIDE), width)),
                       recognizer.predict_strokes(strokes)):
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
    assert p.input.shape == (FIELD, FIELD)
    np.testing.assert_array_equal(p.input, preprocess(seven).reshape(FIELD, FIELD))
    d = p.to_dict()
    assert d["digit"] == p.digit and len(d["probabilities"]) == 10
    assert d["confidence"] == pytest.approx(p.confidence, abs=1e-6)


def test_probabilities_follow_the_networks_outputs(recognizer, seven):
    """The oracle: the network's ten outputs for the preprocessed input, normalised."""
    x = preprocess(seven)
    out = recognizer.network.feedforward(x).ravel().astype(np.float64)
    p = recognizer.predict(seven)
    np.testing.assert_allclose(p.probabilities, out / out.sum(), rtol=1e-5)


@pytest.mark.parametrize("blank", [Image.new("L", (SIDE, SIDE), 0), Image.new("L", (100, 60), 255),
                                   np.zeros((28, 28))], ids=["black", "white", "zeros"])
def test_blank_drawing_has_no_digit(recognizer, blank):
    p = recognizer.predict(blank)
    assert p.digit is None and p.is_empty and not p.is_sure
    assert p.confidence == 0.0
    assert p.probabilities.shape == (10,) and not p.probabilities.any()
    assert p.input.shape == (FIELD, FIELD) and not p.input.any()
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


@pytest.mark.mnist
def test_shipped_model_mnist_test_accuracy(recognizer, mnist_data):
    _, _, (images, labels) = mnist_data
    correct = recognizer.network.evaluate((images, labels))
    assert correct / len(labels) >= 0.974


@pytest.mark.mnist
def test_recognizer_agrees_with_the_network_on_mnist_inputs(recognizer, mnist_data):
    _, _, (images, labels) = mnist_data
    for image in images[:20]:
        p = recognizer.predict_input(image.reshape(784, 1))
        assert p.digit == int(np.argmax(recognizer.network.feedforward(image.reshape(784, 1))))


# ---------------------------------------------------------------- readings: every digit, left to right

@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize("digit", range(10))
def test_a_single_digit_is_a_reading_of_one_exactly_as_predict(recognizer, digit, where):
    strokes = PLACES[where](digit)
    reading = recognizer.read_strokes(strokes)
    alone = recognizer.predict_strokes(strokes)
    assert reading.text == str(digit) and len(reading) == 1 and reading.strokes == (tuple(range(len(strokes))),)
    np.testing.assert_array_equal(reading.predictions[0].probabilities, alone.probabilities)
    np.testing.assert_array_equal(reading.predictions[0].input, alone.input)
    image = render_strokes(strokes, (SIDE, SIDE), 18)
    from_image = recognizer.read(image)
    assert from_image.text == str(digit)
    np.testing.assert_array_equal(from_image.predictions[0].probabilities, recognizer.predict(image).probabilities)


def test_reading_fields(recognizer):
    strokes = number_on_canvas("2026", 640, 320)
    reading = recognizer.read_strokes(strokes)
    assert isinstance(reading, Reading) and reading.text == "2026" and len(reading) == 4
    assert all(isinstance(p, Prediction) and p.input.shape == (FIELD, FIELD) for p in reading.predictions)
    for p, members in zip(reading.predictions, reading.strokes):  # each digit's own input
        np.testing.assert_array_equal(p.input, recognizer.predict_strokes([strokes[i] for i in members]).input)
    for box, members in zip(reading.boxes, reading.strokes):
        xs = [x for i in members for x, _ in strokes[i]]
        assert box[0] <= min(xs) and max(xs) <= box[2]
    assert [b[0] for b in reading.boxes] == sorted(b[0] for b in reading.boxes)
    assert reading.unsure == [i for i, p in enumerate(reading.predictions) if not p.is_sure]
    d = reading.to_dict()
    assert d["text"] == "2026" and [x["digit"] for x in d["digits"]] == [2, 0, 2, 6]
    assert all(len(x["box"]) == 4 and len(x["probabilities"]) == 10 for x in d["digits"])
    assert reading.describe().startswith("2026 (2 ") and repr(reading).startswith("Reading('2026'")


def test_an_unsure_digit_stays_in_the_text_and_is_marked():
    sure = Prediction(4, 0.99, np.eye(10)[4], np.zeros((FIELD, FIELD)))
    unsure = Prediction(2, 0.41, np.eye(10)[2] * 0.41, np.zeros((FIELD, FIELD)))
    reading = Reading((sure, unsure), ((0, 0, 9, 9), (10, 0, 19, 9)), ((0,), (1,)))
    assert reading.text == "42" and reading.unsure == [1] and reading.marked_text == "42?"
    assert reading.describe() == "42 (4 99%, 2? 41%)"


def test_read_of_a_picture_of_a_number(recognizer, tmp_path):
    image = Image.eval(render_strokes(number_on_canvas("90817", 800, 240), (800, 240), 14), lambda v: 255 - v)
    path = tmp_path / "number.png"
    image.save(path)
    for source in (image, path, np.asarray(image)):
        reading = recognizer.read(source)
        assert reading.text == "90817"
        assert all(p.input.shape == (FIELD, FIELD) and p.input.max() == pytest.approx(1.0) for p in reading.predictions)
        assert all(0 <= b[0] <= b[2] < 800 and 0 <= b[1] <= b[3] < 240 for b in reading.boxes)
    assert recognizer.read(image, ink="light").is_empty  # the wrong way round: nothing
    with pytest.raises(ImageError):
        recognizer.read(tmp_path / "missing.png")


# ---------------------------------------------------------------- "not a digit"

def one_output_network(strength: float, winner: int = 3) -> Network:
    """A Network([784, 10]) whose outputs are 0.01 except ``winner``'s, which is ``strength``."""
    net = Network([784, 10], seed=0, dtype=np.float64)
    net.weights[0][:] = 0.0
    net.biases[0][:] = np.log(0.01 / 0.99)
    net.biases[0][winner] = np.log(strength / (1 - strength))
    return net


@pytest.mark.parametrize("strength, verdict", [(0.99, "sure"), (0.6, "not sure"), (0.3, "not sure"),
                                               (0.05, "not a digit")])
def test_verdict_follows_the_strongest_raw_output(strength, verdict):
    p = Recognizer(one_output_network(strength), none_below=0.2, weak_below=0.85, unsure_below=0.5).predict_input(
        np.ones((784, 1), np.float32))
    assert p.digit == 3 and p.strongest == pytest.approx(strength)
    assert p.outputs.shape == (10,) and p.probabilities.sum() == pytest.approx(1.0)
    assert p.verdict == verdict and p.is_digit == (verdict != "not a digit") and p.is_sure == (verdict == "sure")
    d = p.to_dict()
    assert d["verdict"] == verdict and d["is_digit"] == p.is_digit and d["sure"] == p.is_sure
    assert d["outputs"][3] == pytest.approx(strength, abs=1e-6) and len(d["outputs"]) == 10


def test_not_sure_is_a_digit_with_a_close_second():
    net = one_output_network(0.95)
    net.biases[0][5] = np.log(0.9 / 0.1)  # 5 nearly as strong as 3
    p = Recognizer(net, none_below=0.2, weak_below=0.85, unsure_below=0.6).predict_input(np.ones((784, 1), np.float32))
    assert p.verdict == "not sure" and p.is_digit and not p.is_sure


def test_blank_verdict_is_empty(recognizer):
    p = recognizer.predict_input(None)
    assert p.verdict == "empty" and not p.is_digit and p.to_dict()["verdict"] == "empty"


def test_a_hand_made_prediction_without_outputs_counts_as_a_digit():
    p = Prediction(3, 0.42, np.eye(10)[3], np.zeros((FIELD, FIELD)))
    assert p.is_digit and p.strongest == 0.42 and p.verdict == "not sure"


@pytest.mark.parametrize("style", ["1-flag-base", "4-open-one", "6-round-open", "7-crossed", "9-curled", "0-slashed"])
def test_shipped_model_reads_styles_outside_mnist(recognizer, style):
    from harness.styles import STYLES, draw_style

    answers = [recognizer.predict_strokes([s.tolist() for s in draw_style(style, np.random.default_rng([9, k]))])
               for k in range(10)]
    assert sum(p.digit == STYLES[style].digit for p in answers) >= 8


@pytest.mark.parametrize("shape", ["scribble", "hash", "A", "plus", "dash", "star"])
def test_shipped_model_flags_non_digits(recognizer, shape):
    from harness.styles import draw_non_digit

    answers = [recognizer.predict_strokes([s.tolist() for s in draw_non_digit(shape, np.random.default_rng([9, k]))[0]])
               for k in range(10)]
    assert sum(not p.is_sure for p in answers) >= 8


@pytest.mark.parametrize("seed", [10, 28])
def test_a_photo_of_chalk_taken_the_wrong_way_round_at_first_is_read_right(recognizer, seed):
    """Chalk on a dark board (bench.photos' light ink): the polarity's first guess is dark ink, and that way
    round the 1 was read 5 or nothing.  Read both ways round, the network's stronger claim wins."""
    from tests.test_preprocess import photo_pair

    clean, photo = photo_pair("one", seed, light=True)
    assert recognizer.predict(photo, ink="dark").digit != 1
    assert recognizer.predict(photo).digit == recognizer.predict(clean).digit == 1
    assert recognizer.read(photo).text == "1"
