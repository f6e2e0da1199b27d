"""The training curves: accuracy and cost per epoch from a model's training record, as a PNG.

``digitapp train`` writes them beside the model; the window's look-inside
panel draws them small from the record (:func:`curves_image`).  matplotlib
(with its Agg backend, so no display is needed) is imported only when a plot
is drawn.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from .files import atomic_write

log = logging.getLogger(__name__)

#: The look-inside panel's curves, in inches at 100 dpi.
SMALL_SIZE = (3.7, 1.5)


def curves_path(model_path) -> Path:
    """Where ``digitapp train`` writes a model's curves: NAME.curves.png beside NAME.pkl, a name no picture
    of the user's is likely to have (NAME.png may well be one)."""
    model_path = Path(model_path)
    return model_path.with_name(f"{model_path.stem}.curves.png")


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
    try:
        if isinstance(path, (str, Path)):  # a file is replaced whole or not at all
            with atomic_write(path) as out:
                fig.savefig(out, dpi=100, format="png")
        else:
            fig.savefig(path, dpi=100, format="png")
    finally:
        plt.close(fig)
    return path


def curves_image(history, model_path: Path | str | None,
                 size: tuple[float, float] = SMALL_SIZE) -> tuple[Image.Image | None, str]:
    """The training curves as a small RGB picture, and where they come from: drawn from the record's
    ``history``, else the PNG ``digitapp train`` wrote beside the model file, else (None, why not)."""
    if isinstance(history, list) and history:
        try:
            import matplotlib

            out = io.BytesIO()
            with matplotlib.rc_context({"font.size": 6.5, "lines.markersize": 2, "lines.linewidth": 1}):
                plot_curves(history, out, figsize=size)
            out.seek(0)
            return Image.open(out).convert("RGB"), "from the training record"
        except Exception as err:  # a record from a file can hold anything
            log.info("cannot draw the training curves from the record: %s", err)
    png = next((p for p in (curves_path(model_path), Path(model_path).with_suffix(".png")) if p.is_file()),
               None) if model_path else None  # NAME.png: where models trained before NAME.curves.png keep theirs
    if png is not None:
        try:
            with Image.open(png) as image:
                image.thumbnail((round(size[0] * 100), round(size[1] * 100)))
                return image.convert("RGB"), png.name
        except (OSError, ValueError, Image.DecompressionBombError) as err:
            log.info("cannot read %s: %s", png, err)
    return None, "no training curves in this model's record"
