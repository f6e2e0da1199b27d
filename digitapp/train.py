"""Retrain the digit model: ``digitapp train`` or ``python -m digitapp.train``.

Builds the training set (:mod:`digitapp.training_data`), trains a Network
with the loop in :mod:`digitapp.trainer` (showing a progress bar and the
validation accuracy after each epoch), measures the test accuracy, and only
then writes the model (atomically) and a PNG of the training curves
(:mod:`digitapp.curves`) beside it.  Ctrl-C or an error leaves any
existing model untouched.  Without ``-o`` the model goes to the user's data
directory: retraining never replaces the shipped model by accident.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import logging
import math
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__, trainer
from .arguments import DefaultsOnceFormatter, OneLineErrorParser, above, at_least, file_name
from .augment import Augmenter
from .blas import fast_blas
from .curves import curves_path, plot_curves
from .console import guarded, log_to_stderr, say
from .files import output_problem, reason, same_file, user_data_dir
from .model_io import (INPUTS, MODEL_NAME, OUTPUTS, ModelError, layers_problem, network_from, read_model_file,
                       save_model)
from .network import COSTS
from .network2 import Network  # chapter 3's defaults: the shipped recipe's starting weights
from .trainer import DivergenceError
from .activations import ACTIVATIONS
from .optimizers import OPTIMIZERS, make_optimizer
from .training_data import INPUT_KINDS, build_training_set, cached_training_set

log = logging.getLogger("digitapp.train")

#: With --my-digits, the user's samples (repeated) make up this share of the training images, so a few
#: dozen samples weigh as much as a thousand MNIST digits; every repeat gets its own distortion each epoch.
MY_DIGITS_SHARE = 0.01

DEFAULTS = dict(hidden=[100], epochs=200, batch_size=10, eta=0.5, lmbda=1.0, cost="cross-entropy",
                activation="sigmoid", optimizer="sgd", init="scaled", schedule="cosine", inputs="preprocessed",
                augment=True, pen_copies=True, writers=0, styles=20000, non_digits=20000, turned_digits=5000,
                teacher=None, teacher_share=0.5, seed=1)


#: The largest value each count option takes: far beyond any sensible run, well within memory and int64.
MOST = dict(hidden=100_000, epochs=100_000, batch_size=1_000_000, drawn=200_000, seed=2**32 - 1)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="digitapp train",
        description="Train Network([784, hidden..., 10]) on MNIST and save it as a digitapp model.",
        formatter_class=DefaultsOnceFormatter,
    )
    parser.add_argument("--hidden", type=at_least(1, int, MOST["hidden"]), nargs="+", default=DEFAULTS["hidden"], metavar="N",
                        help="hidden layer sizes")
    parser.add_argument("--epochs", type=at_least(1, int, MOST["epochs"]), default=DEFAULTS["epochs"], help="passes over the data")
    parser.add_argument("--batch-size", type=at_least(1, int, MOST["batch_size"]), default=DEFAULTS["batch_size"],
                        help="mini-batch size")
    parser.add_argument("--eta", type=above(0.0), default=DEFAULTS["eta"], help="learning rate, > 0")
    parser.add_argument("--lmbda", type=at_least(0.0, float), default=DEFAULTS["lmbda"],
                        help="L2 regularisation, >= 0")
    parser.add_argument("--cost", choices=sorted(COSTS), default=DEFAULTS["cost"],
                        help="cost function (log-likelihood: a softmax output layer)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default=DEFAULTS["activation"],
                        help="the hidden neurons' activation function")
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=DEFAULTS["optimizer"],
                        help="how a gradient becomes a step: the book's SGD, momentum (mu 0.9) or Adam "
                             "(which wants a far smaller --eta, about 0.001)")
    parser.add_argument("--init", choices=("scaled", "normal"), default=DEFAULTS["init"],
                        help="weights N(0, 1/n_in) ('scaled'; He's N(0, 2/n_in) for the ReLU family) or N(0, 1) "
                             "('normal', the book's chapter 1)")
    parser.add_argument("--schedule", choices=("cosine", "constant"), default=DEFAULTS["schedule"],
                        help="learning rate per epoch: eta decaying to 0 along a half cosine, or eta throughout")
    parser.add_argument("--inputs", choices=INPUT_KINDS, default=DEFAULTS["inputs"],
                        help="MNIST through the app's preprocessing of drawings, or as it comes")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=DEFAULTS["augment"],
                        help="a fresh random distortion of every training image each epoch")
    parser.add_argument("--pen-copies", action=argparse.BooleanOptionalAction, default=DEFAULTS["pen_copies"],
                        help="add a copy of every training digit redrawn with a uniform pen, like a mouse drawing")
    parser.add_argument("--writers", type=at_least(0, int, MOST["drawn"]), default=DEFAULTS["writers"], metavar="N",
                        help="add N MNIST training digits traced into strokes and redrawn by other writers "
                             "(arcs bent, loops resized and opened, tails run on or cut), the way the app draws")
    parser.add_argument("--styles", type=at_least(0, int, MOST["drawn"]), default=DEFAULTS["styles"], metavar="N",
                        help="add N digits drawn from the hand-authored style templates (digitapp/templates.py)")
    parser.add_argument("--non-digits", type=at_least(0, int, MOST["drawn"]), default=DEFAULTS["non_digits"], metavar="N",
                        help="add N drawings that are no digit (letters, signs, scribbles), trained towards all outputs 0")
    parser.add_argument("--turned-digits", type=at_least(0, int, MOST["drawn"]), default=DEFAULTS["turned_digits"], metavar="N",
                        help="add N MNIST 2s, 3s, 4s, 5s and 7s turned a quarter, as non-digits")
    parser.add_argument("--teacher", type=Path, default=None, metavar="MODEL",
                        help="a trained model whose outputs for every distorted image become part of the targets "
                             "(knowledge distillation: a small network learns from a larger one)")
    parser.add_argument("--teacher-share", type=at_least(0.0, float, 1.0), default=None, metavar="S",
                        help="with --teacher: the teacher's share of each target, from 0 to 1, the label's the "
                             f"rest (default: {DEFAULTS['teacher_share']})")
    parser.add_argument("--seed", type=at_least(0, int, MOST["seed"]), default=DEFAULTS["seed"], help="random seed")
    parser.add_argument("--method", choices=("matrix", "per-example"), default="matrix",
                        help="whole mini-batch in matrix form, or the book's per-example backprop loop")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="floating-point type")
    parser.add_argument("--cache", action=argparse.BooleanOptionalAction, default=True,
                        help="keep the prepared training set in the user's cache folder and reuse it")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the MNIST IDX files (default: $DIGITAPP_DATA_DIR or ~/.cache/digitapp/mnist)")
    parser.add_argument("--output", "-o", type=file_name, default=None,
                        help=f"model file to write (default: {default_output()})")
    parser.add_argument("--no-plot", action="store_true", help="do not write the training-curves PNG")
    parser.add_argument("--my-digits", action="store_true",
                        help="add the samples of your handwriting (digitapp my-digits list), each repeated so "
                             f"that together they are {100 * MY_DIGITS_SHARE:g}%% of the training set; the model "
                             "becomes your personal model (default output: the one the app starts with)")
    return parser


def missing_extras() -> list[str]:
    """The training-only libraries (the ``train`` extra) that are not installed.

    matplotlib, for the curves, is not among them: the app itself needs it.
    """
    from importlib.util import find_spec

    wanted = {"skimage": "scikit-image", "tqdm": "tqdm"}
    return [package for module, package in wanted.items() if find_spec(module) is None]


def with_my_digits(train_x: np.ndarray, train_y: np.ndarray, samples) -> tuple[np.ndarray, np.ndarray]:
    """The training set plus the user's samples, each repeated to weigh MY_DIGITS_SHARE together."""
    repeats = max(1, round(MY_DIGITS_SHARE * len(train_x) / len(samples)))
    mine = np.stack([s.input.reshape(-1) for s in samples])  # uint8 pixels, like the training images
    labels = np.array([s.label for s in samples], train_y.dtype)
    return (np.concatenate([train_x, np.tile(mine, (repeats, 1))]),
            np.concatenate([train_y, np.tile(labels, repeats)]))


def default_output() -> Path:
    """Where a retrained model goes unless ``-o`` says otherwise: the user's, never the shipped one."""
    return user_data_dir() / "models" / MODEL_NAME


class StageBars:
    """tqdm bars for the training-set builder's long stages, one per stage, all closed on leaving the block."""

    def __init__(self):
        self.bars: dict = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, unit="image", unit_scale=True, desc=stage, dynamic_ncols=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    def __enter__(self) -> "StageBars":
        return self

    def __exit__(self, *exc) -> None:
        for bar in self.bars.values():
            bar.close()


def run_training(args: argparse.Namespace, argv: list[str], samples=(),
                 distillation: trainer.Distillation | None = None) -> tuple[Network, dict]:
    """Run the training ``digitapp train`` was asked for (plus the user's ``samples``, and the teacher's
    ``distillation`` for ``--teacher``); return the network and its record."""
    build = cached_training_set if args.cache else build_training_set
    with StageBars() as bars:
        data = build(data_dir=args.data_dir, inputs=args.inputs, pen_copies=args.pen_copies, writers=args.writers,
                     styles=args.styles, non_digits=args.non_digits, turned_digits=args.turned_digits,
                     seed=args.seed, progress=bars)
    train_x, train_y, validation, test = data
    if samples:
        train_x, train_y = with_my_digits(train_x, train_y, samples)
    started = time.perf_counter()
    network, history = fit(args, train_x, train_y, validation, distillation)
    test_accuracy = network.evaluate(test) / len(test[0])
    log.info("test accuracy %.2f%% after %.0f s", 100 * test_accuracy, time.perf_counter() - started)
    record = {
        "command": "digitapp train " + shlex.join(argv),
        "hyperparameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                            if k not in ("output", "data_dir", "no_plot", "cache")},
        "seed": args.seed,
        "epochs": args.epochs,
        "optimizer": repr(make_optimizer(args.optimizer)),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "training_seconds": round(time.perf_counter() - started, 1),
        "validation_accuracy": history[-1].evaluation_accuracy,
        "test_accuracy": test_accuracy,
        "history": [vars(h) for h in history],
        "package_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    if samples:
        from .samples import NO_DIGIT
        record["personal"] = {"base_model": None, "samples": len(samples), "retrained": True,
                              "not_digits": sum(s.label == NO_DIGIT for s in samples)}
    return network, record


def fit(args: argparse.Namespace, train_x: np.ndarray, train_y: np.ndarray, validation,
        distillation: trainer.Distillation | None = None) -> tuple[Network, list]:
    """A new network trained on these images as ``args`` (``digitapp train``'s options) say, with a progress
    bar and a line per epoch: ``(network, one EpochResult per epoch)``.  With ``distillation``, a trained
    teacher's outputs make up its share of the targets.  The fold bench trains this way too."""
    from tqdm import tqdm

    sizes = [train_x.shape[1], *args.hidden, 10]
    network = Network(sizes, cost=args.cost, seed=args.seed, dtype=np.dtype(args.dtype), activation=args.activation)
    if args.init == "normal":
        network.large_weight_initializer()
    optimizer = make_optimizer(args.optimizer)
    log.info("training %r on %d images, %d epochs, batch %d, %s, eta %g (%s), lmbda %g, augment %s, seed %d",
             network, len(train_x), args.epochs, args.batch_size, optimizer, args.eta, args.schedule, args.lmbda,
             args.augment, args.seed)
    batches = -(-len(train_x) // args.batch_size)
    bar = tqdm(total=args.epochs * batches, unit="batch", unit_scale=True, desc="training", dynamic_ncols=True)

    epochs_done = 0

    def advance(done, total):
        bar.update(epochs_done * batches + done - bar.n)

    def report(result):
        nonlocal epochs_done
        epochs_done = result.epoch
        bar.update(epochs_done * batches - bar.n)
        bar.write(f"epoch {result.epoch:3d}/{args.epochs}: validation accuracy "
                  f"{100 * result.evaluation_accuracy:.2f}%  ({result.seconds:.1f} s, eta {result.eta:.3g})")

    def schedule(epoch):
        if args.schedule == "constant":
            return args.eta
        return args.eta * 0.5 * (1 + math.cos(math.pi * epoch / args.epochs))

    try:
        with fast_blas():
            history = trainer.train(network, train_x, train_y, args.epochs, args.batch_size, schedule, args.lmbda,
                                    evaluation_data=validation, monitor_training=True,
                                    augment=Augmenter() if args.augment else None,
                                    per_example=args.method == "per-example", progress=advance, on_epoch=report,
                                    optimizer=None if args.optimizer == "sgd" else optimizer,
                                    distillation=distillation)
    finally:
        bar.close()
    return network, history


def main(argv: list[str] | None = None) -> int:
    """``digitapp train``; its exit code (whatever interrupts it is one line: digitapp.console.guarded)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return guarded("digitapp train", lambda: _train(argv))


def _train(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    log_to_stderr()
    missing = missing_extras()
    if missing:
        say(f"digitapp train: needs {', '.join(missing)}, which the app alone does not; "
            "install them with: pip install 'digitapp[train]'", sys.stderr)
        return 1
    from .samples import SampleStore, StoreError

    samples, store = [], SampleStore()
    output = args.output or (store.model_path if args.my_digits else default_output())
    problem = before_training_problem(args, output)
    if problem:
        say(f"digitapp train: {problem}; nothing trained", sys.stderr)
        return 2
    import mnist_loader

    distillation, problem = distillation_for(args)
    if problem:
        say(f"digitapp train: {problem}; nothing trained", sys.stderr)
        return 2
    if args.my_digits:
        try:
            samples = store.load()
        except StoreError as err:
            say(f"digitapp train: {err}", sys.stderr)
            return 1
        if not samples:
            say(f"digitapp train: no samples of your handwriting in {store.path} yet; correct a few answers "
                "in the window first (press the right digit key)", sys.stderr)
            return 1
        log.info("adding %d samples of your handwriting", len(samples))
    try:
        network, record = run_training(args, argv, samples, distillation)
    except KeyboardInterrupt:
        say("digitapp train: interrupted; no model written", sys.stderr)
        return 130
    except (mnist_loader.MnistError, DivergenceError) as err:
        say(f"digitapp train: {err}; no model written", sys.stderr)
        return 1
    try:
        with store.locked() if same_file(output, store.model_path) else contextlib.nullcontext():
            save_model(network, output, record)  # the personal model: not while a window learns
    except KeyboardInterrupt:
        say(f"digitapp train: interrupted while saving; {output} is as it was before", sys.stderr)
        return 130
    except OSError as err:
        say(f"digitapp train: cannot write {output} ({reason(err)}); it is as it was before, "
            "free some space or choose another file with -o", sys.stderr)
        return 1
    log.info("model written to %s (test accuracy %.2f%%); use it with: digitapp --model %s",
             output, 100 * record["test_accuracy"], shlex.quote(str(output)))
    if not args.no_plot:
        curves = curves_path(output)
        try:
            plot_curves(record["history"], curves)
        except (OSError, KeyboardInterrupt) as err:
            why = "interrupted" if isinstance(err, KeyboardInterrupt) else reason(err)
            say(f"digitapp train: {curves}: training curves not written ({why}); the model is saved", sys.stderr)
            return 1
        log.info("training curves written to %s", curves)
    return 0


def distillation_for(args: argparse.Namespace) -> tuple[trainer.Distillation | None, str | None]:
    """What ``--teacher`` and ``--teacher-share`` ask for (None without a teacher), or None and what is wrong."""
    if args.teacher is None:
        return None, ("--teacher-share needs --teacher MODEL, the model whose outputs it shares"
                      if args.teacher_share is not None else None)
    if args.teacher_share is None:
        args.teacher_share = DEFAULTS["teacher_share"]  # so the record says what was used
    try:
        taught = read_model_file(args.teacher)  # a model file always has 784 inputs and 10 outputs
    except ModelError as err:
        return None, f"--teacher: {err}"
    record = taught.get("record")
    hyper = record.get("hyperparameters") if isinstance(record, dict) else None
    inputs = hyper.get("inputs", args.inputs) if isinstance(hyper, dict) else args.inputs
    if inputs != args.inputs:
        return None, (f"--teacher {args.teacher} was trained on --inputs {inputs}, not {args.inputs}, and would "
                      "read these images wrong")
    log.info("each target is %g%% the outputs of the teacher %s", 100 * args.teacher_share, args.teacher)
    return trainer.Distillation(network_from(taught), args.teacher_share), None


def before_training_problem(args: argparse.Namespace, output: Path) -> str | None:
    """What would make the run fail at its end (a model too big to load, an output it cannot write), or None."""
    problem = layers_problem([INPUTS, *args.hidden, OUTPUTS])
    if problem:
        return f"--hidden {' '.join(map(str, args.hidden))}: {problem}"
    from .personal import own_files
    from .samples import SampleStore

    store = SampleStore()
    mine = [store.model_path] if args.my_digits else []  # --my-digits may replace the personal model
    keep = [f for f in own_files(store) if not any(same_file(f, m) for m in mine)]
    curves = () if args.no_plot else (curves_path(output),)
    for path in (output, *curves):
        problem = output_problem(path, keep)
        if problem:
            return f"{path}: {problem}; choose another file with -o"
    return None


if __name__ == "__main__":
    sys.exit(main())
