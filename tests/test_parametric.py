"""harness/parametric.py, the held-out generator, and the folds of bench.leave_style_out."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from bench.leave_style_out import folds_of
from harness.drawn import CANVAS
from harness.parametric import FAMILIES, draw_family

ROOT = Path(__file__).resolve().parent.parent


def test_every_family_draws_varied_seeded_strokes_on_the_canvas():
    for name in FAMILIES:
        a, pen_a = draw_family(name, np.random.default_rng([1, 2]))
        again, pen_again = draw_family(name, np.random.default_rng([1, 2]))
        other, _ = draw_family(name, np.random.default_rng([1, 3]))
        assert all(np.array_equal(s, t) for s, t in zip(a, again, strict=True)) and pen_a == pen_again
        points = np.concatenate(a)
        assert points.min() >= 0 and points.max() <= CANVAS - 1 and len(points) > 10
        assert len(a) != len(other) or not all(np.array_equal(s, t) for s, t in zip(a, other))


def test_the_shipped_model_reads_the_families_as_their_digits():
    """Not a figure (that is bench.held_out's): the shapes are the digits they claim to be."""
    from digitapp.recognizer import Recognizer

    recognizer = Recognizer.load()
    for name, (digit, _) in FAMILIES.items():
        right = [recognizer.predict_strokes([s.tolist() for s in draw_family(name, np.random.default_rng([7, k]))[0]])
                 .digit == digit for k in range(10)]
        assert np.mean(right) >= 0.6, name


def test_training_never_imports_the_held_out_generator():
    for path in (ROOT / "digitapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.startswith("harness") for n in names), path


def test_folds_deal_the_styles_out_once_each():
    names = [f"s{k}" for k in range(28)]
    folds = folds_of(names, 4)
    assert len(folds) == 4 and sorted(n for f in folds for n in f) == sorted(names)
    assert all(len(f) == 7 for f in folds)
