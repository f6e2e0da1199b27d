"""Leave-one-style-out bench: how well a model reads a way of writing a digit that it never trained on.

The 28 digit styles of the training templates (digitapp/templates.py) are
dealt into ``--folds`` folds (style k goes to fold k mod folds, so each fold
holds styles of several digits).  For each fold a model is trained on the
default recipe's training set *without* that fold's styles' templates (the
other sources, MNIST and the traced writers among them, unchanged), and
measured on the style bench's drawings (harness/styles.py, drawn apart from
the training templates) of the styles it never saw.  One more model, trained
with every style on the same budget, is the yardstick.  Training one model
per style at the full recipe (about 10 minutes each) is too dear here, so
the folds train for ``--epochs`` (a reduced budget: the table is a lower
bound on what the full recipe gives).

Run from the repository root::

    python -m bench.leave_style_out                   # 4 folds, 25 epochs, 80 drawings per style
    python -m bench.leave_style_out --folds 7 --epochs 40
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from bench.styles import Answers, pct, recognise, style_drawings
from harness.styles import STYLES


def folds_of(names: list[str], folds: int) -> list[tuple[str, ...]]:
    """The styles dealt into ``folds`` folds: style k to fold k mod folds."""
    return [tuple(names[k::folds]) for k in range(folds)]


def train_without(data, recipe: dict, leave_out: tuple[str, ...], epochs: int):
    """A Recognizer for a model trained on the recipe's training set ``data`` with its styled digits drawn
    again without the styles ``leave_out``, and its final MNIST validation accuracy."""
    from digitapp.recognizer import Recognizer
    from digitapp.styled import styled_digits
    from digitapp.train import build_parser, fit
    from digitapp.training_data import source_slices

    args = build_parser().parse_args(["--epochs", str(epochs), "--seed", str(recipe["seed"])])
    counts = {k: v for k, v in recipe.items() if k not in ("inputs", "seed")}
    keep = np.ones(len(data.images), bool)
    keep[source_slices(len(data.images), **counts)["styled digits"]] = False
    styled_x, styled_y = styled_digits(recipe["styles"], np.random.default_rng([recipe["seed"], 2]), leave_out=leave_out)
    network, history = fit(args, np.concatenate([data.images[keep], styled_x]),
                           np.concatenate([data.labels[keep], styled_y]), data.validation)
    return Recognizer(network), history[-1].evaluation_accuracy


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.leave_style_out", description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4, help="folds of styles (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=25, help="epochs per model (default: %(default)s)")
    parser.add_argument("--per-style", type=int, default=80, help="bench drawings per style (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bench drawings (default: %(default)s)")
    parser.add_argument("--writers", type=int, default=None,
                        help="other writers' digits in the recipe (default: the default recipe's)")
    args = parser.parse_args(argv)
    if not 2 <= args.folds <= len(STYLES) or args.epochs < 1 or args.per_style < 1:
        print(f"leave_style_out: --folds must be 2-{len(STYLES)}, --epochs and --per-style at least 1", file=sys.stderr)
        return 2
    import mnist_loader

    from digitapp.train import DEFAULTS, StageBars, log_to_stderr
    from digitapp.training_data import cached_training_set

    log_to_stderr()
    started = time.perf_counter()
    recipe = {k: DEFAULTS[k] for k in ("inputs", "pen_copies", "writers", "styles", "non_digits", "turned_digits",
                                       "seed")}
    if args.writers is not None:
        recipe["writers"] = args.writers
    try:
        with StageBars() as bars:
            data = cached_training_set(progress=bars, **recipe)  # the default recipe's: `digitapp train` caches it
    except mnist_loader.MnistError as err:
        print(f"leave_style_out: {err}", file=sys.stderr)
        return 1
    names = list(STYLES)
    drawings = style_drawings(args.per_style, args.seed)
    folds = folds_of(names, args.folds)
    unseen: dict[str, Answers] = {}
    seen: Answers | None = None
    validation = {}
    for k, fold in enumerate([(), *folds]):
        recognizer, validation[k] = train_without(data, recipe, fold, args.epochs)
        answers = recognise(recognizer, drawings)
        if not fold:
            seen = answers
        for name in fold:
            unseen[name] = answers.subset(answers.names == name)
    print(f"\nLeave-one-style-out bench: {len(names)} styles in {args.folds} folds, Network([784, 100, 10]) "
          f"trained {args.epochs} epochs per model on the default recipe ({recipe['writers']} other writers' digits) "
          f"less the fold's style templates; "
          f"style bench drawings (harness/styles.py), {args.per_style} per style, seed {args.seed}")
    print(f"MNIST validation: every style {100 * validation[0]:.2f}%; "
          + ", ".join(f"fold {k} {100 * validation[k]:.2f}%" for k in range(1, args.folds + 1)) + "\n")
    print(f"{'style':<18} fold  {'never seen':>22}  {'trained with it':>22}")
    print(f"{'':<18}      {'accuracy':>10}{'sure+right':>12}  {'accuracy':>10}{'sure+right':>12}")
    rows_unseen, rows_seen = [], []
    for name in names:
        u = unseen[name]
        s = seen.subset(seen.names == name)
        fold = next(k for k, f in enumerate(folds, start=1) if name in f)
        rows_unseen.append(u)
        rows_seen.append(s)
        print(f"{name:<18} {fold:>4}  {pct(u.right):>10}{pct(u.sure & u.right):>12}  "
              f"{pct(s.right):>10}{pct(s.sure & s.right):>12}")
    right = np.concatenate([u.right for u in rows_unseen])
    sure = np.concatenate([u.sure & u.right for u in rows_unseen])
    wrong = np.concatenate([u.sure & ~u.right for u in rows_unseen])
    print(f"\n{'all styles':<18}       {pct(right):>10}{pct(sure):>12}  {pct(seen.right):>10}"
          f"{pct(seen.sure & seen.right):>12}")
    worst = min(names, key=lambda n: unseen[n].right.mean())
    print(f"never seen: sure and wrong {pct(wrong).strip()}; worst style {worst} {pct(unseen[worst].right).strip()}")
    print(f"\ndone in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
