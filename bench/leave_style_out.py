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

With ``--teach K``, each never-seen style is then taught as a user would
(issue: "after three corrections of a shape, new drawings of the shape are
read right"): a fresh in-memory PersonalModel starts from the fold's model
(each style on its own, not one after another), the writer draws the style
(:func:`harness.styles.draw_strokes`, a writer's rng of its own, never the
bench drawings' seeds) until the app reads one wrong and corrects it, or
confirms after ``PATIENCE`` right ones (bench.learning's
``next_correction``), K times; after K = 1, 3, ... it reads the same bench
drawings as the table (which the teaching never used).  The learner replays
a replay set built like ``models/replay.npz`` but without the fold's styles
(the shipped one holds drawings of every training style).

Run from the repository root::

    python -m bench.leave_style_out                   # 4 folds, 25 epochs, 80 drawings per style
    python -m bench.leave_style_out --folds 7 --epochs 40
    python -m bench.leave_style_out --teach 3         # and teach each never-seen style 1 and 3 corrections
    python -m bench.leave_style_out --writers 30000 --hidden 300   # another recipe, a larger network
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from bench.styles import Answers, pct, recognise, style_drawings
from harness.styles import STYLES

KS = (1, 3, 5, 10)  # corrections after which a taught style is read again (those up to --teach, and --teach)


def folds_of(names: list[str], folds: int) -> list[tuple[str, ...]]:
    """The styles dealt into ``folds`` folds: style k to fold k mod folds."""
    return [tuple(names[k::folds]) for k in range(folds)]


def train_without(data, recipe: dict, leave_out: tuple[str, ...], epochs: int, hidden: int = 100):
    """A Recognizer for a ``Network([784, hidden, 10])`` trained on the recipe's training set ``data`` with its
    styled digits drawn again without the styles ``leave_out``, and its final MNIST validation accuracy."""
    from digitapp.recognizer import Recognizer
    from digitapp.styled import styled_digits
    from digitapp.train import build_parser, fit
    from digitapp.training_data import source_slices

    args = build_parser().parse_args(["--epochs", str(epochs), "--seed", str(recipe["seed"]),
                                      "--hidden", str(hidden)])
    counts = {k: v for k, v in recipe.items() if k not in ("inputs", "seed")}
    keep = np.ones(len(data.images), bool)
    keep[source_slices(len(data.images), **counts)["styled digits"]] = False
    styled_x, styled_y = styled_digits(recipe["styles"], np.random.default_rng([recipe["seed"], 2]), leave_out=leave_out)
    network, history = fit(args, np.concatenate([data.images[keep], styled_x]),
                           np.concatenate([data.labels[keep], styled_y]), data.validation)
    return Recognizer(network), history[-1].evaluation_accuracy


def replay_without(leave_out: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The learner's replay set as ``python -m harness.replay_set`` builds it, with its styled digits drawn
    without the styles ``leave_out``: what a fold's personal model may replay."""
    from harness.replay_set import build

    images, labels = build(leave_out=leave_out)
    return images, labels.astype(np.intp)  # as digitapp.learning.load_replay gives them


def teach(recognizer, replay, name: str, drawings: list[tuple], before: Answers, ks: list[int], rng, seed: int,
          validation) -> dict:
    """A fresh personal model from ``recognizer`` learns ``max(ks)`` corrections of style ``name`` drawn with
    ``rng``; its answers on ``drawings`` (``before``: at K = 0) after each K of ``ks``, how many of the
    corrections were real (read wrong before), the taught drawings, the seconds per ``learn_strokes`` and
    MNIST validation before and after."""
    from bench.learning import corrections, fresh, mnist_accuracy
    from digitapp.blas import fast_blas

    style = STYLES[name]
    me = fresh(recognizer, seed, replay)
    row = {0: before, "wrong": 0, "taught": [], "times": [], "mnist_before": mnist_accuracy(me, validation)}
    with fast_blas():
        for j, strokes, wrong, seconds in corrections(me, style, rng, max(ks)):
            row["wrong"] += wrong
            row["taught"].append(strokes)
            row["times"].append(seconds)
            if j in ks:
                row[j] = recognise(me.recognizer, drawings)
    row["mnist_after"] = mnist_accuracy(me, validation)
    return row


def reused(taught: list, drawings: list[tuple]) -> int:
    """How many taught drawings are one of the measured ``drawings`` (the bench's honesty: none)."""
    def same(a, b):
        return len(a) == len(b) and all(np.array_equal(np.asarray(s), np.asarray(t)) for s, t in zip(a, b))
    return sum(any(same(t, d[2]) for d in drawings) for t in taught)


def teach_table(rows: dict[str, dict], folds, ks: list[int], teach_seconds: float) -> None:
    """The teaching table: per never-seen style, accuracy and sure+right at K = 0 and each K, and the mean."""
    columns = [0, *ks]
    print(f"\nTeaching each never-seen style: a fresh personal model from its fold's model, replay set without "
          f"the fold's styles; corrections drawn with a writer's rng of their own, then the same bench drawings "
          f"as above read again")
    head = "".join(f"{f'K={k}':>8}" for k in columns)
    print(f"{'style':<18} fold {'accuracy':^{8 * len(columns)}}  {'sure+right':^{8 * len(columns)}}  wrong"
          f"  MNIST validation, K=0 -> {ks[-1]}")
    print(f"{'':<18}      {head}  {head}")
    for name, row in rows.items():
        fold = next(k for k, f in enumerate(folds, start=1) if name in f)
        drop = 100 * (row["mnist_before"] - row["mnist_after"])  # points lost (negative: gained)
        print(f"{name:<18} {fold:>4} " + "".join(f"{pct(row[k].right):>8}" for k in columns) + "  "
              + "".join(f"{pct(row[k].sure & row[k].right):>8}" for k in columns)
              + f"  {row['wrong']:>2}/{ks[-1]}  {100 * row['mnist_before']:.2f}% -> {100 * row['mnist_after']:.2f}%"
              f" ({-drop:+.2f})")
    mean = {k: (np.mean([r[k].right.mean() for r in rows.values()]),
                np.mean([(r[k].sure & r[k].right).mean() for r in rows.values()])) for k in columns}
    print(f"{'mean':<18}      " + "".join(f"{100 * mean[k][0]:7.1f}%" for k in columns) + "  "
          + "".join(f"{100 * mean[k][1]:7.1f}%" for k in columns)
          + f"  {np.mean([r['wrong'] for r in rows.values()]):4.1f}")
    drops = [100 * (r["mnist_before"] - r["mnist_after"]) for r in rows.values()]
    times = sorted(1000 * t for r in rows.values() for t in r["times"])
    print(f"MNIST validation after K={ks[-1]}: {-np.mean(drops):+.2f} points on average over the styles "
          f"(worst {-max(drops):+.2f}); 'wrong': how many of the {ks[-1]} were corrections (read wrong), "
          "the rest confirmations")
    unread = [n for n, r in rows.items() if r[ks[-1]].right.mean() < 0.95]
    print(f"read < 95% after K={ks[-1]}: {', '.join(unread) or 'none'}")
    print(f"taught drawings that are one of the measured drawings: {sum(r['reused'] for r in rows.values())} "
          f"of {sum(len(r['taught']) for r in rows.values())}")
    print(f"learn_strokes: {len(times)} calls, median {np.median(times):.0f} ms, max {times[-1]:.0f} ms; "
          f"teaching (with the replay sets) {teach_seconds:.0f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.leave_style_out", description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4, help="folds of styles (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=25, help="epochs per model (default: %(default)s)")
    parser.add_argument("--per-style", type=int, default=80, help="bench drawings per style (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bench drawings (default: %(default)s)")
    parser.add_argument("--writers", type=int, default=None,
                        help="other writers' digits in the recipe (default: the default recipe's)")
    parser.add_argument("--hidden", type=int, default=100,
                        help="hidden neurons of every model (default: %(default)s, the shipped network's)")
    parser.add_argument("--teach", type=int, default=0, metavar="K",
                        help="then teach each never-seen style K corrections and read it again (default: no teaching)")
    args = parser.parse_args(argv)
    if not 2 <= args.folds <= len(STYLES) or min(args.epochs, args.per_style, args.hidden) < 1 or args.teach < 0:
        print(f"leave_style_out: --folds must be 2-{len(STYLES)}, --epochs, --per-style and --hidden at least 1, "
              "--teach at least 0", file=sys.stderr)
        return 2
    ks = sorted({k for k in KS if k <= args.teach} | {args.teach}) if args.teach else []
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
    taught: dict[str, dict] = {}
    teach_seconds = 0.0
    for k, fold in enumerate([(), *folds]):
        recognizer, validation[k] = train_without(data, recipe, fold, args.epochs, args.hidden)
        answers = recognise(recognizer, drawings)
        if not fold:
            seen = answers
        for name in fold:
            unseen[name] = answers.subset(answers.names == name)
        if fold and ks:
            teach_started = time.perf_counter()
            replay = replay_without(fold)
            for name in fold:
                own = [d for d in drawings if d[0] == name]
                writer = np.random.default_rng([args.seed, 2000 + names.index(name), 1])  # not the bench's seeds
                taught[name] = teach(recognizer, replay, name, own, unseen[name], ks, writer, args.seed,
                                     data.validation)
                taught[name]["reused"] = reused(taught[name]["taught"], own)
            teach_seconds += time.perf_counter() - teach_started
    print(f"\nLeave-one-style-out bench: {len(names)} styles in {args.folds} folds, Network([784, {args.hidden}, 10]) "
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
    if ks:
        teach_table({name: taught[name] for name in names}, folds, ks, teach_seconds)
    print(f"\ndone in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
