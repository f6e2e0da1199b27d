"""What every example shares: its command line, MNIST (all of it, or a slice with --small) and the plots.

Not part of digitapp: the examples use only its public API (``from digitapp
import network, network2``, ``digitapp.optimizers``) and the book's
``mnist_loader``, as a reader of the tutorials would.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

#: With --small: this many training and test images, and at most this many epochs.
SMALL_TRAIN, SMALL_TEST, SMALL_EPOCHS = 2000, 1000, 2


def parser(description: str, epochs: int) -> argparse.ArgumentParser:
    """The examples' common options: --small, --epochs, --out, --seed."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--small", action="store_true",
                   help=f"a slice of MNIST ({SMALL_TRAIN} training, {SMALL_TEST} test images) and "
                        f"{SMALL_EPOCHS} epochs at most: runs in seconds, shows less")
    p.add_argument("--epochs", type=int, default=epochs, help="epochs per network (default %(default)s)")
    p.add_argument("--out", type=Path, default=None, help="folder for the PNG plots (default: a new temporary folder)")
    p.add_argument("--seed", type=int, default=0, help="random seed of every network (default %(default)s)")
    return p


def settle(args: argparse.Namespace) -> argparse.Namespace:
    """--small caps the epochs; --out defaults to a fresh temporary folder, created."""
    if args.small:
        args.epochs = min(args.epochs, SMALL_EPOCHS)
    args.out = Path(args.out) if args.out is not None else Path(tempfile.mkdtemp(prefix="digitapp-examples-"))
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def mnist(small: bool):
    """``(training, test)`` as ``(images (N, 784) float32, labels (N,))``: the book's 50,000 and 10,000, or slices."""
    import mnist_loader

    training, _, test = mnist_loader.load_data()
    if small:
        training = (training[0][:SMALL_TRAIN], training[1][:SMALL_TRAIN])
        test = (test[0][:SMALL_TEST], test[1][:SMALL_TEST])
    return training, test


def table(title: str, rows: dict[str, list[float]], unit: str = "%") -> None:
    """Print one row per run: its value after each epoch (accuracies in percent)."""
    print(f"\n{title}")
    width = max(len(k) for k in rows) + 2
    epochs = max(len(v) for v in rows.values())
    print(f"{'':{width}}" + "".join(f"{f'epoch {j + 1}':>10}" for j in range(epochs)))
    for label, values in rows.items():
        print(f"{label:{width}}" + "".join(f"{v:9.2f}{unit}" for v in values))


def pyplot():
    """matplotlib's pyplot, drawing to files only (the examples run without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, path: Path) -> Path:
    """Save ``fig`` as a PNG at ``path``, close it and say where it is."""
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    pyplot().close(fig)
    print(f"plot: {path}")
    return path


def plot_curves(rows: dict[str, list[float]], title: str, path: Path, ylabel: str = "test accuracy (%)") -> Path:
    """The rows as curves over the epochs, saved as a PNG."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, values in rows.items():
        ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
    ax.set(xlabel="epoch", ylabel=ylabel, title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return save(fig, path)


def accuracy_curve(net, training, test, epochs: int, mini_batch_size: int, eta: float, **options) -> list[float]:
    """Train ``net`` with its own ``SGD`` and return the test accuracy (%) after each epoch."""
    evaluation = net.SGD(training, epochs, mini_batch_size, eta, evaluation_data=test,
                         monitor_evaluation_accuracy=True, verbose=False, **options)[1]
    return [100 * n / len(test[0]) for n in evaluation]


def plot_boundaries(titles: dict[str, str], nets: dict, X: np.ndarray, y: np.ndarray, path: Path) -> Path:
    """Each one-output network's decision boundary over the 2-D points, side by side, saved as a PNG;
    ``titles`` gives each network's panel title, by the same keys as ``nets``."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(nets), figsize=(4 * len(nets), 4))
    for ax, (label, net) in zip(np.atleast_1d(axes), nets.items()):
        decision_boundary(ax, net, X, y, titles[label])
    return save(fig, path)


def decision_boundary(ax, net, X: np.ndarray, y: np.ndarray, title: str) -> None:
    """Shade where a one-output ``net`` says 1 (output >= 0.5) over the plane of the 2-D points X, and plot them."""
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, 200)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, 200)
    gx, gy = np.meshgrid(xs, ys)
    out = net.feedforward(np.column_stack([gx.ravel(), gy.ravel()]).astype(net.dtype)).reshape(gx.shape)
    ax.contourf(gx, gy, out, levels=[0, 0.5, 1], colors=["#f4c7c3", "#c6dbef"], alpha=0.8)
    ax.contour(gx, gy, out, levels=[0.5], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=np.where(y > 0.5, "#08519c", "#cb181d"), s=12, edgecolors="none")
    ax.set(title=title, xticks=[], yticks=[])
