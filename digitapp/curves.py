"""The training curves: accuracy and cost per epoch from a model's training record, as a PNG.

``digitapp train`` writes them beside the model; the window's look-inside
panel draws them small from the record.  matplotlib (with its Agg backend,
so no display is needed) is imported only when a plot is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO


def plot_curves(history: list[dict], path: Path | BinaryIO, figsize: tuple[float, float] = (10, 4)) -> Path | BinaryIO:
    """Validation and training accuracy and cost per epoch (the record's history), as a PNG file or stream."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, (ax_acc, ax_cost) = plt.subplots(1, 2, figsize=figsize)
    for attr, label in (("training_accuracy", "training"), ("evaluation_accuracy", "validation")):
        values = [h[attr] for h in history]
        if None not in values:
            ax_acc.plot(epochs, [100 * v for v in values], marker=".", label=label)
    for attr, label in (("training_cost", "training"), ("evaluation_cost", "validation")):
        values = [h[attr] for h in history]
        if None not in values:
            ax_cost.plot(epochs, values, marker=".", label=label)
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    ax_cost.set(xlabel="epoch", ylabel="cost per example", title="Cost")
    for ax in (ax_acc, ax_cost):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
