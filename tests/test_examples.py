"""examples/: each tutorial experiment runs with --small in a few seconds and writes its plots; the examples
use only digitapp's public API."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: What an example may import of the project: the book's modules and their public companions.
PUBLIC = {"digitapp", "digitapp.network", "digitapp.network2", "digitapp.optimizers", "digitapp.activations",
          "mnist_loader"}


def run_example(name: str, tmp_path: Path) -> tuple[str, Path]:
    out = tmp_path / "plots"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--small", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout, out


def assert_pngs(folder: Path, names: list[str]) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
    for name in names:
        with Image.open(folder / name) as image:
            assert image.format == "PNG" and min(image.size) > 100


@pytest.mark.mnist
def test_chapter1_learning_rate_and_hidden_neurons(mnist_data, tmp_path):
    out, plots = run_example("chapter1", tmp_path)
    for eta in ("0.1", "1", "3", "10", "30"):
        assert f"eta {eta} " in out
    assert "[784, 100, 10]" in out and "best after 2 epochs" in out
    assert_pngs(plots, ["chapter1_eta.png", "chapter1_hidden.png"])


@pytest.mark.mnist
def test_depth_shows_the_vanishing_gradient(mnist_data, tmp_path):
    out, plots = run_example("depth", tmp_path)
    line = next(l for l in out.splitlines() if "sigmoid, cross-entropy   3 hidden:" in l)
    sizes = [float(v) for v in line.split(":")[1].split(",")]
    assert sizes[0] < sizes[1] < sizes[2]  # the first hidden layer learns slowest (chapter 5)
    assert "relu, softmax, 3 hidden" in out
    assert_pngs(plots, ["depth.png"])


@pytest.mark.mnist
def test_activations_compared(mnist_data, tmp_path):
    out, plots = run_example("activations", tmp_path)
    for name in ("sigmoid", "tanh", "relu", "leaky-relu", "elu", "swish"):
        assert f"\n{name} " in out
    assert_pngs(plots, ["activation_functions.png", "activations.png"])


@pytest.mark.mnist
def test_optimizers_compared(mnist_data, tmp_path):
    out, plots = run_example("optimizers", tmp_path)
    assert "momentum 0.9, eta 0.02" in out and "adam, eta 0.001" in out and "training cost" in out
    assert_pngs(plots, ["optimizers_accuracy.png", "optimizers_cost.png"])


def test_xor_needs_a_hidden_layer(tmp_path):
    out, plots = run_example("xor", tmp_path)
    rows = {line[:26].strip(): line.rstrip() for line in out.splitlines() if line.startswith("[2")}
    assert rows["[2, 4, 1], tanh"].endswith("4 / 4") and rows["[2, 4, 1], sigmoid"].endswith("4 / 4")
    assert not rows["[2, 1]: no hidden layer"].endswith("4 / 4")  # one straight line cannot
    assert_pngs(plots, ["xor.png"])


def test_circles_relu_learns_the_boundary(tmp_path):
    out, plots = run_example("circles", tmp_path)
    accuracy = {line[:16].strip(): float(line.split()[-1].rstrip("%")) for line in out.splitlines()
                if line.startswith(("sigmoid,", "relu,"))}
    assert accuracy["relu, SGD"] >= 95 and accuracy["sigmoid, SGD"] < 80
    assert_pngs(plots, ["circles.png"])


def test_without_out_the_plots_go_to_a_new_temporary_folder(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(EXAMPLES / "xor.py"), "--small"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    plot = Path(done.stdout.strip().splitlines()[-1].removeprefix("plot: "))
    assert plot.is_file() and plot.parent.parent == tmp_path


def test_examples_use_only_the_public_api():
    scripts = sorted(EXAMPLES.glob("*.py"))
    assert {p.stem for p in scripts} >= {"chapter1", "depth", "activations", "optimizers", "xor", "circles"}
    for path in scripts:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.split(".")[0] in ("digitapp", "mnist_loader"):
                    assert name in PUBLIC, f"{path.name} imports {name}"
