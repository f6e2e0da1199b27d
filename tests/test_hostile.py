"""The hostile corpus (:mod:`hostile`) through ``load_model``, ``digitapp predict`` and the window's open path.

A file is handled when the process neither crashes nor hangs, says one line
naming the file and what is wrong (no traceback, no library internals),
stays under the memory cap and 5 s a file, and goes on with the next file.
Every run below is a separate process under ``RLIMIT_AS`` = 1 GB with a
timeout, so a segfault, a hang or a memory blow-up fails the test instead of
the test run.
"""

from __future__ import annotations

import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import assert_one_line_naming
from digitapp.model_io import ModelError, load_model
from digitapp.imagefile import ImageError, load_image
from hostile import (MEMORY_CAP, SECONDS_PER_FILE, VALID_IMAGES, image_recipes, model_recipes, run_capped,
                     write)

#: Hundreds of files, each through its own capped process: the full run only (docs/development.md).
pytestmark = pytest.mark.slow

HOSTILE = str(Path(__file__).with_name("hostile.py"))
#: Words that give away a library's internals or a traceback in what the user reads.
INTERNALS = re.compile(r"Traceback|\w+Error\b|Exception|Errno|Memo value|pickle data|PIL\b|numpy|\b0x[0-9a-f]{6}")
MODEL_RECIPES = model_recipes()
IMAGE_RECIPES = image_recipes()


def must_refuse(name: str) -> bool:
    """Corpus images no reader may open: other formats, programs, garbage, sizes past the limit."""
    return name.startswith(("other-format-", "postscript", "eps", "pdf", "html", "text", "empty", "random", "gzip",
                            "pickle", "transparent-13000", "png-header-100000", "bmp-100000", "tiff-100000",
                            "pgm-60000", "jpeg-65500", "fifo", "folder", "dev-zero", "dangling", "missing"))


def may_load(name: str) -> bool:
    """Corpus models that can be valid: the shipped model with a byte of its weights flipped, odd records."""
    return "-flipped" in name or name.endswith("-loads")


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> list[Path]:
    return write(tmp_path_factory.mktemp("hostile") / "models", MODEL_RECIPES, ".pkl")


@pytest.fixture(scope="session")
def images(tmp_path_factory) -> list[Path]:
    return write(tmp_path_factory.mktemp("hostile") / "images", IMAGE_RECIPES)


@pytest.fixture(scope="session")
def valid_images(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("valid")
    for name, recipe in VALID_IMAGES.items():
        (folder / name).write_bytes(recipe())
    return [folder / name for name in VALID_IMAGES]


#: One model file of each class for the runs that need a process per file (about 1 s each).
SAMPLE = ("opcode-GLOBAL", "opcode-STACK_GLOBAL", "opcode-INST", "opcode-REDUCE", "opcode-NEWOBJ", "opcode-EXT1",
          "opcode-BINPERSID", "object-array-version", "version-1-file", "declared-huge-network",
          "deep-lists-100000", "wide-list-2M", "colliding-int-keys-1MB", "shared-lists-2-to-the-60",
          "string-declared-2-to-the-62", "version-1MB-string", "nan-weights", "short-data",
          "shipped-truncated-at-1024", "shipped-truncated-at-306176", "odd-record-loads", "fifo", "folder",
          "dev-zero", "missing")


def model_sample(models: list[Path]) -> list[Path]:
    return [p for p in models if p.stem in SAMPLE]


def assert_handled(message: str, path: Path) -> None:
    """One line naming the file, saying what is wrong in our words, not a library's."""
    assert_one_line_naming(message, path)
    assert not INTERNALS.search(message.replace(str(path), "FILE")), message


def results(stdout: str) -> dict[str, dict]:
    found = [json.loads(line) for line in stdout.splitlines()]
    assert len({r["file"] for r in found}) == len(found)
    return {r["file"]: r for r in found}


def test_the_corpus_is_big_and_covers_every_class(models, images):
    assert len(models) >= 100 and len(images) >= 100
    names = " ".join(p.name for p in models + images)
    for kind in ("opcode-GLOBAL", "opcode-STACK_GLOBAL", "opcode-REDUCE", "opcode-BUILD", "opcode-INST",
                 "opcode-OBJ", "opcode-NEWOBJ", "opcode-EXT1", "opcode-PERSID", "object-array-version",
                 "declared-huge-network", "deep-lists", "colliding-int-keys", "shared-lists", "truncated-at",
                 "fifo", "dev-zero", "folder", "postscript", "transparent-13000x13000", "other-format-dds",
                 "other-format-spider", "other-format-im", "tiff-lzw-fuzzed", "webp-fuzzed", "jpeg-fuzzed"):
        assert kind in names, kind


# ---------------------------------------------------------------- in this process: one test per file

@pytest.mark.parametrize("name", MODEL_RECIPES)
def test_each_model_file_is_refused_in_one_line(models, name):
    path = next(p for p in models if p.name == f"{name}.pkl")
    try:
        network = load_model(path)
    except ModelError as err:
        assert_handled(str(err), path)
    else:
        assert may_load(name), f"{name} loaded as {network!r}"


@pytest.mark.parametrize("name", IMAGE_RECIPES)
def test_each_image_is_read_or_refused_in_one_line(images, name):
    path = next(p for p in images if p.name == name)
    try:
        load_image(path)
    except ImageError as err:
        assert_handled(str(err), path)
    else:
        assert not must_refuse(name), f"{name} opened"


@pytest.mark.parametrize("kind", ["fifo", "folder", "dev-zero", "dangling", "missing"])
def test_files_that_are_not_files_are_one_line_errors(models, images, kind):
    for paths, error, read in ((models, ModelError, load_model), (images, ImageError, load_image)):
        path = next(p for p in paths if p.name.startswith(kind))
        with pytest.raises(error) as info:
            read(path)
        assert_handled(str(info.value), path)


# ---------------------------------------------------------------- in capped processes

def assert_each_handled(done, paths: list[Path], succeeded) -> dict[str, dict]:
    """A runner's report: every file once, in time, and handled unless ``succeeded(path, message)``."""
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    found = results(done.stdout)
    assert set(found) == {str(p) for p in paths}
    for path in paths:
        result = found[str(path)]
        assert result["seconds"] < SECONDS_PER_FILE, result
        if not succeeded(path, result["message"]):
            assert_handled(result["message"], path)
    return found


def model_loaded(path: Path, message: str) -> bool:
    return may_load(path.stem) and message.startswith("loaded")


def test_models_through_load_model_in_a_capped_process(models):
    done = run_capped([sys.executable, HOSTILE, "load", *map(str, models)], len(models))
    assert_each_handled(done, models, model_loaded)


def _predict_with_model(model: Path, image: Path):
    return model, run_capped([sys.executable, "-m", "digitapp", "predict", "--model", str(model), str(image)], 1)


def test_models_through_digitapp_predict(models, valid_images):
    sample = model_sample(models)
    assert len(sample) == len(SAMPLE)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(_predict_with_model, sample, [valid_images[0]] * len(sample)))
    for model, done in runs:
        if may_load(model.stem) and done.returncode == 0:
            continue
        assert done.returncode == 2, (model.name, done.returncode, done.stderr[-2000:])
        assert done.stdout == ""
        assert_handled(done.stderr, model)


def test_images_through_digitapp_predict(images, valid_images):
    files = valid_images + images
    done = run_capped([sys.executable, "-m", "digitapp", "predict", *map(str, files)], len(files))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    out, err = done.stdout.splitlines(), done.stderr.splitlines()
    assert len(out) + len(err) == len(files), "one line per file"
    for path in files:
        lines = [line for line in out + err if f"{path}:" in line]
        assert len(lines) == 1, (path.name, lines)
        if lines[0] in err or must_refuse(path.name):
            assert_handled(lines[0], path)
    for path in valid_images:
        assert any(f"{path}:" in line for line in out), f"{path.name} was not recognised"


@pytest.mark.gui
def test_images_through_the_windows_open_path(display, images, valid_images):  # noqa: F811
    files = valid_images + images
    done = run_capped([sys.executable, HOSTILE, "gui-images", *map(str, files)], len(files),
                      env={"DISPLAY": display})
    found = assert_each_handled(done, files, lambda path, message: message == "opened" and not must_refuse(path.name))
    assert all(found[str(path)]["message"] == "opened" for path in valid_images)


@pytest.mark.gui
def test_models_through_the_window(display, models):  # noqa: F811
    sample = model_sample(models)
    done = run_capped([sys.executable, HOSTILE, "gui-models", *map(str, sample)], len(sample),
                      env={"DISPLAY": display})
    assert_each_handled(done, sample, model_loaded)


def test_the_cap_is_real():
    """A process that wants more than MEMORY_CAP is stopped: the runs above cannot hide a blow-up."""
    done = run_capped([sys.executable, "-c", f"bytearray({MEMORY_CAP})"], 1)
    assert done.returncode != 0 and "MemoryError" in done.stderr
