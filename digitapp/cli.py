"""The ``digitapp`` command: the app by default, plus ``train``, ``predict``, ``fetch-data`` and ``my-digits``."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path

from . import __version__
from .arguments import OneLineErrorParser, file_name
from .console import guarded, log_to_stderr, printable, say
from .files import output_problem, reason

COMMANDS = ("gui", "train", "predict", "fetch-data", "my-digits")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="digitapp",
        usage="digitapp [-h] [--version] [--model PATH] [IMAGE]\n       digitapp COMMAND [options]",
        description="Draw a digit and watch a small from-scratch neural network recognise it.",
        epilog="With no command the app starts, opening IMAGE if one is given. "
               "Run 'digitapp COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"digitapp {__version__}")
    app = parser.add_argument_group("the app (no command, or 'gui')")
    app.add_argument("--model", metavar="PATH", dest="app_model", default=argparse.SUPPRESS,
                     help="model file the app uses (default: your personal model if you taught the app, "
                          "else the shipped one)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="digitapp")
    parser.set_defaults(commands=sub.choices)  # so an unknown option is told about with its command's help

    gui = sub.add_parser("gui", help="start the drawing app (the default)")
    add_gui_arguments(gui)

    sub.add_parser("train", help="retrain the model on MNIST (see 'digitapp train --help')", add_help=False)

    predict = sub.add_parser("predict", help="read the digits in image files (a digit or a number each)")
    predict.add_argument("files", nargs="+", type=Path, metavar="FILE", help="PNG, JPEG, ... images")
    predict.add_argument("--model", type=Path, default=None,
                         help="model file (default: your personal model if you taught the app, else the shipped one)")
    predict.add_argument("--json", action="store_true",
                         help="print everything as JSON lines: text, unsure digits, each digit's prediction and box")
    predict.add_argument("--ink", choices=("dark", "light"), default=None,
                         help="dark ink on light paper or the reverse (default: detect)")
    predict.add_argument("--save-input", type=Path, metavar="DIR", default=None,
                         help="write the 28x28 input the network saw as DIR/NAME.input.png "
                              "(DIR/NAME.input.K.png for digit K of a number)")

    fetch = sub.add_parser("fetch-data", help="fetch and verify the MNIST files")
    fetch.add_argument("--data-dir", type=Path, default=None,
                       help="where to put them (default: $DIGITAPP_DATA_DIR or ~/.cache/digitapp/mnist)")

    mine = sub.add_parser("my-digits", help="the digits you taught the app: list, export, import, clear",
                          description="Manage the samples of your handwriting the app learned from "
                                      "(kept in your user data directory, or $DIGITAPP_USER_DIR).")
    action = mine.add_subparsers(dest="action", metavar="ACTION", required=True)
    action.add_parser("list", help="how many samples of each digit, and one line per sample")
    export = action.add_parser("export", help="write all samples to a JSON file")
    export.add_argument("file", type=file_name, metavar="FILE")
    load = action.add_parser("import", help="add the samples of a JSON file (from export) and relearn them")
    load.add_argument("file", type=file_name, metavar="FILE")
    clear = action.add_parser("clear", help="delete all samples and the personal model")
    clear.add_argument("--yes", action="store_true", help="do not ask")
    return parser


def add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None,
                        help="model file (default: your personal model if you taught the app, else the shipped one)")
    parser.add_argument("image", nargs="?", type=Path, default=None, help="an image to open at start")


def run_predict(args) -> int:
    from .imagefile import ImageError
    from .model_io import ModelError
    from .samples import StoreError

    try:
        recognizer = open_personal(args.model, "digitapp predict").recognizer  # your personal model, as in the app
    except (ModelError, StoreError) as err:
        say(f"digitapp predict: {err}", sys.stderr)
        return 2
    if recognizer.info.is_personal and not args.json:  # --json says so in its "model"
        say(f"digitapp predict: your personal model answers (trained on {recognizer.info.yours}; "
            "--model PATH for another)", sys.stderr)
    from .personal import own_files

    if args.save_input is not None:
        problem = output_problem(args.save_input / "input.png")
        if problem:
            say(f"digitapp predict: --save-input {args.save_input}: {problem}", sys.stderr)
            return 2
    taken = {Path(os.path.realpath(p)) for p in [*args.files, *own_files()]}  # never write over an input
    failures = 0
    for path in args.files:
        try:
            reading = recognizer.read(path, ink=args.ink)
        except ImageError as err:
            say(f"digitapp predict: {err}", sys.stderr)
            failures += 1
            continue
        if args.save_input is not None:
            for k, prediction in enumerate(reading.predictions, start=1):
                stem = f"{path.stem}.input" if len(reading) == 1 else f"{path.stem}.input.{k}"
                target = free_name(args.save_input, stem, ".png", taken)
                try:
                    save_input_png(prediction.input, target)
                except OSError as err:
                    say(f"digitapp predict: {target}: cannot save the input picture ({reason(err)})", sys.stderr)
                    failures += 1
        say(json.dumps(reading_json(path, reading, recognizer)) if args.json else reading_line(path, reading))
    return 1 if failures else 0


def open_personal(model, command: str, store=None):
    """The PersonalModel the app would start with (``model``: another model answers); the warnings
    about files set aside go to stderr, one line each, after ``command``."""
    from .personal import PersonalModel

    personal, warnings = PersonalModel.open(model, store)
    for warning in warnings:
        say(f"{command}: {warning}", sys.stderr)
    return personal


def learning_progress(command: str):
    """A progress callback for long learning: 'learning 40 of 120 samples' on stderr, about every 5%."""
    shown = [-1]

    def progress(done: int, total: int) -> None:
        step = max(1, total // 20)
        if done == total or done // step != shown[0]:
            shown[0] = done // step
            say(f"{command}: learning {done} of {total} samples", sys.stderr)
    return progress


def reading_line(path: Path, reading) -> str:
    """What the window says, on one line: 'one.png: 1 (100% sure)', 'a.png: 0? (not sure, weak answer:
    output 45%)', 'star.png: not a digit (top output 3%)', 'photo.jpg: 2026 (2 99%, 0 97%, 2 99%, 6? 45%)',
    'smiley.png: not sure (2 pieces, none surely a digit: ...)' (see Prediction.words, Reading.describe)."""
    if reading.is_empty:
        return f"{path}: no digit (blank image)"
    return f"{path}: {reading.words()}"


def reading_json(path: Path, reading, recognizer) -> dict:
    """The reading as JSON; a digit or a blank also keeps the one-digit fields (digit, confidence, ...)."""
    single = {}
    if len(reading) <= 1:
        single = (reading.predictions[0] if len(reading) else recognizer.predict_input(None)).to_dict()
    return {"file": str(path), **reading.to_dict(), **single, "model": recognizer.info.to_dict()}


def free_name(folder: Path, stem: str, suffix: str, taken: set[Path]) -> Path:
    """``folder/stem+suffix``, numbered (``stem-2``...) when that file is taken (an input, one of the app's
    own files, or written already by this run, whatever links lead there); marks it taken."""
    target, n = folder / f"{stem}{suffix}", 2
    while Path(os.path.realpath(target)) in taken:  # through links too: 'alias/x.png' may be an input
        target, n = folder / f"{stem}-{n}{suffix}", n + 1
    taken.add(Path(os.path.realpath(target)))
    return target


def save_input_png(array, path: Path, scale: int = 10) -> Path:
    """The 28x28 input as a magnified grayscale PNG, white ink on black like MNIST (written atomically)."""
    import numpy as np
    from PIL import Image

    from .files import atomic_write

    pixels = (np.clip(array, 0, 1) * 255).round().astype(np.uint8)
    image = Image.fromarray(pixels, "L").resize((28 * scale, 28 * scale), Image.Resampling.NEAREST)
    with atomic_write(path) as out:
        image.save(out, format="PNG")
    return path


def run_my_digits(args) -> int:
    from .model_io import ModelError
    from .personal import own_files
    from .samples import SampleStore, StoreError, counts, label_text, read_samples, write_samples

    def warn(warnings: list[str]) -> None:
        for warning in warnings:
            say(f"digitapp my-digits: {warning}", sys.stderr)

    store = SampleStore()
    try:
        samples, warnings = store.load_or_set_aside()
        warn(warnings)
        if args.action == "list":
            say(f"{len(samples)} samples in {store.path}" + (":" if samples else ""))
            if samples:
                say("  " + "  ".join(f"{label_text(d)}: {n}" for d, n in counts(samples).items()))
            for s in samples:
                kind = f"{len(s.strokes)} strokes" if s.strokes is not None else "image"
                say(f"{s.id}  {label_text(s.label)}  {s.time}  {kind}")
        elif args.action == "export":
            if not samples:  # never replace an earlier export with nothing
                raise StoreError(f"{store.path}: no samples to export; nothing written to {args.file}")
            problem = output_problem(args.file, own_files(store))
            if problem:
                raise StoreError(f"{args.file}: {problem}; give the name of the file to write")
            write_samples(samples, args.file)
            say(f"wrote {len(samples)} samples to {args.file}")
        elif args.action == "import":
            if not args.file.is_file():
                raise StoreError(f"{args.file}: " + ("not a samples file" if args.file.exists() else "no such samples file"))
            new = read_samples(args.file)
            personal = open_personal(None, "digitapp my-digits", store)
            added = personal.add_samples(new, progress=learning_progress("digitapp my-digits import"))
            wrong = len(personal.misread())
            say(f"imported {added} new samples of {len(new)} from {args.file}; "
                + (f"the personal model has learned all {len(personal.samples)}" if not wrong else
                   f"the personal model still reads {wrong} of the {len(personal.samples)} wrong (its steps ran out)"))
        elif args.action == "clear":
            n = len(samples)
            if not args.yes:
                if not sys.stdin.isatty():
                    say("digitapp my-digits clear: add --yes to delete your samples without a question", sys.stderr)
                    return 1
                if input(f"Delete {n} samples and the personal model in {printable(store.folder)}? [y/N] "
                         ).strip().lower() not in ("y", "yes"):
                    say("nothing deleted")
                    return 1
            with store.locked():  # waits for a window that is learning: it cannot write back afterwards
                n = len(store.load_or_set_aside()[0])
                removed = store.clear()
            say(f"deleted {n} samples and the personal model" if removed else "there was nothing to delete")
    except (StoreError, ModelError) as err:
        say(f"digitapp my-digits: {err}", sys.stderr)
        return 1
    return 0


def run_fetch(args) -> int:
    import mnist_loader

    try:
        where = mnist_loader.fetch(args.data_dir, report=say)
        mnist_loader.load_data(where, fetch_missing=False)  # parse and verify all four
    except mnist_loader.MnistError as err:
        say(f"digitapp fetch-data: {err}", sys.stderr)
        return 1
    say(f"MNIST is ready in {where}")
    return 0


def mistyped_command(word: str) -> bool:
    """A first argument that names no command and no image: a word without a suffix or folder, not a file."""
    return (word not in COMMANDS and not word.startswith("-") and not Path(word).suffix
            and os.sep not in word and "/" not in word and not os.path.lexists(word))


def main(argv: list[str] | None = None) -> int:
    """The ``digitapp`` command; its exit code.  Whatever interrupts a command is one line (see
    :func:`digitapp.console.guarded`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = "digitapp" + (f" {argv[0]}" if argv and argv[0] in COMMANDS else "")
    return guarded(command, lambda: _run(argv))


def _run(argv: list[str]) -> int:
    if argv and argv[0] == "train":
        from .train import main as train_main

        return train_main(argv[1:])
    if argv and mistyped_command(argv[0]):
        close = difflib.get_close_matches(argv[0].replace("_", "-"), COMMANDS, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        say(f"digitapp: no command or image file '{argv[0]}'; {hint}commands are {', '.join(COMMANDS)}, "
            "or give an image to open: digitapp IMAGE", sys.stderr)
        return 2
    named = bool(argv) and argv[0] in COMMANDS  # 'digitapp predict --jsn' is told to see 'digitapp predict --help'
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv = ["gui", *argv]
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the command's parser says it, pointing to 'digitapp COMMAND --help'
        (args.commands[args.command] if named else parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    log_to_stderr()
    if args.command == "predict":
        return run_predict(args)
    if args.command == "fetch-data":
        return run_fetch(args)
    if args.command == "my-digits":
        return run_my_digits(args)
    from .gui.app import run

    return run(model=args.model, image=args.image)


if __name__ == "__main__":
    sys.exit(main())
