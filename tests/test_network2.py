"""digitapp.network2: chapter 3's defaults, and the book's JSON files read and written safely."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import assert_one_line_naming, synthetic
from digitapp import network, network2
from digitapp.activations import ReLU, Sigmoid
from digitapp.model_io import ModelError, network_from, read_model_file, save_model


def test_chapter_3_defaults():
    net = network2.Network([784, 30, 10], seed=0)
    assert net.cost is network2.CrossEntropyCost and net.activation is Sigmoid
    assert net.weights[0].std() == pytest.approx(1 / np.sqrt(784), rel=0.02)
    net.large_weight_initializer()
    assert net.weights[0].std() == pytest.approx(1.0, rel=0.02)
    net.default_weight_initializer()
    assert net.weights[0].std() == pytest.approx(1 / np.sqrt(784), rel=0.02)
    assert network2.vectorized_result(3).ravel().tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]


def test_save_writes_the_books_json_and_load_reads_it_back(tmp_path):
    net = network2.Network([6, 5, 3], seed=1)
    X, labels = synthetic(30)
    net.SGD((X, labels), 2, 10, 0.5, lmbda=0.1, verbose=False)
    path = tmp_path / "net.json"
    net.save(path)
    data = json.loads(path.read_text())
    assert set(data) == {"sizes", "weights", "biases", "cost"}  # exactly the book's keys
    assert data["sizes"] == [6, 5, 3] and data["cost"] == "CrossEntropyCost"
    assert np.array(data["weights"][0]).shape == (5, 6) and np.array(data["biases"][1]).shape == (3, 1)
    loaded = network2.load(path)
    assert type(loaded) is network2.Network and loaded.cost is net.cost and loaded.sizes == net.sizes
    for p, q in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        np.testing.assert_array_equal(p, q)  # JSON keeps every float64 bit


def test_other_costs_and_activations_round_trip(tmp_path):
    net = network.Network([4, 6, 3], cost="log-likelihood", activation="relu", seed=2, dtype=np.float32)
    network2.save(net, tmp_path / "relu.json")
    data = json.loads((tmp_path / "relu.json").read_text())
    assert data["cost"] == "LogLikelihoodCost" and data["activation"] == "relu"
    loaded = network2.load(tmp_path / "relu.json")
    assert loaded.activation is ReLU and loaded.cost is network2.LogLikelihoodCost
    x = np.linspace(0, 1, 4).reshape(1, 4)
    np.testing.assert_allclose(loaded.feedforward(x), net.feedforward(x.astype(np.float32)), rtol=1e-6)


BOOK_JSON = """{"sizes": [2, 2, 1],
 "weights": [[[1.0, -1.0], [0.5, 2]], [[3.0, -2.0]]],
 "biases": [[[0.0], [-1.0]], [[0.25]]],
 "cost": "QuadraticCost"}"""


def test_a_hand_written_book_file_loads_and_computes_the_layer_formula(tmp_path):
    (tmp_path / "book.json").write_text(BOOK_JSON)
    net = network2.load(tmp_path / "book.json")
    assert net.sizes == [2, 2, 1] and net.cost is network2.QuadraticCost and net.dtype == np.float64
    x = np.array([[0.3], [0.8]])
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    hidden = sigmoid(np.array([[1.0, -1.0], [0.5, 2.0]]) @ x + np.array([[0.0], [-1.0]]))
    expected = sigmoid(np.array([[3.0, -2.0]]) @ hidden + 0.25)
    np.testing.assert_allclose(net.feedforward(x), expected, rtol=1e-12)


@pytest.mark.parametrize("text, why", [
    ("not json", "not valid JSON at character 0"),
    ("\xff{", "not valid JSON"),
    (BOOK_JSON.replace("[[0.25]]", "[[" + "1" * 5000 + "]]"), "not valid JSON"),
    ("[1, 2]", '"sizes"'),
    (BOOK_JSON.replace('"QuadraticCost"', '"__import__(\'os\').system"'), "unknown cost"),
    (BOOK_JSON.replace("[[0.25]]", "[[NaN]]"), "NaN"),
    (BOOK_JSON.replace("[[0.25]]", "[[1e999]]"), "infinite"),
    (BOOK_JSON.replace("[[0.25]]", "[[0.25, 1]]"), "biases are not"),
    (BOOK_JSON.replace("[[0.25]]", '[["0.25"]]'), "other than numbers"),
    (BOOK_JSON.replace("[2, 2, 1]", "[2, 2, 2]"), "are not"),
    (BOOK_JSON.replace("[2, 2, 1]", "[2, 2, true]"), "layer sizes"),
    (BOOK_JSON.replace("[2, 2, 1]", "[2, 100000, 100000]"), "parameters"),
    (BOOK_JSON.replace('"cost"', '"activation": "cubic", "cost"'), "unknown activation"),
    ("[" * 100_000 + "]" * 100_000, "nested"),
])
def test_bad_files_are_refused_in_one_line(tmp_path, text, why):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError) as caught:
        network2.load(path)
    assert_one_line_naming(caught.value, path, why)


def test_a_file_of_more_numbers_than_parameters_is_refused_before_it_is_parsed(monkeypatch):
    raw = b'{"sizes": [2, 1], "weights": [[[' + b"0.5, " * 2_000_000 + b'0]]], "biases": [[[0]]], "cost": "CrossEntropyCost"}'
    monkeypatch.setattr(json, "loads", lambda *args, **kwargs: pytest.fail("parsed"))
    with pytest.raises(ValueError, match="more numbers than the 1000000 parameters"):
        network2.read_json_model(raw, max_parameters=1_000_000)


def test_the_app_opens_a_model_the_books_code_saved(tmp_path):
    net = network2.Network([784, 7, 10], seed=3)
    path = tmp_path / "book_model.json"
    # as the book's network2.save writes it: plain json.dump of lists and the cost's class name
    path.write_text(json.dumps({"sizes": net.sizes, "weights": [w.tolist() for w in net.weights],
                                "biases": [b.tolist() for b in net.biases], "cost": "CrossEntropyCost"}))
    data = read_model_file(path)
    assert data["cost"] == "cross-entropy" and data["activation"] == "sigmoid" and data["record"] == {}
    loaded = network_from(data)
    x = np.random.default_rng(0).random((3, 784))
    np.testing.assert_array_equal(loaded.feedforward(x), net.feedforward(x))


def test_the_app_refuses_a_book_model_that_is_not_a_digit_model_in_one_line(tmp_path):
    path = tmp_path / "xor.json"
    path.write_text(BOOK_JSON)
    with pytest.raises(ModelError) as caught:
        read_model_file(path)
    assert_one_line_naming(caught.value, path, "784")
    path.write_text(BOOK_JSON.replace("[[0.25]]", "[[NaN]]"))
    with pytest.raises(ModelError) as caught:
        read_model_file(path)
    assert_one_line_naming(caught.value, path, "NaN")


@pytest.mark.parametrize("activation", ["relu", "tanh", "swish"])
def test_model_files_record_the_activation_and_cost(tmp_path, activation):
    net = network.Network([784, 6, 5, 10], cost="log-likelihood", activation=activation, seed=4, dtype=np.float32)
    path = save_model(net, tmp_path / "m.pkl", {"epochs": 1})
    data = read_model_file(path)
    assert data["activation"] == activation and data["cost"] == "log-likelihood"
    loaded = network_from(data)
    assert loaded.activation is net.activation and loaded.cost is net.cost and loaded.dtype == np.float32
    x = np.random.default_rng(0).random((2, 784)).astype(np.float32)
    np.testing.assert_array_equal(loaded.feedforward(x), net.feedforward(x))


def test_the_shipped_model_still_loads_as_a_sigmoid_network():
    data = read_model_file()
    assert data["activation"] == "sigmoid" and data["cost"] == "cross-entropy"
    assert network_from(data).activation is Sigmoid


def test_a_network_with_an_activation_of_its_own_is_not_saved(tmp_path):
    class Cube:
        fn = staticmethod(lambda z: z ** 3)
        prime = staticmethod(lambda z: 3 * z ** 2)

    net = network.Network([784, 10], activation=Cube, seed=0)
    with pytest.raises(ValueError, match="activation"):
        save_model(net, tmp_path / "m.pkl")
