"""The look-inside panel: its pictures read back from the real window under Xvfb and checked against
digitapp.explain, drawing with real pointer events.  What it shows, worked out without a display, is tested
in test_look_inside.py.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from contextlib import contextmanager

import numpy as np
import pytest

from conftest import FakeDialogs
from digitapp.explain import explain
from digitapp.gui.inside import EVIDENCE_ZOOM
from digitapp.look_inside import BACKGROUND_RGB, activation_levels, diverging_index, grid_shape
from digitapp.model_io import save_model
from digitapp.network2 import Network
from digitapp.preprocess import FIELD
from digitapp.recognizer import Recognizer
from harness.shapes import on_canvas
from harness.window import draw_with_xdotool, pump


# -- helpers without a display --------------------------------------------------------------------

@pytest.mark.slow
def test_matplotlib_waits_until_the_panel_opens():
    """The app's modules, the panel's and the evidence maths import no matplotlib (and the core no Tk)."""
    code = ("import sys, digitapp.explain; assert 'tkinter' not in sys.modules; "
            "import digitapp.gui.app, digitapp.gui.inside; print(sorted(m for m in sys.modules if 'matplotlib' in m))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"




# -- the real window --------------------------------------------------------------------------------

def open_view(app):
    app.root.focus_force()
    app.root.event_generate("<Control-i>")
    pump(app.root, 0.05)
    assert app.inside.is_open and app.inside.winfo_ismapped()
    return app.inside


def draw(app, d):
    if not app.canvas.drawing.is_empty:
        app.clear()
    draw_with_xdotool(app.root, app.canvas, on_canvas(d, app.canvas.side))
    pump(app.root, 0.1)
    return explain(app.recognizer.network, app.prediction.input)


def photo_pixels(photo, points):
    return np.array([photo.get(int(x), int(y)) for x, y in points])


def frame_colours(view):
    """The colour of each neuron's frame, read back from the grid's photo (its cell's top-left pixel)."""
    grid = view.tile_grid
    return photo_pixels(view.grid_photo, [((i % grid.columns) * grid.cell, (i // grid.columns) * grid.cell)
                                          for i in range(grid.n)])


def evidence_pixels(view):
    z = view.evidence_photo.width() // FIELD
    assert view.evidence_photo.width() == view.evidence_photo.height() == FIELD * z
    return photo_pixels(view.evidence_photo, [(c * z + z // 2, r * z + z // 2)
                                              for r in range(FIELD) for c in range(FIELD)])


@contextmanager
def window_with_model(network, path, record):
    """The app in a window of its own, answering with ``network`` saved to and loaded from ``path``."""
    import tkinter as tk

    from digitapp.gui.app import App

    recognizer = Recognizer.load(save_model(network, path, record))
    root = tk.Tk(className="digitapp")
    try:
        app = App(root, recognizer, FakeDialogs(root))
        pump(root, 1.0, until=lambda: root.winfo_viewable())
        yield app
    finally:
        root.destroy()


def assert_view_shows(view, e):
    """The grid's frames, the evidence map and the output bars are what explain() says."""
    expected = view.activation_table[np.round(np.clip(e.first_layer, 0, 1) * 255).astype(np.uint8)]
    np.testing.assert_array_equal(frame_colours(view), expected)
    index = diverging_index(e.evidence.ravel(), float(np.abs(e.evidence).max()))
    np.testing.assert_array_equal(evidence_pixels(view), view.weights_table[index])
    widths = np.array([view.bar_width(d) for d in range(len(e.output))])
    np.testing.assert_allclose(widths, np.round(e.output * view.bar_length), atol=1)
    assert f"push towards {e.digit}, blue ones towards {e.runner_up}" in view.evidence_text.cget("text")
    assert f"{e.output[e.digit]:.3f}" == view.outputs.itemcget(f"value{e.digit}", "text")


@pytest.mark.gui
@pytest.mark.slow
def test_the_view_opens_and_follows_the_drawing(app, recognizer):
    assert not app.inside.is_open and not app.inside.built  # nothing built at start
    draw(app, 1)
    assert app.inside.renders == 0  # and nothing computed while closed
    view = open_view(app)
    assert view.renders == 1 and app.inside_button.cget("text").startswith("◂")
    e1 = explain(recognizer.network, app.prediction.input)
    assert_view_shows(view, e1)  # opened on the drawing already there
    grid = view.tile_grid
    assert (grid.rows, grid.columns) == grid_shape(recognizer.network.sizes[1])
    assert (view.grid_photo.width(), view.grid_photo.height()) == grid.size
    frames1, evidence1 = frame_colours(view), evidence_pixels(view)

    e7 = draw(app, 7)
    assert e7.digit == 7 and app.prediction.digit == 7
    assert_view_shows(view, e7)
    assert (frame_colours(view) != frames1).any(axis=1).sum() > 10  # other neurons fire
    assert (evidence_pixels(view) != evidence1).any()

    app.clear()
    pump(app.root, 0.05)
    assert view.explanation is None
    assert max(view.bar_width(d) for d in range(10)) == 0 and "Draw a digit" in view.evidence_text.cget("text")
    assert (evidence_pixels(view) == view.weights_table[128]).all()


def colour_agrees_with_weights(view, weights, neurons) -> float:
    """The share of strong weights (over 60% of the neuron's largest) shown red when positive, blue when negative."""
    grid = view.tile_grid
    scale = grid.tile_side / FIELD
    agree = total = 0
    for i in neurons:
        w = weights[i].reshape(FIELD, FIELD)
        x0, y0, _, _ = grid.tile_box(i)
        strong = np.argwhere(np.abs(w) > 0.6 * np.abs(w).max())
        colours = photo_pixels(view.grid_photo, [(x0 + (c + 0.5) * scale, y0 + (r + 0.5) * scale) for r, c in strong])
        agree += int(np.sum(np.sign(colours[:, 0].astype(int) - colours[:, 2]) == np.sign(w[tuple(strong.T)])))
        total += len(strong)
    return agree / total


@pytest.mark.gui
@pytest.mark.slow
def test_tiles_show_each_neurons_incoming_weights_and_dim_the_silent_ones(app, recognizer):
    view = open_view(app)
    e = draw(app, 3)
    grid = view.tile_grid
    assert colour_agrees_with_weights(view, recognizer.network.weights[0], range(grid.n)) > 0.9

    def contrast(i):
        """How much of its own weights' contrast with the background a tile shows now."""
        x0, y0, x1, y1 = grid.tile_box(i)
        shown = photo_pixels(view.grid_photo, [(x, y) for y in range(y0, y1) for x in range(x0, x1)])
        weights = view.tiles.base[y0:y1, x0:x1].reshape(-1, 3)
        background = np.array(BACKGROUND_RGB)
        return np.abs(shown - background).sum() / np.abs(weights - background).sum()

    active, silent = int(e.first_layer.argmax()), int(e.first_layer.argmin())
    assert e.first_layer[active] > 0.9 and e.first_layer[silent] < 0.1
    assert contrast(active) > 0.9 and contrast(silent) < 0.45


@pytest.mark.gui
@pytest.mark.slow
def test_pointing_at_a_tile_describes_its_neuron_and_a_click_keeps_it(app):
    view = open_view(app)
    e = draw(app, 4)
    grid = view.tile_grid
    i, j = int(e.first_layer.argmax()), 0 if int(e.first_layer.argmax()) != 0 else 1
    gx, gy = view.grid_canvas.winfo_rootx(), view.grid_canvas.winfo_rooty()

    def pointer(*actions):
        subprocess.run(["xdotool", *actions], check=True)
        pump(app.root, 0.15)

    def centre(n):
        x0, y0, x1, y1 = grid.tile_box(n)
        return str(gx + (x0 + x1) // 2), str(gy + (y0 + y1) // 2)

    pointer("mousemove", *centre(i))
    text = view.neuron_label.cget("text")
    assert text.startswith(f"Neuron {i}: activation {e.first_layer[i]:.2f}") and "z = w·x + b" in text
    assert view.grid_canvas.coords(view.marker) == [float(c) for c in grid.tile_box(i)]
    pointer("click", "1")
    pointer("mousemove", *centre(j))
    assert view.neuron_label.cget("text").startswith(f"Neuron {j}")
    pointer("mousemove", str(gx - 30), str(gy - 30))  # off the grid: the clicked one stays
    assert view.neuron_label.cget("text").startswith(f"Neuron {i}")
    assert view.grid_canvas.itemcget(view.marker, "state") == "normal"
    e7 = draw(app, 7)  # and follows the drawing
    assert view.neuron_label.cget("text").startswith(f"Neuron {i}: activation {e7.first_layer[i]:.2f}")
    pointer("mousemove", *centre(i))
    pointer("click", "1")  # a second click lets it go
    pointer("mousemove", str(gx - 30), str(gy - 30))
    assert view.neuron_label.cget("text").startswith("Each tile")
    assert view.grid_canvas.itemcget(view.marker, "state") == "hidden"


@pytest.mark.gui
@pytest.mark.slow
def test_clicking_an_output_sets_the_answer_against_that_digit(app, recognizer):
    view = open_view(app)
    e = draw(app, 7)
    rival = next(d for d in range(10) if d not in (e.digit, e.runner_up))
    oy = view.outputs.winfo_rooty()

    def click(digit):
        assert view.outputs.winfo_rooty() == oy  # the bars stay put whatever the texts above them say
        ox = view.outputs.winfo_rootx()
        y = oy + int((digit + 0.5) * view.row_height)
        subprocess.run(["xdotool", "mousemove", str(ox + view.px(40)), str(y), "click", "1"], check=True)
        pump(app.root, 0.15)

    assert view.outputs.itemcget(f"bar{e.digit}", "fill") == view.role_colours["for"]
    click(rival)
    against = explain(recognizer.network, app.prediction.input, e.digit, rival)
    assert view.explanation.runner_up == rival
    assert_view_shows(view, against)
    assert "your pick" in view.evidence_text.cget("text")
    assert view.outputs.itemcget(f"bar{rival}", "fill") == view.role_colours["against"]
    assert view.outputs.itemcget(f"bar{e.runner_up}", "fill") != view.role_colours["against"]
    e3 = draw(app, 3)  # the pick stays for the next drawing
    assert view.explanation.runner_up == (rival if rival != 3 else e3.runner_up)
    click(rival)  # a second click goes back to the runner-up
    assert view.rival is None
    assert_view_shows(view, explain(recognizer.network, app.prediction.input))
    assert "the runner-up" in view.evidence_text.cget("text")


@pytest.mark.slow
@pytest.mark.gui
def test_the_model_is_described(app, recognizer):
    view = open_view(app)
    assert view.model_text.cget("text") == "\n".join(recognizer.info.details())
    assert "shipped model" in view.model_text.cget("text")
    assert view.curves_photo is not None and view.curves_photo.width() > 100
    assert view.curves_label.winfo_ismapped()
    assert view.curves_source.cget("text") == "Training curves: from the training record"


@pytest.mark.gui
@pytest.mark.slow
def test_closing_stops_the_work_and_reopening_catches_up(app):
    view = open_view(app)
    draw(app, 2)
    renders = view.renders
    app.toggle_inside()
    pump(app.root, 0.05)
    assert not view.is_open and not view.winfo_ismapped() and app.inside_button.cget("text").startswith("Look")
    e = draw(app, 6)
    assert view.renders == renders
    app.inside_button.invoke()  # the button opens it too
    pump(app.root, 0.05)
    assert view.is_open and view.renders == renders + 1
    assert_view_shows(view, e)


@pytest.mark.gui
@pytest.mark.slow
def test_weights_changed_in_place_are_redrawn(app, recognizer):
    app.personal.recognizer = Recognizer(copy.deepcopy(recognizer.network), recognizer.path, recognizer.record)
    view = open_view(app)
    draw(app, 0)
    weights = app.recognizer.network.weights[0]
    assert colour_agrees_with_weights(view, weights, [5, 6]) > 0.9
    weights[5] *= -1  # as learning from a correction changes them: in place
    app.predict_now()
    assert colour_agrees_with_weights(view, weights, [5, 6]) > 0.9  # without a redraw, neuron 5 would be ~0


@pytest.mark.gui
@pytest.mark.parametrize("sizes", [[784, 30, 10], [784, 10], [784, 20, 16, 10]])
@pytest.mark.slow
def test_any_network_shape_and_another_model_file(display, tmp_path, sizes):
    with window_with_model(Network(sizes, seed=2, dtype=np.float32), tmp_path / "small.pkl", {"epochs": 3}) as app:
        view = open_view(app)
        e = draw(app, 1)
        grid = view.tile_grid
        assert grid.n == sizes[1] and (grid.rows, grid.columns) == grid_shape(sizes[1])
        assert_view_shows(view, e)
        title = view.grid_title.cget("text")
        assert title == {2: "Output layer (this network has no hidden layer): 10 neurons",
                         3: f"Hidden layer: {sizes[1]} neurons, sigmoid",
                         4: f"Hidden layer 1 of 2: {sizes[1]} neurons, sigmoid"}[len(sizes)]
        assert view.outputs_title.cget("text") == ("Output layer: ten sigmoids" if sizes[-1] == 10
                                                   else f"Output layer: {sizes[-1]} sigmoids")
        assert view.model_text.cget("text").startswith("small.pkl: other file model")
        assert "3 epochs" in view.model_text.cget("text")
        assert view.curves_photo is None and "no training curves" in view.curves_source.cget("text")


@pytest.mark.gui
def test_a_deep_softmax_model_shows_every_hidden_layer(display, tmp_path):
    """Issue 19: a model like `digitapp train --hidden 30 20 16 --activation relu --cost log-likelihood` shows
    each hidden layer's activations with its name and activation function, and a softmax's outputs as shares,
    within a laptop's screen, and pointing at any layer's neuron moves nothing."""
    net = Network([784, 30, 20, 16, 10], cost="log-likelihood", activation="relu", seed=3, dtype=np.float32)
    with window_with_model(net, tmp_path / "deep.pkl", {"epochs": 1}) as app:
        root = app.root
        view = open_view(app)
        e = draw(app, 3)
        network = app.recognizer.network
        assert [len(a) for a in e.layers] == [30, 20, 16, 10]

        def colours(layer):
            """What each neuron of hidden ``layer`` should be shown in (ReLU: scaled to the layer's strongest)."""
            levels, signed_ = activation_levels(network, e.layers[layer - 1])
            assert not signed_ and levels.max() == 1
            return view.activation_table[np.round(levels * 255).astype(np.uint8)]

        # layer 1: the tiles, framed by its activations
        assert view.grid_title.cget("text") == "Hidden layer 1 of 3: 30 neurons, ReLU"
        np.testing.assert_array_equal(frame_colours(view), colours(1))
        # layers 2 and 3: a titled strip each under the tiles, one square per neuron
        grid_bottom = view.tile_grid.size[1]
        assert [s.layer for s in view.strips] == [2, 3] and view.strips[0].top >= grid_bottom
        assert view.grid_canvas.winfo_height() >= view.strips[-1].bottom
        for strip, photo in zip(view.strips, view.strip_photos):
            assert view.strip_title(strip.layer) == f"Hidden layer {strip.layer} of 3: " \
                                                    f"{network.sizes[strip.layer]} neurons, ReLU"
            centres = [((x0 + x1) // 2, (y0 + y1) // 2) for x0, y0, x1, y1 in
                       map(strip.grid.cell_box, range(strip.grid.n))]
            np.testing.assert_array_equal(photo_pixels(photo, centres), colours(strip.layer))
        # the outputs: a softmax's shares, in words that say so
        assert view.outputs_title.cget("text") == "Output layer: softmax of ten"
        assert view.outputs_text.cget("text").startswith("A softmax: shares that add up to 100%")
        widths = np.array([view.bar_width(d) for d in range(10)])
        np.testing.assert_allclose(widths, np.round(e.output * view.bar_length), atol=1)
        assert abs(float(e.output.sum()) - 1) < 1e-5
        hint = view.neuron_label.cget("text")
        assert hint.startswith("Each tile") and "deeper layers" in hint

        # pointing at a square of layer 3 describes that neuron; the window fits and keeps its size
        width, height = root.winfo_reqwidth(), root.winfo_reqheight()
        assert width <= 1366 and height <= 768 - 60, (width, height)  # as tests/test_window.py's laptop
        strip = view.strips[-1]
        i = int(np.argmax(e.layers[2]))
        x0, y0, x1, y1 = strip.grid.cell_box(i)
        subprocess.run(["xdotool", "mousemove", str(view.grid_canvas.winfo_rootx() + (x0 + x1) // 2),
                        str(view.grid_canvas.winfo_rooty() + strip.squares_top + (y0 + y1) // 2)], check=True)
        pump(root, 0.15)
        text = view.neuron_label.cget("text")
        assert view.neuron == (3, i)
        subprocess.run(["xdotool", "click", "1"], check=True)  # and keeps it while drawing
        pump(root, 0.1)
        assert text.startswith(f"Layer 3, neuron {i}: a = {e.layers[2][i]:.2f}"), text
        assert "z = w·a + b" in text and "ReLU(z) = max(0, z)" in text
        assert view.grid_canvas.itemcget(view.marker, "state") == "normal"
        e7 = draw(app, 7)  # another drawing: the same neuron's new numbers, the strips follow
        assert view.neuron_label.cget("text").startswith(f"Layer 3, neuron {i}: a = {e7.layers[2][i]:.2f}")
        levels, _ = activation_levels(network, e7.layers[1])
        strip2 = view.strips[0]
        x0, y0, x1, y1 = strip2.grid.cell_box(int(np.argmax(levels)))
        assert view.strip_photos[0].get((x0 + x1) // 2, (y0 + y1) // 2) == tuple(view.activation_table[255])
        root.update_idletasks()
        assert (root.winfo_reqwidth(), root.winfo_reqheight()) == (width, height)


@pytest.mark.gui
def test_the_panel_alone_shows_any_prediction_and_any_number_of_outputs(display):
    """Its entry point is a Prediction (say, one digit of several), and it needs no App around it."""
    import tkinter as tk

    from digitapp.gui.inside import InsideView

    recognizer = Recognizer(Network([784, 40, 11], seed=4, dtype=np.float32))  # e.g. an 11th "not a digit" output
    x = np.zeros((FIELD, FIELD), np.float32)
    x[6:22, 13:16] = 1
    prediction = recognizer.predict_input(x.reshape(-1, 1))
    root = tk.Tk(className="digitapp")
    try:
        view = InsideView(root, row=0, column=0)
        assert view.toggle(recognizer, prediction) and view.renders == 1
        root.update()
        e = explain(recognizer.network, x)
        assert repr(view) == "InsideView(open, 1 updates, 40 neurons)"
        assert view.n_outputs == 11 and view.outputs_title.cget("text") == "Output layer: 11 sigmoids"
        assert_view_shows(view, e)
        assert view.model_text.cget("text").startswith("a model in memory, not from a file")
        assert not view.toggle(recognizer, prediction) and not view.is_open
    finally:
        root.destroy()


@pytest.mark.gui
@pytest.mark.slow
def test_evidence_map_zoom(app):
    view = open_view(app)
    draw(app, 5)
    assert view.evidence_photo.width() == FIELD * view.px(EVIDENCE_ZOOM)
