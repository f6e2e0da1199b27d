"""Drawn-digit benchmark: how well the app recognises digits drawn with a mouse.

MNIST accuracy says little about what a user of the app gets.  This
benchmark draws MNIST *test* digits as mouse strokes on the app's canvas
(:mod:`harness.drawn`: skeleton traced into strokes, a random size, place,
slant, rotation, wobble and pen width) and feeds them through exactly what
the app uses, ``Recognizer.predict_strokes``: the app's own preprocessing
and model.

Run from the repository root::

    python -m bench.drawn_digits                      # 2,000 digits, seed 0, the shipped model
    python -m bench.drawn_digits --samples            # also a sheet of 50 drawings
    python -m bench.drawn_digits --save-set bench/out/drawn.npz
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitapp.preprocess import FIELD
from harness.drawn import (CANVAS, ROTATION_DEG, SKIMAGE_MISSING, SLANT_RANGE, BenchError, ink_size,
                           load_mnist_test, make_drawn_digits, render_set, save_set)

OUT_DIR = Path(__file__).resolve().parent / "out"
#: The report's digit-size bins, as shares of the canvas side (130, 170 and 210 px of the first 280 px canvas).
SIZE_BINS = (1 / 3, 130 / 280, 170 / 280, 210 / 280, 1.0)


# ---------------------------------------------------------------- recognition

@dataclass
class Evaluation:
    """What the recognizer made of a set: predicted digit (-1 for 'blank'), confidence, 28x28 inputs."""

    labels: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray
    inputs: np.ndarray = field(repr=False)
    render_seconds: float = 0.0
    predict_seconds: float = 0.0
    unsure_below: float = 0.5
    pen_width: np.ndarray | None = field(default=None, repr=False)  # per drawing, when drawings were given
    size: np.ndarray | None = field(default=None, repr=False)       # longer side of the ink, pixels

    def __repr__(self):
        return f"Evaluation(n={len(self.labels)}, accuracy={self.accuracy:.4f})"

    @property
    def correct(self) -> np.ndarray:
        return self.predicted == self.labels

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean()) if len(self.labels) else 0.0

    def per_digit(self) -> np.ndarray:
        """Accuracy for each true digit 0-9 (NaN where there is none)."""
        return np.array([self.correct[self.labels == d].mean() if (self.labels == d).any() else np.nan
                         for d in range(10)])

    def confusion(self) -> np.ndarray:
        """(10, 11) counts: row the true digit, column the prediction; column 10 is 'nothing drawn'."""
        matrix = np.zeros((10, 11), np.int64)
        np.add.at(matrix, (self.labels, np.where(self.predicted < 0, 10, self.predicted)), 1)
        return matrix


def plain_input(image) -> np.ndarray:
    """The classic demo's preprocessing, for comparison: the whole canvas shrunk to 28x28, nothing else."""
    from PIL import Image

    image = Image.fromarray(image) if isinstance(image, np.ndarray) else image
    small = np.asarray(image.resize((FIELD, FIELD), Image.Resampling.BILINEAR), dtype=np.float32) / 255
    return small.reshape(FIELD * FIELD, 1)


def evaluate(recognizer, drawings=None, images=None, labels=None, progress: bool = False,
             plain: bool = False) -> Evaluation:
    """Recognise each drawing (rendered on its canvas) or each canvas image, as the app does.

    Give ``drawings`` (DrawnDigit list, which carry their labels) or
    ``images`` (uint8 (N, H, W), light ink on dark) with ``labels`` (N,).
    """
    from digitapp.blas import fast_blas

    if drawings is None and images is None:
        raise ValueError("give drawings or images")
    n = len(drawings) if drawings is not None else len(images)
    if drawings is not None:
        labels = [d.label for d in drawings]
    elif labels is None:
        raise ValueError("images need their labels")
    labels = np.asarray(labels, np.int64)
    if len(labels) != n:
        raise ValueError(f"{n} images but {len(labels)} labels")
    predicted = np.full(n, -1, np.int64)
    confidence = np.zeros(n)
    inputs = np.zeros((n, FIELD, FIELD), np.float32)
    render_s = predict_s = 0.0
    items = range(n)
    if progress:
        from tqdm import tqdm
        items = tqdm(items, desc="recognising", unit="digit", file=sys.stderr, dynamic_ncols=True, leave=False)
    with fast_blas():
        for i in items:
            t0 = time.perf_counter()
            if plain:
                image = drawings[i].render() if drawings is not None else images[i]
                t1 = time.perf_counter()
                prediction = recognizer.predict_input(plain_input(image))
            elif drawings is not None:  # as the app does: the strokes, redrawn with a normalised pen
                image, t1 = None, time.perf_counter()
                prediction = recognizer.predict_strokes([s.tolist() for s in drawings[i].strokes])
            else:
                image, t1 = images[i], time.perf_counter()
                prediction = recognizer.predict(image, ink="light")
            t2 = time.perf_counter()
            render_s += t1 - t0
            predict_s += t2 - t1
            if prediction.digit is not None:
                predicted[i] = prediction.digit
            confidence[i] = prediction.confidence
            inputs[i] = prediction.input
    pen_width = size = None
    if drawings is not None:
        pen_width = np.array([d.pen_width for d in drawings])
        size = np.array([ink_size(d) for d in drawings])
    return Evaluation(labels, predicted, confidence, inputs, render_s, predict_s,
                      getattr(recognizer, "unsure_below", 0.5), pen_width, size)


def mnist_accuracy(recognizer, drawings, test=None, data_dir=None) -> float:
    """Accuracy on the MNIST originals of ``drawings``, as they are: the yardstick for the drawn set."""
    images, labels = test if test is not None else load_mnist_test(data_dir)
    images = np.asarray(images).reshape(len(images), -1)
    hits = [recognizer.predict_input(images[d.mnist_index].reshape(-1, 1)).digit == labels[d.mnist_index]
            for d in drawings]
    return float(np.mean(hits)) if hits else 0.0


# ---------------------------------------------------------------- report

def report(result: Evaluation, mnist: float | None = None) -> str:
    """Overall and per-digit accuracy, the confusion matrix and accuracy by pen and size, as text tables.

    ``mnist`` is the accuracy on the same digits' MNIST originals, shown for comparison.
    """
    n = len(result.labels)
    lines = [f"overall accuracy: {100 * result.accuracy:6.2f}%  ({int(result.correct.sum())}/{n})"]
    if mnist is not None:
        lines.append(f"the same {n} digits as MNIST images: {100 * mnist:6.2f}%")
    sure = result.confidence >= result.unsure_below
    if sure.any():
        lines.append(f"'not sure' (confidence < {result.unsure_below:g}): {100 * (1 - sure.mean()):.1f}% of digits; "
                     f"accuracy when sure: {100 * result.correct[sure].mean():.2f}%")
    blank = int((result.predicted < 0).sum())
    if blank:
        lines.append(f"seen as blank: {blank}")
    matrix = result.confusion()
    lines += ["", "digit     n  accuracy  most often taken for"]
    for d, acc in enumerate(result.per_digit()):
        row = matrix[d].copy()
        row[d] = 0
        worst = np.argsort(-row, kind="stable")[:2]
        taken = ", ".join(f"{'blank' if w == 10 else w} ({row[w]})" for w in worst if row[w] > 0) or "-"
        lines.append(f"{d:>5} {matrix[d].sum():>5}  {100 * acc:7.2f}%  {taken}")
    columns = 11 if matrix[:, 10].any() else 10
    header = "".join(f"{c:>6}" for c in range(10)) + ("  blank" if columns == 11 else "")
    lines += ["", "confusion matrix (rows: true digit, columns: predicted; '.' is 0)",
              "true  " + header]
    for d in range(10):
        cells = "".join(f"{(str(v) if v else '.'):>6}" for v in matrix[d, :10])
        if columns == 11:
            cells += f"{(str(matrix[d, 10]) if matrix[d, 10] else '.'):>7}"
        lines.append(f"{d:>4}  {cells}")
    for name, values, edges in (("pen width", result.pen_width, (6, 12, 18, 26, 40)),
                                ("digit size", result.size, tuple(CANVAS * np.array(SIZE_BINS)))):
        if values is None:
            continue
        lines += ["", f"{name:>10} (px)      n  accuracy"]
        bins = np.clip(np.digitize(values, edges[1:-1]), 0, len(edges) - 2)
        for b in range(len(edges) - 1):
            inside = bins == b
            acc = f"{100 * result.correct[inside].mean():7.2f}%" if inside.any() else "      -"
            lines.append(f"{edges[b]:>10.0f} - {edges[b + 1]:<4.0f} {int(inside.sum()):>5}  {acc}")
    return "\n".join(lines)


def _sheet(pairs, path: Path, title: str, per_row: int = 5) -> Path:
    """A PNG grid of (canvas image, 28x28 input, caption, caption colour) pairs; matplotlib is lazy."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = max(1, -(-len(pairs) // per_row))
    height = 1.45 * rows + 0.6
    fig, axes = plt.subplots(rows, 2 * per_row, figsize=(2.6 * per_row, height),
                             gridspec_kw=dict(wspace=0.05, hspace=0.35), squeeze=False)
    fig.subplots_adjust(top=1 - 0.55 / height)
    for ax in axes.ravel():
        ax.axis("off")
    for k, (canvas, x, caption, colour) in enumerate(pairs):
        a, b = axes[k // per_row, 2 * (k % per_row)], axes[k // per_row, 2 * (k % per_row) + 1]
        a.imshow(canvas, cmap="gray", vmin=0, vmax=255, interpolation="antialiased")
        b.imshow(x, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        a.set_title(caption, fontsize=8, color=colour, loc="left")
        for ax in (a, b):  # a thin frame shows the canvas and the 28x28 field
            ax.axis("on")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("0.6")
    fig.suptitle(title, fontsize=10, y=1 - 0.1 / height)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)
    return path


def failure_sheet(drawings, result: Evaluation, path: Path, limit: int = 60) -> Path | None:
    """The first ``limit`` misrecognised drawings: canvas, 28x28 input, true -> predicted."""
    wrong = np.flatnonzero(~result.correct)[:limit]
    if not len(wrong):
        return None
    pairs = []
    for i in wrong:
        guess = "blank" if result.predicted[i] < 0 else str(result.predicted[i])
        caption = f"{result.labels[i]} -> {guess} ({100 * result.confidence[i]:.0f}%) pen {drawings[i].pen_width:.0f}"
        pairs.append((np.asarray(drawings[i].render()), result.inputs[i], caption, "firebrick"))
    shown = f"first {len(wrong)} of {int((~result.correct).sum())}"
    return _sheet(pairs, path, f"Drawn digits recognised wrongly ({shown}): true -> predicted (confidence)")


def sample_sheet(drawings, result: Evaluation, path: Path, count: int = 50, seed: int = 0) -> Path:
    """``count`` random drawings with their 28x28 inputs and what was recognised."""
    rng = np.random.default_rng([seed, 0x5A])
    chosen = np.sort(rng.choice(len(drawings), size=min(count, len(drawings)), replace=False))
    pairs = []
    for i in chosen:
        guess = "blank" if result.predicted[i] < 0 else str(result.predicted[i])
        ok = result.predicted[i] == result.labels[i]
        pairs.append((np.asarray(drawings[i].render()), result.inputs[i],
                      f"{result.labels[i]} -> {guess}  pen {drawings[i].pen_width:.0f}",
                      "black" if ok else "firebrick"))
    return _sheet(pairs, path, f"{len(chosen)} random drawn digits (canvas, 28x28 input): true -> predicted")


# ---------------------------------------------------------------- command line

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.drawn_digits",
        description=f"Accuracy on MNIST test digits redrawn as mouse strokes on the app's {CANVAS}x{CANVAS} canvas, "
                    "recognised through the app's own preprocessing and model.",
    )
    parser.add_argument("--count", type=int, default=2000,
                        help="how many drawn digits, balanced over 0-9 (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the choice of digits and the drawing (default: %(default)s)")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the MNIST IDX files (default: $DIGITAPP_DATA_DIR or ~/.cache/digitapp/mnist)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the PNG sheets (default: bench/out)")
    parser.add_argument("--failures", type=int, default=60, metavar="N",
                        help="show at most N failures in OUT/drawn_failures.png; 0: no sheet (default: %(default)s)")
    parser.add_argument("--samples", nargs="?", type=int, const=50, default=0, metavar="N",
                        help="also write OUT/drawn_samples.png with N random drawings (50 if N is left out)")
    parser.add_argument("--save-set", type=Path, default=None, metavar="PATH",
                        help="write the set as a compressed .npz: strokes, pen widths, labels, 28x28 inputs")
    parser.add_argument("--save-images", action="store_true",
                        help=f"with --save-set, also store the uint8 {CANVAS}x{CANVAS} canvases (large)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--plain", action="store_true",
                        help="for comparison: the classic demo's preprocessing (canvas shrunk to 28x28) "
                             "instead of the app's")
    return parser


def main(argv=None) -> int:
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    if args.count < 1:
        print("drawn_digits: --count must be at least 1", file=sys.stderr)
        return 2
    try:
        import skimage  # noqa: F401
    except ImportError:
        print(f"drawn_digits: {SKIMAGE_MISSING}", file=sys.stderr)
        return 2
    from digitapp.model_io import ModelError, default_model_path
    from digitapp.recognizer import Recognizer

    progress = not args.no_progress and sys.stderr.isatty()
    try:
        recognizer = Recognizer.load(args.model)
        test = load_mnist_test(args.data_dir)
        t0 = time.perf_counter()
        drawings, labels = make_drawn_digits(args.count, args.seed, test=test, progress=progress)
        draw_s = time.perf_counter() - t0
    except (ModelError, BenchError) as err:
        print(f"drawn_digits: {err}", file=sys.stderr)
        return 2
    result = evaluate(recognizer, drawings, progress=progress, plain=args.plain)
    mnist_correct = mnist_accuracy(recognizer, drawings, test=test)

    model = args.model or default_model_path()
    n = len(drawings)
    pens, sizes = result.pen_width, result.size
    print(f"Drawn digits: {n} MNIST test digits redrawn as mouse strokes on a {CANVAS}x{CANVAS} canvas "
          f"(seed {args.seed})")
    print(f"model: {model}")
    print(f"pen width {pens.min():.0f}-{pens.max():.0f} px, digit size {sizes.min():.0f}-{sizes.max():.0f} px, "
          f"slant +-{SLANT_RANGE:g}, rotation +-{ROTATION_DEG:g} deg")
    print()
    print(report(result, mnist_correct))
    print()
    total = draw_s + result.render_seconds + result.predict_seconds
    print(f"time: {total:.1f} s in all; per digit: skeleton and strokes {1000 * draw_s / n:.2f} ms, "
          f"render {1000 * result.render_seconds / n:.2f} ms, "
          f"preprocess and recognise {1000 * result.predict_seconds / n:.2f} ms")

    if args.failures > 0:
        path = failure_sheet(drawings, result, args.out / "drawn_failures.png", args.failures)
        print(f"failures: {path}" if path else "failures: none")
    if args.samples:
        print(f"samples: {sample_sheet(drawings, result, args.out / 'drawn_samples.png', args.samples, args.seed)}")
    if args.save_set is not None:
        images = render_set(drawings) if args.save_images else None
        path = save_set(args.save_set, drawings, result.inputs, images, args.seed)
        print(f"set: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
