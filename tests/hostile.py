"""A corpus of hostile and broken model files and images, made on the spot, and a runner for it.

Nothing here is committed as a binary blob: every file is built by the
recipes below (hand-made pickles and image headers, fuzzed copies of small
valid files, truncations of the shipped model), so a reader can see what
each one tries.  ``python tests/hostile.py load|gui FILE...`` runs files
through ``load_model`` or the window's open-image path in a process the
tests start with a memory cap, and prints one JSON line per file.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import resource
import struct
import subprocess
import sys
import time
import warnings
import zlib
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
MEMORY_CAP = 1 << 30      # bytes of address space a process of the corpus run may use
SECONDS_PER_FILE = 5.0

Recipe = Callable[[], bytes]


# ---------------------------------------------------------------- model files

def _model_dict(**changes) -> dict:
    """A valid version 2 model as plain data (784-3-10), with ``changes`` applied."""
    rng = np.random.default_rng(0)
    sizes = [784, 3, 10]
    weights = [rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]
    biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]

    def stored(a):
        return {"dtype": "<f8", "shape": list(a.shape), "data": a.astype("<f8").tobytes()}

    data = {"format": "digitapp-network", "version": 2, "sizes": sizes, "cost": "cross-entropy",
            "weights": [stored(w) for w in weights], "biases": [stored(b) for b in biases], "record": {}}
    for key, value in changes.items():
        data[key] = value(data) if callable(value) else value
    return data


def _dumps(**changes) -> Recipe:
    return lambda: pickle.dumps(_model_dict(**changes), protocol=4)


def _unicode(text: str) -> bytes:
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE


class _Reduce:
    """Pickles as a call of ``func(*args)``: what an attacker's file holds."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _object_array_version() -> bytes:
    """The issue's 106-byte file: version = numpy.ndarray((1,), 'O', b'AAAAAAAA'), a pointer the file chose."""
    return (b"\x80\x03}(" + b"X\x06\x00\x00\x00format" + b"X\x10\x00\x00\x00digitapp-network"
            + b"X\x07\x00\x00\x00version" + b"cnumpy\nndarray\n(K\x01\x85X\x01\x00\x00\x00OC\x08AAAAAAAAtR" + b"u.")


def _declared_huge_network() -> bytes:
    """The issue's 300-byte file: a [784, 300000, 10] network whose weights are never stored."""
    return pickle.dumps({"format": "digitapp-network", "version": 2, "sizes": [784, 300_000, 10],
                         "cost": "cross-entropy", "weights": [], "biases": [], "record": {}}, protocol=4)


def _version_1_file() -> bytes:
    """A model as version 1 stored it: ndarrays, which need NumPy's globals."""
    data = _model_dict(version=1)
    data["weights"] = [np.zeros((3, 784)), np.zeros((10, 3))]
    data["biases"] = [np.zeros((3, 1)), np.zeros((10, 1))]
    return pickle.dumps(data, protocol=4)


def _deep_lists(depth: int) -> bytes:
    return b"\x80\x04" + b"]" * depth + b"a" * (depth - 1) + b"."


def _deep_dicts(depth: int) -> bytes:
    return b"\x80\x04" + (b"}" + _unicode("k")) * depth + b"}" + b"s" * depth + b"."


def _colliding_int_keys(size: int = 1 << 20) -> bytes:
    """A dict of integer keys that all hash alike (multiples of 2**61 - 1): quadratic to build."""
    items, n, total = [], 0, 0
    while total < size:
        n += 1
        key = n * (2**61 - 1)
        raw = key.to_bytes(key.bit_length() // 8 + 1, "little", signed=True)
        items.append(b"\x8a" + bytes([len(raw)]) + raw + b"N")  # LONG1 key, NONE value
        total += len(items[-1])
    return b"\x80\x04}(" + b"".join(items) + b"u."


def _shared_lists(levels: int = 60) -> bytes:
    """A list holding the previous list twice, 60 times over: 2**60 elements if walked."""
    out = b"\x80\x04]\x94"  # EMPTY_LIST MEMOIZE (memo 0)
    for k in range(levels):
        get = b"j" + struct.pack("<I", k)  # LONG_BINGET k
        out += b"](" + get + get + b"e\x94"  # [memo k, memo k] -> memo k+1
    return out + b"."


def _self_containing_list() -> bytes:
    return b"\x80\x04]\x94h\x00a."  # l = []; l.append(l)


def _wide_list(count: int) -> bytes:
    return b"\x80\x04](" + b"N" * count + b"e."


CODE_OPCODES: dict[str, bytes] = {
    "GLOBAL": b"\x80\x02cos\nsystem\n(X\x04\x00\x00\x00truetR.",
    "STACK_GLOBAL": b"\x80\x04" + _unicode("os") + _unicode("system") + b"\x93" + _unicode("true") + b"\x85R.",
    "INST": b"(" + _unicode("true") + b"ios\nsystem\n.",
    "OBJ": b"\x80\x02(]o.",
    "REDUCE": b"\x80\x02]]R.",
    "BUILD": b"\x80\x02]}b.",
    "NEWOBJ": b"\x80\x02]]\x81.",
    "NEWOBJ_EX": b"\x80\x04]]}\x92.",
    "EXT1": b"\x80\x02\x82\x01.",
    "EXT2": b"\x80\x02\x83\x01\x00.",
    "EXT4": b"\x80\x02\x84\x01\x00\x00\x00.",
    "PERSID": b"P1\n.",
    "BINPERSID": b"\x80\x02K\x01Q.",
}


def model_recipes() -> dict[str, Recipe]:
    """Every hostile or broken model file of the corpus, by name (the valid shipped model's damage included)."""
    recipes: dict[str, Recipe] = {f"opcode-{name}": (lambda raw=raw: raw) for name, raw in CODE_OPCODES.items()}
    recipes.update({
        "os-system-protocol-0": lambda: pickle.dumps(_Reduce(os.system, "true"), protocol=0),
        "os-system-protocol-2": lambda: pickle.dumps(_Reduce(os.system, "true"), protocol=2),
        "os-system-protocol-5": lambda: pickle.dumps(_Reduce(os.system, "true"), protocol=5),
        "eval-in-record": _dumps(record={"note": _Reduce(eval, "1")}),
        "object-array-version": _object_array_version,
        "version-1-file": _version_1_file,
        "declared-huge-network": _declared_huge_network,
        "sizes-2-to-the-62": _dumps(sizes=[784, 2**62, 10]),
        "sizes-huge-int": _dumps(sizes=[784, 10**40, 10]),
        "eleven-layers": _dumps(sizes=[784] + [10] * 10),
        "deep-lists-100": lambda: _deep_lists(100),
        "deep-lists-100000": lambda: _deep_lists(100_000),
        "deep-dicts-5000": lambda: _deep_dicts(5000),
        "deep-record": _dumps(record=lambda d: __import__("functools").reduce(lambda a, _: {"x": a}, range(30), {})),
        "wide-list-2M": lambda: _wide_list(2_000_000),
        "marks-200k": lambda: b"\x80\x04](" + b"](" * 200_000 + b"e" * 200_001 + b".",
        "colliding-int-keys-1MB": _colliding_int_keys,
        "shared-lists-2-to-the-60": _shared_lists,
        "self-containing-list": _self_containing_list,
        "memo-get-of-nothing": lambda: b"\x80\x04h\x07.",
        "string-declared-2-to-the-62": lambda: b"\x80\x04\x8d" + struct.pack("<Q", 2**62) + b"abc.",
        "bytes-declared-2-to-the-62": lambda: b"\x80\x04\x8e" + struct.pack("<Q", 2**62) + b"abc.",
        "version-1MB-string": _dumps(version="v" * (1 << 20)),
        "cost-100k-string": _dumps(cost="x" * 100_000),
        "version-huge-long4": lambda: b"\x80\x04}" + _unicode("version") + b"\x8b" + struct.pack("<I", 100_000)
        + b"\x7f" * 100_000 + b"s.",
        "text-int-5000-digits": lambda: b"I" + b"9" * 5000 + b"\n.",
        "set-opcodes": lambda: b"\x80\x04\x8f(K\x01\x90.",
        "frozenset-opcode": lambda: b"\x80\x04(K\x01\x91.",
        "tuple-opcodes": lambda: b"\x80\x04K\x01K\x02\x86.",
        "bytearray8": lambda: b"\x80\x05\x96" + struct.pack("<Q", 3) + b"abc.",
        "next-buffer": lambda: b"\x80\x05\x97.",
        "dup-and-pop": lambda: b"\x80\x04N2\x30.",
        "no-stop": lambda: b"\x80\x04}",
        "two-values-at-stop": lambda: b"\x80\x04NN.",
        "int-key-in-record": _dumps(record={1: 2}),
        "lone-surrogate-in-record": _dumps(record={"command": "digitapp train \ud800"}),
        "odd-record-loads": _dumps(record={"command": [1], "date": 5, "test_accuracy": "x", "epochs": True,
                                           "validation_accuracy": {"a": 1}, "history": "x" * 10_000}),
        "nan-in-record": _dumps(record={"test_accuracy": float("nan")}),
        "nan-weights": _dumps(weights=lambda d: [{**w, "data": np.full(w["shape"], np.nan).tobytes()}
                                                 for w in d["weights"]]),
        "inf-biases": _dumps(biases=lambda d: [{**b, "data": np.full(b["shape"], -np.inf).tobytes()}
                                               for b in d["biases"]]),
        "object-dtype": _dumps(weights=lambda d: [{**w, "dtype": "|O"} for w in d["weights"]]),
        "big-endian-dtype": _dumps(weights=lambda d: [{**w, "dtype": ">f8"} for w in d["weights"]]),
        "int-dtype": _dumps(weights=lambda d: [{**w, "dtype": "<i8"} for w in d["weights"]]),
        "dtype-is-a-list": _dumps(weights=lambda d: [{**w, "dtype": ["<f8"]} for w in d["weights"]]),
        "short-data": _dumps(weights=lambda d: [{**w, "data": w["data"][:-8]} for w in d["weights"]]),
        "long-data": _dumps(weights=lambda d: [{**w, "data": w["data"] + b"\0" * 8} for w in d["weights"]]),
        "negative-shape": _dumps(weights=lambda d: [{**w, "shape": [-w["shape"][0], -w["shape"][1]]}
                                                    for w in d["weights"]]),
        "transposed-shape": _dumps(weights=lambda d: [{**w, "shape": w["shape"][::-1]} for w in d["weights"]]),
        "shape-of-strings": _dumps(weights=lambda d: [{**w, "shape": ["3", "784"]} for w in d["weights"]]),
        "data-is-a-string": _dumps(weights=lambda d: [{**w, "data": "x" * len(w["data"])} for w in d["weights"]]),
        "weights-are-none": _dumps(weights=None),
        "too-many-weights": _dumps(weights=lambda d: d["weights"] * 50),
        "input-layer-783": _dumps(sizes=[783, 3, 10]),
        "output-layer-9": _dumps(sizes=[784, 3, 9]),
        "sizes-bool": _dumps(sizes=[784, True, 10]),
        "version-true": _dumps(version=True),
        "version-nested-list": _dumps(version=lambda d: [[[[1]]]]),
        "version-float": _dumps(version=2.0),
        "unknown-cost": _dumps(cost="hinge"),
        "record-is-a-list": _dumps(record=[1, 2, 3]),
        "format-is-bytes": _dumps(format=b"digitapp-network"),
        "a-list": lambda: pickle.dumps([1, 2, 3]),
        "random-bytes": lambda: np.random.default_rng(1).bytes(4096),
        "random-after-header": lambda: b"\x80\x04" + np.random.default_rng(2).bytes(4096),
        "empty": lambda: b"",
        "text": lambda: b"this is a text file\n",
        "png-named-pkl": lambda: _image_bytes("PNG"),
    })
    shipped = (ROOT / "models" / "digit_model.pkl").read_bytes()
    for end in range(0, len(shipped), 1024):
        recipes[f"shipped-truncated-at-{end}"] = lambda end=end: shipped[:end]
    rng = np.random.default_rng(3)
    for k, where in enumerate(sorted(rng.integers(0, 600, 12)) + sorted(rng.integers(0, len(shipped), 8))):
        recipes[f"shipped-byte-{where}-flipped"] = lambda where=int(where): _flip(shipped, [where])
    return recipes


def _flip(raw: bytes, positions) -> bytes:
    out = bytearray(raw)
    for where in positions:
        out[where] ^= 0xFF
    return bytes(out)


# ---------------------------------------------------------------- images

def _digit(mode: str = "L", size: int = 48) -> Image.Image:
    image = Image.new("L", (size, size), 255)
    ImageDraw.Draw(image).line([(size // 2, 6), (size // 2 - 3, size - 6)], fill=0, width=5)
    if mode == "RGBA":
        rgba = Image.new("RGBA", image.size, (0, 0, 0, 0))
        rgba.putalpha(Image.eval(image, lambda v: 255 - v))
        return rgba
    return image.convert(mode)


def _image_bytes(fmt: str, mode: str = "L", **options) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Pillow is retiring some of these formats
        _digit(mode).save(out, format=fmt, **options)
    return out.getvalue()


#: A small valid image for each allowed format (and variants), which the fuzzed copies start from.
VALID_IMAGES: dict[str, Recipe] = {
    "png-gray.png": lambda: _image_bytes("PNG"),
    "png-rgba.png": lambda: _image_bytes("PNG", "RGBA"),
    "png-palette.png": lambda: _image_bytes("PNG", "P", transparency=0),
    "jpeg.jpg": lambda: _image_bytes("JPEG", "RGB", quality=90),
    "jpeg-progressive.jpg": lambda: _image_bytes("JPEG", "L", progressive=True),
    "gif.gif": lambda: _image_bytes("GIF", "P"),
    "bmp.bmp": lambda: _image_bytes("BMP", "RGB"),
    "bmp-rle.bmp": lambda: _image_bytes("BMP", "P"),
    "tiff-raw.tif": lambda: _image_bytes("TIFF", "L"),
    "tiff-lzw.tif": lambda: _image_bytes("TIFF", "RGB", compression="tiff_lzw"),
    "tiff-deflate.tif": lambda: _image_bytes("TIFF", "RGBA", compression="tiff_adobe_deflate"),
    "webp.webp": lambda: _image_bytes("WEBP", "RGB"),
    "pgm.pgm": lambda: _image_bytes("PPM", "L"),
    "ppm.ppm": lambda: _image_bytes("PPM", "RGB"),
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, color_type: int, rows: Callable[[], bytes] | None = None,
         extra: bytes = b"") -> bytes:
    """A PNG written by hand; ``rows`` gives the raw scanlines (zeros when None), compressed in pieces."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    if rows is None:
        squeeze, row = zlib.compressobj(9), b"\0" * (1 + width * channels)
        idat = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    else:
        idat = zlib.compress(rows())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _tiff(width: int, height: int, strip_bytes: int) -> bytes:
    """A little-endian TIFF header whose one 8-bit strip claims ``width`` x ``height``."""
    tags = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8 + 2 + 12 * 9 + 4), (277, 3, 1), (278, 4, height), (279, 4, strip_bytes)]
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", t, kind, 1, v) for t, kind, v in tags)
    return b"II*\0" + struct.pack("<I", 8) + ifd + b"\0\0\0\0" + b"\x80" * min(strip_bytes, 4096)


def _other_format(fmt: str, mode: str = "L") -> Recipe:
    return lambda: _image_bytes(fmt, mode)


def image_recipes() -> dict[str, Recipe]:
    """Every hostile or broken image of the corpus, by file name; the valid ones are in VALID_IMAGES."""
    recipes: dict[str, Recipe] = {
        "postscript-loop.png": lambda: b"%!PS-Adobe-3.0\n{ } loop\n",
        "eps-loop.eps": lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n",
        "eps-binary-header.png": lambda: b"\xc5\xd0\xd3\xc6" + struct.pack("<IIIIII", 30, 20, 0, 0, 0, 0)
        + b"\xff\xff%!PS\n{ } loop\n",
        "pdf.png": _other_format("PDF", "RGB"),
        "transparent-13000x13000.png": lambda: _png(13000, 13000, 6),
        "transparent-6300x6300.png": lambda: _png(6300, 6300, 6),
        "png-header-100000x100000.png": lambda: _png(100_000, 100_000, 0, rows=lambda: b"\0" * 100),
        "png-ztxt-bomb.png": lambda: _png(8, 8, 0, extra=_chunk(b"zTXt", b"k\0\0" + zlib.compress(b"a" * 50_000_000))),
        "png-iccp-bomb.png": lambda: _png(8, 8, 0, extra=_chunk(b"iCCP", b"p\0\0" + zlib.compress(b"a" * 50_000_000))),
        "png-crc-wrong.png": lambda: _flip(_png(8, 8, 0), [29]),
        "jpeg-65500x65500.jpg": lambda: _jpeg_with_size(65500, 65500),
        "gif-screen-65535.gif": lambda: _patch(_image_bytes("GIF", "P"), 6, struct.pack("<HH", 65535, 65535)),
        "gif-frame-65535.gif": lambda: _gif_frame_size(65535, 65535),
        "bmp-100000x100000.bmp": lambda: _patch(_image_bytes("BMP", "RGB"), 18, struct.pack("<ii", 100_000, 100_000)),
        "bmp-negative-height.bmp": lambda: _patch(_image_bytes("BMP", "RGB"), 18, struct.pack("<ii", 48, -2**31)),
        "png-300k-chunks.png": lambda: _png(8, 8, 0, extra=_chunk(b"abCd", b"") * 300_000),
        "pgm-5MB-of-spaces.pgm": lambda: b"P5" + b" " * 5_000_000 + b"8 8 255\n" + bytes(64),
        "pgm-60000x60000.pgm": lambda: b"P5\n60000 60000\n255\n" + b"\0" * 1000,
        "pgm-maxval-0.pgm": lambda: b"P5\n8 8\n0\n" + b"\0" * 64,
        "ppm-comment-forever.ppm": lambda: b"P6\n" + b"#" * 2_000_000,
        "tiff-100000x100000.tif": lambda: _tiff(100_000, 100_000, 1 << 30),
        "tiff-strip-2GB.tif": lambda: _tiff(64, 64, 2**31),
        "webp-16383x16383.webp": lambda: _patch(_image_bytes("WEBP", "RGB"), 26, struct.pack("<HH", 16383, 16383)),
        "html.png": lambda: b"<html><body>not an image</body></html>\n",
        "text.jpg": lambda: b"just some text\n",
        "empty.png": lambda: b"",
        "random.png": lambda: np.random.default_rng(5).bytes(3000),
        "gzip.png": lambda: zlib.compress(b"\0" * 100_000),
        "pickle.png": lambda: pickle.dumps(_Reduce(os.system, "true")),
    }
    for fmt, mode in (("DDS", "RGBA"), ("IM", "L"), ("SPIDER", "F"), ("PCX", "L"), ("TGA", "L"), ("SGI", "L"),
                      ("MSP", "1"), ("XBM", "1"), ("ICNS", "RGBA"), ("ICO", "RGBA"), ("QOI", "RGBA")):
        recipes[f"other-format-{fmt.lower()}.png"] = _other_format(fmt, mode)
        for seed in range(2):
            recipes[f"other-format-{fmt.lower()}-fuzzed-{seed}.png"] = (
                lambda fmt=fmt, mode=mode, seed=seed: _fuzz(_image_bytes(fmt, mode), seed))
    for name, recipe in VALID_IMAGES.items():
        stem, suffix = name.rsplit(".", 1)
        for seed in range(6):
            recipes[f"{stem}-fuzzed-{seed}.{suffix}"] = lambda recipe=recipe, seed=seed: _fuzz(recipe(), seed)
        for fraction in (0.1, 0.5, 0.9):
            recipes[f"{stem}-truncated-{int(fraction * 100)}.{suffix}"] = (
                lambda recipe=recipe, fraction=fraction: (lambda raw: raw[:int(len(raw) * fraction)])(recipe()))
    return recipes


def _patch(raw: bytes, offset: int, new: bytes) -> bytes:
    return raw[:offset] + new + raw[offset + len(new):]


def _fuzz(raw: bytes, seed: int, header: int = 128, flips: int = 6) -> bytes:
    """``raw`` with a few random bytes of its header replaced (the bytes decoders trust most)."""
    rng = np.random.default_rng(seed)
    out = bytearray(raw)
    for where in rng.integers(0, min(header, len(out)), flips):
        out[where] = int(rng.integers(0, 256))
    return bytes(out)


def _jpeg_with_size(width: int, height: int) -> bytes:
    raw = _image_bytes("JPEG", "L")
    sof = raw.index(b"\xff\xc0")
    return _patch(raw, sof + 5, struct.pack(">HH", height, width))


def _gif_frame_size(width: int, height: int) -> bytes:
    raw = _image_bytes("GIF", "P")
    return _patch(raw, raw.index(b"\x2c") + 5, struct.pack("<HH", width, height))


# ---------------------------------------------------------------- writing the corpus

def write(folder: Path, recipes: dict[str, Recipe], suffix: str = "") -> list[Path]:
    """Write each recipe as ``folder/NAME+suffix``; plus the files that are not files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, recipe in recipes.items():
        path = folder / f"{name}{suffix}"
        path.write_bytes(recipe())
        paths.append(path)
    return paths + special_files(folder, suffix or ".png")


def special_files(folder: Path, suffix: str) -> list[Path]:
    """A FIFO, a folder, /dev/zero, a dangling link and a missing file, each under a name with ``suffix``."""
    fifo, directory, zero = folder / f"fifo{suffix}", folder / f"folder{suffix}", folder / f"dev-zero{suffix}"
    dangling, missing = folder / f"dangling{suffix}", folder / f"missing{suffix}"
    os.mkfifo(fifo)
    directory.mkdir()
    zero.symlink_to("/dev/zero")
    dangling.symlink_to(folder / "nothing-here")
    return [fifo, directory, zero, dangling, missing]


# ---------------------------------------------------------------- running it

def capped() -> None:
    """preexec_fn for a corpus process: at most MEMORY_CAP of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(argv: list[str], files: int, env: dict | None = None) -> subprocess.CompletedProcess:
    """``argv`` in a process under the memory cap, allowed SECONDS_PER_FILE per file plus start-up."""
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=environment, preexec_fn=capped,
                          timeout=10 + SECONDS_PER_FILE * files)


def _load(paths: list[str]) -> None:
    from digitapp.model_io import ModelError, load_model

    for path in paths:
        started = time.perf_counter()
        try:
            network = load_model(path)
            message = f"loaded {network!r}"
        except ModelError as err:
            message = str(err)
        _report(path, message, started)


def _gui(paths: list[str], what: str) -> None:
    import tkinter as tk

    from digitapp.gui.app import App, load_personal
    from digitapp.recognizer import Recognizer

    class Dialogs:
        def __init__(self, root=None):
            self.errors: list[str] = []

        def error(self, title, message):
            self.errors.append(message)

    root = tk.Tk()
    if what == "models":
        for path in paths:
            started, dialogs = time.perf_counter(), Dialogs()
            personal, _ = load_personal(root, path, dialogs)
            if personal is not None:
                App(tk.Toplevel(root), personal, dialogs)  # shows what the model's record says
            _report(path, " | ".join(dialogs.errors) or f"loaded {personal.recognizer!r}", started)
        return
    dialogs = Dialogs()
    app = App(root, Recognizer.load(), dialogs)
    for path in paths:
        started, before = time.perf_counter(), len(dialogs.errors)
        opened = app.open_image(path)
        root.update()
        new = dialogs.errors[before:]
        _report(path, " | ".join(new) if new else ("opened" if opened else "nothing happened"), started)
    root.destroy()


def _report(path: str, message: str, started: float) -> None:
    print(json.dumps({"file": path, "message": message, "seconds": time.perf_counter() - started}), flush=True)


if __name__ == "__main__":
    mode, *files = sys.argv[1:]
    if mode == "load":
        _load(files)
    else:
        _gui(files, mode.removeprefix("gui-"))
