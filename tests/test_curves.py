"""digitapp.curves: the training-curves PNG from a record's history, to a file or a stream; the panel's
small picture of them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from digitapp.curves import curves_image, plot_curves
from digitapp.model_io import default_model_path, read_model_file


def history(epochs: int, monitored: bool = True) -> list[dict]:
    """A record's history as ``digitapp train`` writes it; without training figures when not ``monitored``."""
    return [{"epoch": e, "seconds": 1.0, "eta": 0.5,
             "training_cost": 1 / e if monitored else None, "training_accuracy": 0.9 if monitored else None,
             "evaluation_cost": 1.2 / e, "evaluation_accuracy": 0.8 + e / 100} for e in range(1, epochs + 1)]


@pytest.mark.slow
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


def test_the_small_picture_comes_from_the_record_else_the_png_beside_the_model(tmp_path):
    shipped = read_model_file(default_model_path())["record"]
    image, source = curves_image(shipped["history"], default_model_path())
    assert source == "from the training record" and image.mode == "RGB" and image.width > 2 * image.height > 100
    path = tmp_path / "mine.pkl"
    Image.new("RGB", (1000, 400), "orange").save(tmp_path / "mine.png")
    image, source = curves_image(None, path)
    assert source == "mine.png" and image.getpixel((5, 5)) == (255, 165, 0) and image.width <= 400
    (tmp_path / "mine.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    assert curves_image(None, path) == (None, "no training curves in this model's record")


def test_an_odd_history_is_no_picture(tmp_path):
    nothing = (None, "no training curves in this model's record")
    assert curves_image([{"epoch": "one"}, 3], tmp_path / "odd.pkl") == nothing
    assert curves_image([], None) == nothing
