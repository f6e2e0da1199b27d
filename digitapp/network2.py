"""Nielsen's chapter 3 ``network2.py``: ``from digitapp import network2`` in place of ``import network2``.

The same class as :mod:`digitapp.network` with chapter 3's defaults: the
cross-entropy cost and N(0, 1/n_in) weights (``default_weight_initializer``;
``large_weight_initializer`` gives chapter 1's), ``lmbda``, the four
monitor flags and the four lists ``SGD`` returns, and ``save(filename)`` /
``load(filename)`` in the book's JSON format::

    {"sizes": [784, 30, 10], "weights": [[[...]]], "biases": [[[...]]], "cost": "CrossEntropyCost"}

``load`` reads that format without running anything from the file (the
book's looks the cost up with ``getattr`` on the module): the cost must be
one of the table's, the arrays of the stated shapes and finite, and the
file within a size limit.  A file the book's own code saved loads here,
and one saved here loads in the book's code (an activation other than
sigmoid is stored as an extra ``"activation"`` key, which the book ignores).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from .activations import ACTIVATIONS, Sigmoid, activation_named
from .network import (COST_ALIASES, COSTS, CrossEntropyCost, LogLikelihoodCost, QuadraticCost, sigmoid,
                      sigmoid_prime)
from .network import Network as _Network

__all__ = ["Network", "QuadraticCost", "CrossEntropyCost", "LogLikelihoodCost", "load", "save",
           "read_json_model", "vectorized_result", "sigmoid", "sigmoid_prime"]

#: The largest JSON file ``load`` reads: about 8 million parameters as the book writes them.
MAX_JSON_BYTES = 200 * 1024 * 1024
#: The most parameters (weights and biases) a JSON model may have.
MAX_JSON_PARAMETERS = 10_000_000
#: The book's name for each cost in the file.
BOOK_NAMES = {QuadraticCost: "QuadraticCost", CrossEntropyCost: "CrossEntropyCost",
              LogLikelihoodCost: "LogLikelihoodCost"}


class Network(_Network):
    """``network2.Network([784, 30, 10], cost=CrossEntropyCost)``: chapter 3's defaults.

    Everything else is :class:`digitapp.network.Network`'s; only the
    defaults differ (cross-entropy, N(0, 1/n_in) weights for sigmoid
    neurons, "Epoch j training complete").
    """

    sigmoid_initializer = "default"
    epoch_done = "training complete"

    def __init__(self, sizes: Sequence[int], cost=CrossEntropyCost, seed: int | None = None,
                 dtype=np.float64, activation=Sigmoid, weight_initializer: str | None = None):
        super().__init__(sizes, cost=cost, seed=seed, dtype=dtype, activation=activation,
                         weight_initializer=weight_initializer)

    def save(self, filename) -> None:
        """Save the network to ``filename`` in the book's JSON format."""
        save(self, filename)


def save(network: _Network, filename) -> None:
    """Write ``network`` to ``filename`` as the book's network2 JSON (float64 values, as the book's)."""
    data = {"sizes": list(network.sizes),
            "weights": [w.astype(np.float64).tolist() for w in network.weights],
            "biases": [b.astype(np.float64).tolist() for b in network.biases],
            "cost": BOOK_NAMES.get(network.cost, network.cost.name)}
    if network.activation is not Sigmoid:
        data["activation"] = network.activation.name
    with open(filename, "w") as f:
        json.dump(data, f)


def load(filename) -> Network:
    """Load a network saved by ``save`` (here or in the book); ValueError with a one-line reason if it cannot be."""
    path = Path(filename)
    with open(path, "rb") as f:
        raw = f.read(MAX_JSON_BYTES + 1)
    try:
        parts = read_json_model(raw)
    except ValueError as why:
        raise ValueError(f"{path}: not a network2 JSON model ({why})") from None
    return Network.from_weights(parts["weights"], parts["biases"], parts["cost"], parts["activation"])


def read_json_model(raw: bytes | str, max_bytes: int = MAX_JSON_BYTES,
                    max_parameters: int = MAX_JSON_PARAMETERS) -> dict:
    """The checked parts of a book JSON model: ``sizes``, ``cost`` and ``activation`` (classes),
    ``weights`` and ``biases`` (float64 arrays).  Raises ValueError saying in a few words what is wrong."""
    if len(raw) > max_bytes:
        raise ValueError(f"more than {max_bytes} bytes")
    raw = raw.encode() if isinstance(raw, str) else raw
    # Every number but the last of a list is followed by a comma: a cheap bound, before parsing, on how
    # many Python floats (32 bytes each) the parser could build.
    if raw.count(b",") > max_parameters + 64:
        raise ValueError(f"more numbers than the {max_parameters} parameters a model may have")

    def refuse_constant(name):
        raise ValueError(f"a number is {name}")

    try:
        data = json.loads(raw, parse_constant=refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON at character {err.pos}") from None
    except ValueError as err:  # NaN or Infinity, an integer of thousands of digits, text that is not UTF-8
        raise ValueError(str(err) if str(err).startswith("a number is") else "not valid JSON") from None
    if not isinstance(data, dict) or not {"sizes", "weights", "biases", "cost"} <= set(data):
        raise ValueError('not a dict with "sizes", "weights", "biases" and "cost"')
    sizes = data["sizes"]
    if not (isinstance(sizes, list) and len(sizes) >= 2
            and all(type(s) is int and 0 < s <= max_parameters for s in sizes)):
        raise ValueError("bad layer sizes")
    parameters = sum(x * y + y for x, y in zip(sizes[:-1], sizes[1:]))
    if parameters > max_parameters:
        raise ValueError(f"{parameters} parameters, more than {max_parameters}")
    cost = data["cost"]
    cost = (COST_ALIASES.get(cost) or COSTS.get(cost)) if isinstance(cost, str) else None
    if cost is None:
        raise ValueError(f"unknown cost {str(data['cost'])[:40]!r}")
    activation = data.get("activation", "sigmoid")
    if not (isinstance(activation, str) and activation in ACTIVATIONS):
        raise ValueError(f"unknown activation {str(activation)[:40]!r}")
    weights, biases = data["weights"], data["biases"]
    if not (isinstance(weights, list) and isinstance(biases, list)
            and len(weights) == len(biases) == len(sizes) - 1):
        raise ValueError("wrong number of layers")
    layers = list(zip(sizes[:-1], sizes[1:]))
    weights = [_array(w, (y, x), f"layer {x}->{y} weights") for (x, y), w in zip(layers, weights)]
    biases = [_array(b, (y, 1), f"layer {x}->{y} biases") for (x, y), b in zip(layers, biases)]
    return {"sizes": list(sizes), "cost": cost, "activation": activation_named(activation),
            "weights": weights, "biases": biases}


def _array(value, shape: tuple[int, int], what: str) -> np.ndarray:
    """A nested list of numbers as a float64 array of ``shape``; ValueError otherwise."""
    if not (isinstance(value, list) and len(value) == shape[0]
            and all(isinstance(row, list) and len(row) == shape[1] for row in value)):
        raise ValueError(f"{what} are not a {shape[0]}x{shape[1]} list of lists")
    if not all(type(v) in (int, float) for row in value for v in row):
        raise ValueError(f"{what} hold something other than numbers")
    array = np.array(value, dtype=np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{what} hold infinite values")
    return array


def vectorized_result(j: int, n: int = 10) -> np.ndarray:
    """A (n, 1) column with 1.0 in place j: the book's one-hot target."""
    e = np.zeros((n, 1))
    e[j] = 1.0
    return e
