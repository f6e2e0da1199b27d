"""Saving and loading trained networks, safely.

A model file (format version 2) is a pickle of plain data and nothing else:
dicts with str keys, lists, str, int, float, bool, None and bytes.  Each
array is a dict ``{"dtype": "<f4" or "<f8", "shape": [rows, columns],
"data": raw little-endian bytes}``, rebuilt with ``numpy.frombuffer`` once
the byte count matches the shape.  No class instance, no NumPy object and no
global of any kind is in the file, so renaming a module cannot break it and
loading it cannot run code.

Loading does not use pickle's Unpickler at all.  ``pickletools.genops``
reads the opcodes and :func:`_plain_pickle` builds the value from the few
opcodes plain data needs; every other opcode, above all those that reach a
global (GLOBAL, STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ, EXT*,
PERSID), is refused.  Building the value ourselves is what lets the loader
bound nesting depth, entry count, key types and shared references as each
opcode arrives: a restricted Unpickler could refuse globals, but its C memo
and dict inserts cannot be bounded from Python (a file of colliding integer
keys keeps it busy for half a minute before any check runs).  Version 1
files (ndarrays pickled through NumPy's globals) are refused; the shipped
model was converted, bit for bit.

The file records the cost and (since the activations came) the hidden
layers' ``activation``; a file without it is a sigmoid network, as every
file was before.  A model saved by the book's chapter 3 code
(``network2.save``: plain JSON) is read too, by
:func:`digitapp.network2.read_json_model` with this module's size limits.

Saving writes a temporary file and renames it, so a crash never destroys
the previous model.
"""

from __future__ import annotations

import errno
import math
import pickle
import pickletools
from pathlib import Path

import numpy as np

from .files import atomic_write, read_regular_file, reason
from .activations import ACTIVATIONS
from .network import COSTS, Network
from .network2 import read_json_model

FORMAT = "digitapp-network"
VERSION = 2
MODEL_NAME = "digit_model.pkl"
INPUTS, OUTPUTS = 784, 10      # a digit model reads a 28x28 field and answers one of 10 digits

MAX_PARAMETERS = 5_000_000     # 25x the shipped model; keeps a loaded model well under 100 MB
MAX_LAYERS = 10
MAX_BYTES = 8 * MAX_PARAMETERS + (1 << 20)  # float64 weights plus a generous training record
MAX_DEPTH = 12                 # the record's history is the deepest part: 4 levels
MAX_OPCODES = 500_000          # a record of 1,000 epochs takes about 20,000
MAX_TEXT = 10_000              # characters in one string
ADVICE = "use another model file or retrain with 'digitapp train'"
DTYPES = {"<f4": np.dtype("<f4"), "<f8": np.dtype("<f8")}

# Opcodes that can reach Python code or objects other than plain data.
_CODE_OPCODES = {"GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "INST", "OBJ", "NEWOBJ", "NEWOBJ_EX",
                 "EXT1", "EXT2", "EXT4", "PERSID", "BINPERSID"}
_LEAVES = (str, bytes, int, float, bool, type(None))


class ModelError(Exception):
    """A model file that cannot be used; the message is one line naming the file."""


class UnreadableModel(ModelError):
    """A model file the system will not let us read (permissions, a disk error): it may be fine, so it is
    never set aside as corrupt."""


class _Refused(Exception):
    """What is wrong with a model file, said in a few words."""


def default_model_path() -> Path:
    """The model that ships with digitapp: in the installed package, or in models/ of a source checkout."""
    package = Path(__file__).resolve().parent
    installed, checkout = package / "models" / MODEL_NAME, package.parent / "models" / MODEL_NAME
    return checkout if not installed.is_file() and checkout.is_file() else installed


# ---------------------------------------------------------------- saving

def _plain(value, room: int = MAX_DEPTH - 2):
    """The record as plain data within the loader's bounds (str keys, no tuples, NumPy scalars, NaN,
    overlong texts or deeper nesting than ``room``), so that whatever is saved loads back."""
    if isinstance(value, (dict, list, tuple)) and room > 0:
        if isinstance(value, dict):
            return {_plain(str(k)): _plain(v, room - 1) for k, v in value.items()}
        return [_plain(v, room - 1) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 63:
        return float(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)[:MAX_TEXT].encode("utf-8", "replace").decode("utf-8")


def encode_array(array: np.ndarray) -> dict:
    """An array as plain data: little-endian bytes, their dtype and the shape."""
    dtype = np.dtype(array.dtype).newbyteorder("<")
    return {"dtype": dtype.str, "shape": list(array.shape),
            "data": np.ascontiguousarray(array, dtype=dtype).tobytes()}


def save_model(network: Network, path, record: dict | None = None) -> Path:
    """Write ``network`` and its training ``record`` to ``path`` atomically, in format version 2."""
    path = Path(path)
    if ACTIVATIONS.get(getattr(network.activation, "name", None)) is not network.activation:
        raise ValueError(f"cannot save a network with activation {network.activation!r}: a model file "
                         f"names one of {', '.join(ACTIVATIONS)}")
    data = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": [int(s) for s in network.sizes],
        "cost": network.cost.name,
        "activation": network.activation.name,
        "weights": [encode_array(w) for w in network.weights],
        "biases": [encode_array(b) for b in network.biases],
        "record": _plain(record or {}),
    }
    with atomic_write(path) as out:
        pickle.dump(data, out, protocol=4)
    return path


# ---------------------------------------------------------------- loading

def read_model_file(path=None) -> dict:
    """The checked contents of a model file; raises ModelError with one line naming the file.

    The dict has ``sizes``, ``cost``, ``activation`` (names), ``weights`` and
    ``biases`` (lists of float arrays) and ``record``.  A file that starts
    with ``{`` is read as the book's network2 JSON.
    """
    path = Path(path) if path is not None else default_model_path()
    try:
        raw = read_regular_file(path, MAX_BYTES)
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file; train one with 'digitapp train'") from None
    except OSError as err:
        kind = ModelError if err.errno == errno.EFBIG else UnreadableModel
        raise kind(f"{path}: cannot read it as a model file ({reason(err)}); {ADVICE}") from None
    try:
        return _checked_json(raw) if raw.lstrip()[:1] == b"{" else _checked(_plain_pickle(raw))
    except _Refused as why:
        raise ModelError(f"{path}: not a usable digitapp model ({why}); {ADVICE}") from None


def _plain_pickle(raw: bytes):
    """The plain data a pickle holds, built from an allow-list of opcodes with every bound checked."""
    stack: list = []      # (value, nesting depth) pairs
    marks: list = []      # where each open MARK is on the stack
    memo: dict = {}
    ops = 0
    try:
        for opcode, arg, _ in pickletools.genops(raw):
            ops += 1
            if ops > MAX_OPCODES:
                raise _Refused(f"more than {MAX_OPCODES} pickle opcodes")
            name = opcode.name
            if name in _CODE_OPCODES:
                raise _Refused(f"it asks for Python code (pickle opcode {name}), as hostile files "
                               f"and models older than format version {VERSION} do")
            if name in ("PROTO", "FRAME"):
                continue
            if name == "STOP":
                if len(stack) != 1 or marks:
                    raise _Refused("corrupt pickle")
                return stack[0][0]
            if name in _PUSH:
                value = _PUSH[name](arg)
                if isinstance(value, float) and not math.isfinite(value):
                    raise _Refused("a number is NaN or infinite")
                if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 63:
                    raise _Refused("a number is too large")
                if isinstance(value, str) and (len(value) > MAX_TEXT or not is_utf8(value)):
                    raise _Refused(f"a text of more than {MAX_TEXT} characters or not UTF-8")
                stack.append((value, 0))
            elif name == "MARK":
                marks.append(len(stack))
            elif name in ("MEMOIZE", "BINPUT", "LONG_BINPUT"):
                if not stack:
                    raise _Refused("corrupt pickle")
                memo[len(memo) if name == "MEMOIZE" else arg] = stack[-1][0]
            elif name in ("BINGET", "LONG_BINGET"):
                if arg not in memo:
                    raise _Refused("corrupt pickle (a reference to nothing)")
                if not isinstance(memo[arg], _LEAVES):
                    raise _Refused("a list or dict appears twice, which plain data never does")
                stack.append((memo[arg], 0))
            elif name in ("APPEND", "APPENDS", "SETITEM", "SETITEMS"):
                _fill(stack, marks, name)
            else:
                raise _Refused(f"pickle opcode {name}, which plain data never needs")
    except _Refused:
        raise
    except Exception:  # genops: truncated data, unknown opcode, bad UTF-8, ...
        raise _Refused("corrupt or truncated file") from None
    raise _Refused("corrupt or truncated file")


_PUSH = {
    "NONE": lambda arg: None, "NEWTRUE": lambda arg: True, "NEWFALSE": lambda arg: False,
    "EMPTY_LIST": lambda arg: [], "EMPTY_DICT": lambda arg: {},
    **dict.fromkeys(("BININT", "BININT1", "BININT2", "LONG1", "LONG4", "BINFLOAT",
                     "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8",
                     "SHORT_BINBYTES", "BINBYTES", "BINBYTES8"), lambda arg: arg),
}


def is_utf8(text: str) -> bool:
    """False for lone surrogates, which pickle lets through but Tk and printing do not."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fill(stack: list, marks: list, name: str) -> None:
    """APPEND(S) / SETITEM(S): move values from the stack into the list or dict below them."""
    if name in ("APPENDS", "SETITEMS"):
        if not marks:
            raise _Refused("corrupt pickle")
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
    else:
        count = 2 if name == "SETITEM" else 1
        if len(stack) < count:
            raise _Refused("corrupt pickle")
        items = stack[-count:]
        del stack[-count:]
    if not stack or (marks and marks[-1] > len(stack) - 1):
        raise _Refused("corrupt pickle")
    container, depth = stack[-1]
    deepest = max((d for _, d in items), default=-1) + 1
    if deepest >= MAX_DEPTH:
        raise _Refused(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(container, list) and name.startswith("APPEND"):
        container.extend(value for value, _ in items)
    elif isinstance(container, dict) and name.startswith("SETITEM"):
        if len(items) % 2:
            raise _Refused("corrupt pickle")
        keys = [key for key, _ in items[0::2]]
        if not all(type(key) is str for key in keys):
            raise _Refused("a dict key is not a string")
        container.update(zip(keys, (value for value, _ in items[1::2])))
    else:
        raise _Refused("corrupt pickle")
    stack[-1] = (container, max(depth, deepest))


def layers_problem(sizes: list[int]) -> str | None:
    """Why a network of these layer sizes cannot be a digit model, or None (train checks before it starts)."""
    if len(sizes) > MAX_LAYERS:
        return f"{len(sizes)} layers, more than the {MAX_LAYERS} a model may have"
    if sizes[0] != INPUTS or sizes[-1] != OUTPUTS:
        return f"layers {sizes[0]} -> ... -> {sizes[-1]}, a digit model has {INPUTS} -> ... -> {OUTPUTS}"
    parameters = sum(x * y + y for x, y in zip(sizes[:-1], sizes[1:]))
    if parameters > MAX_PARAMETERS:
        return f"{parameters} parameters, more than the {MAX_PARAMETERS} a model may have"
    return None


def _short(value) -> str:
    """A value for an error message: cut short, never recursed into."""
    if isinstance(value, (str, bytes)):
        return repr(value[:30]) + ("..." if len(value) > 30 else "")
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    return f"a {type(value).__name__}"


def _checked(data) -> dict:
    """The file's dict with its arrays rebuilt, after checking every part against the format."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _Refused("unknown format")
    version = data.get("version")
    if version != VERSION or type(version) is not int:
        raise _Refused(f"format version {_short(version)}, this digitapp reads version {VERSION}")
    sizes = data.get("sizes")
    if not (isinstance(sizes, list) and 2 <= len(sizes) <= MAX_LAYERS
            and all(type(s) is int and 0 < s <= MAX_PARAMETERS for s in sizes)):
        raise _Refused("bad layer sizes")
    problem = layers_problem(sizes)
    if problem:
        raise _Refused(problem)
    cost = data.get("cost")
    if not (isinstance(cost, str) and cost in COSTS):
        raise _Refused(f"unknown cost {_short(cost)}")
    activation = data.get("activation", "sigmoid")
    if not (isinstance(activation, str) and activation in ACTIVATIONS):
        raise _Refused(f"unknown activation {_short(activation)}")
    weights, biases = data.get("weights"), data.get("biases")
    if not (isinstance(weights, list) and isinstance(biases, list)
            and len(weights) == len(biases) == len(sizes) - 1):
        raise _Refused("wrong number of layers")
    record = data.get("record", {})
    if not isinstance(record, dict):
        raise _Refused("the record is not a dict")
    layers = list(zip(sizes[:-1], sizes[1:]))
    weights = [_decode_array(w, (y, x), f"layer {x}->{y} weights") for (x, y), w in zip(layers, weights)]
    biases = [_decode_array(b, (y, 1), f"layer {x}->{y} biases") for (x, y), b in zip(layers, biases)]
    if len({a.dtype for a in weights + biases}) != 1:
        raise _Refused("layers of different dtypes")
    return {"format": FORMAT, "version": VERSION, "sizes": sizes, "cost": cost, "activation": activation,
            "weights": weights, "biases": biases, "record": record}


def _checked_json(raw: bytes) -> dict:
    """A model saved by the book's network2 code, checked as a pickled one is, with an empty record."""
    try:
        parts = read_json_model(raw, MAX_BYTES, MAX_PARAMETERS)
    except ValueError as why:
        raise _Refused(f"network2 JSON: {why}") from None
    problem = layers_problem(parts["sizes"])
    if problem:
        raise _Refused(problem)
    return {"format": FORMAT, "version": VERSION, "sizes": parts["sizes"], "cost": parts["cost"].name,
            "activation": parts["activation"].name, "weights": parts["weights"], "biases": parts["biases"],
            "record": {}}


def _decode_array(stored, shape: tuple[int, int], what: str) -> np.ndarray:
    """One array from its plain-data form, refused unless dtype, shape and byte count all match."""
    if not (isinstance(stored, dict) and set(stored) == {"dtype", "shape", "data"}):
        raise _Refused(f"{what} are not a stored array")
    dtype = DTYPES.get(stored["dtype"]) if isinstance(stored["dtype"], str) else None
    if dtype is None:
        raise _Refused(f"{what} have dtype {_short(stored['dtype'])}, expected one of {', '.join(DTYPES)}")
    if stored["shape"] != list(shape):
        raise _Refused(f"{what} have the wrong shape")
    data = stored["data"]
    if not isinstance(data, bytes) or len(data) != shape[0] * shape[1] * dtype.itemsize:
        raise _Refused(f"{what} hold the wrong number of bytes")
    array = np.frombuffer(data, dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)
    if not np.isfinite(array).all():
        raise _Refused(f"{what} hold NaN or infinite values")
    return array


def network_from(data: dict) -> Network:
    """The Network that ``read_model_file``'s checked contents describe (its weights copied)."""
    return Network.from_weights(data["weights"], data["biases"], cost=data["cost"],
                                activation=data.get("activation", "sigmoid"))


def load_model(path=None) -> Network:
    """The network stored at ``path`` (default: the shipped model); ``read_model_file`` gives its record."""
    return network_from(read_model_file(path))
