"""The ``digitapp`` command: the app by default, plus ``train``, ``predict`` and ``fetch-data``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import __version__

COMMANDS = ("gui", "train", "predict", "fetch-data")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitapp",
        description="Draw a digit and watch a small from-scratch neural network recognise it.",
        epilog="Run 'digitapp COMMAND --help' for a command's options. With no command, the app starts.",
    )
    parser.add_argument("--version", action="version", version=f"digitapp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="start the drawing app (the default)")
    add_gui_arguments(gui)

    sub.add_parser("train", help="retrain the model on MNIST (see 'digitapp train --help')", add_help=False)

    predict = sub.add_parser("predict", help="recognise the digit in image files")
    predict.add_argument("files", nargs="+", type=Path, metavar="FILE", help="PNG, JPEG, ... images")
    predict.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    predict.add_argument("--json", action="store_true", help="print everything as JSON lines")
    predict.add_argument("--ink", choices=("dark", "light"), default=None,
                         help="dark ink on light paper or the reverse (default: detect)")
    predict.add_argument("--save-input", type=Path, metavar="DIR", default=None,
                         help="write the 28x28 input the network saw as DIR/NAME.input.png")

    fetch = sub.add_parser("fetch-data", help="fetch and verify the MNIST files")
    fetch.add_argument("--data-dir", type=Path, default=None,
                       help="where to put them (default: $DIGITAPP_DATA_DIR or ~/.cache/digitapp/mnist)")
    return parser


def add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    parser.add_argument("image", nargs="?", type=Path, default=None, help="an image to open at start")


def run_predict(args) -> int:
    from .model_io import ModelError
    from .preprocess import ImageError
    from .recognizer import Recognizer

    try:
        recognizer = Recognizer.load(args.model)
    except ModelError as err:
        print(f"digitapp predict: {err}", file=sys.stderr)
        return 2
    failures = 0
    for path in args.files:
        try:
            prediction = recognizer.predict(path, ink=args.ink)
        except ImageError as err:
            print(f"digitapp predict: {err}", file=sys.stderr)
            failures += 1
            continue
        if args.save_input is not None:
            save_input_png(prediction.input, args.save_input / f"{path.stem}.input.png")
        if args.json:
            print(json.dumps({"file": str(path), **prediction.to_dict(), "model": recognizer.model_info()}))
        elif prediction.digit is None:
            print(f"{path}: no digit (blank image)")
        elif not prediction.is_digit:
            print(f"{path}: not a digit (closest {prediction.digit}, output {100 * prediction.strongest:.1f}%)")
        else:
            unsure = "" if prediction.is_sure else ", not sure"
            print(f"{path}: {prediction.digit} ({100 * prediction.confidence:.1f}%{unsure})")
    return 1 if failures else 0


def save_input_png(array, path: Path, scale: int = 10) -> Path:
    """The 28x28 input as a magnified grayscale PNG, white ink on black like MNIST."""
    import numpy as np
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = (np.clip(array, 0, 1) * 255).round().astype(np.uint8)
    image = Image.fromarray(pixels, "L").resize((28 * scale, 28 * scale), Image.Resampling.NEAREST)
    image.save(path)
    return path


def run_fetch(args) -> int:
    import mnist_loader

    try:
        where = mnist_loader.fetch(args.data_dir, report=print)
        mnist_loader.load_data(where, fetch_missing=False)  # parse and verify all four
    except mnist_loader.MnistError as err:
        print(f"digitapp fetch-data: {err}", file=sys.stderr)
        return 1
    print(f"MNIST is ready in {where}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "train":
        from .train import main as train_main

        return train_main(argv[1:])
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv = ["gui", *argv]
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "predict":
        return run_predict(args)
    if args.command == "fetch-data":
        return run_fetch(args)
    from .gui.app import run

    return run(model=args.model, image=args.image)


if __name__ == "__main__":
    sys.exit(main())
