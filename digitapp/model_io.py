"""Saving and loading trained networks.

A model file is a pickle of plain data (a dict of str, int, float, list and
NumPy arrays), never of a class instance, so renaming a module cannot break
it.  Loading uses an unpickler that can build nothing but NumPy arrays, so a
hostile file is refused before it can run anything.  Saving writes a
temporary file and renames it, so a crash never destroys the previous model.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np

from .files import atomic_write, read_whole
from .network import COSTS, Network

FORMAT = "digitapp-network"
VERSION = 1
MAX_BYTES = 200 * 1024 * 1024
MODEL_NAME = "digit_model.pkl"

# The globals a pickled ndarray needs, in NumPy 1.x and 2.x spellings.
_ALLOWED = {
    (module, name)
    for module in ("numpy.core.multiarray", "numpy._core.multiarray")
    for name in ("_reconstruct",)
} | {
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
}


class ModelError(Exception):
    """A model file that cannot be used; the message is one line naming the file."""


class _ArraysOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to load {module!r}.{name!r}")


def default_model_path() -> Path:
    """The model that ships with digitapp: in the installed package, or in models/ of a source checkout."""
    package = Path(__file__).resolve().parent
    installed, checkout = package / "models" / MODEL_NAME, package.parent / "models" / MODEL_NAME
    return checkout if not installed.is_file() and checkout.is_file() else installed


def _plain(value):
    """The record as builtins only, so loading it needs nothing but the allowed globals."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def save_model(network: Network, path, record: dict | None = None) -> Path:
    """Write ``network`` and its training ``record`` to ``path`` atomically."""
    path = Path(path)
    data = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": list(network.sizes),
        "cost": network.cost.name,
        "weights": [np.ascontiguousarray(w) for w in network.weights],
        "biases": [np.ascontiguousarray(b) for b in network.biases],
        "record": _plain(record or {}),
    }
    with atomic_write(path) as out:
        pickle.dump(data, out, protocol=4)
    return path


def read_model_file(path=None) -> dict:
    """The checked contents of a model file; raises ModelError with one line naming the file."""
    path = Path(path) if path is not None else default_model_path()
    try:
        raw = read_whole(path, MAX_BYTES, "a model file", ModelError)
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file; train one with 'digitapp train'") from None
    try:
        data = _ArraysOnlyUnpickler(io.BytesIO(raw)).load()
    except pickle.UnpicklingError as err:
        raise ModelError(f"{path}: not a digitapp model ({err})") from None
    except Exception as err:  # truncated or garbled pickles raise many kinds of error
        raise ModelError(f"{path}: corrupt or truncated model file ({type(err).__name__})") from None
    _check(data, path)
    data.setdefault("record", {})
    return data


def _check(data, path):
    def bad(why):
        return ModelError(f"{path}: not a valid digitapp model ({why}); retrain with 'digitapp train'")

    if not isinstance(data, dict) or not _is(data.get("format"), str, FORMAT):
        raise bad("unknown format")
    if not _is(data.get("version"), int, VERSION):
        raise bad(f"format version {str(data.get('version'))[:20]!r}, this digitapp reads {VERSION}")
    sizes = data.get("sizes")
    if not (isinstance(sizes, list) and len(sizes) >= 2 and all(isinstance(s, int) and s > 0 for s in sizes)):
        raise bad("bad layer sizes")
    if not (isinstance(data.get("cost"), str) and data["cost"] in COSTS):
        raise bad(f"unknown cost {str(data.get('cost'))[:40]!r}")
    weights, biases = data.get("weights"), data.get("biases")
    if not (isinstance(weights, list) and isinstance(biases, list)
            and len(weights) == len(biases) == len(sizes) - 1):
        raise bad("wrong number of layers")
    for x, y, w, b in zip(sizes[:-1], sizes[1:], weights, biases):
        if not (isinstance(w, np.ndarray) and isinstance(b, np.ndarray)
                and w.shape == (y, x) and b.shape == (y, 1)
                and w.dtype.kind == "f" and b.dtype.kind == "f"):
            raise bad(f"layer {x}->{y} has the wrong shape or type")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise bad(f"layer {x}->{y} holds NaN or infinite values")
    if not isinstance(data.get("record", {}), dict):
        raise bad("record is not a dict")


def _is(value, kind, expected) -> bool:
    return isinstance(value, kind) and value == expected


def network_from(data: dict) -> Network:
    """The Network that ``read_model_file``'s checked contents describe."""
    network = Network(data["sizes"], cost=data["cost"], seed=0, dtype=data["weights"][0].dtype)
    network.weights = [np.array(w) for w in data["weights"]]
    network.biases = [np.array(b) for b in data["biases"]]
    return network


def load_model(path=None) -> Network:
    """The network stored at ``path`` (default: the shipped model); ``read_model_file`` gives its record."""
    return network_from(read_model_file(path))
