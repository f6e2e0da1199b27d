"""digitapp.curves: the training-curves PNG from a record's history, to a file or a stream."""

from __future__ import annotations

import io

from PIL import Image

from digitapp.curves import plot_curves


def history(epochs: int, monitored: bool = True) -> list[dict]:
    """A record's history as ``digitapp train`` writes it; without training figures when not ``monitored``."""
    return [{"epoch": e, "seconds": 1.0, "eta": 0.5,
             "training_cost": 1 / e if monitored else None, "training_accuracy": 0.9 if monitored else None,
             "evaluation_cost": 1.2 / e, "evaluation_accuracy": 0.8 + e / 100} for e in range(1, epochs + 1)]


def test_a_png_file_of_the_default_size(tmp_path):
    path = tmp_path / "m.png"
    assert plot_curves(history(3), path) == path
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1000, 400)


def test_a_small_plot_to_a_stream_without_training_figures():
    out = io.BytesIO()
    plot_curves(history(2, monitored=False), out, figsize=(3.7, 1.5))
    out.seek(0)
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (370, 150)
