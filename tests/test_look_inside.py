"""digitapp.look_inside: the look-inside panel's pictures and words, checked without a display."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from digitapp.explain import explain
from digitapp.look_inside import (BACKGROUND_RGB, DIM, EVIDENCE_HINT, NEURON_HINT, StripGrid, TileGrid, TilePicture,
                                  activation_levels, colour_table, deeper_strips, describe_neuron, diverging_index,
                                  evidence_map, fit_lines, fitting_shape, grid_shape, hidden_title, is_softmax, layer_title, layers_layout,
                                  neuron_hint, neuron_tile, signed, strip_at, tile_limit, weight_tiles, wrap,
                                  output_role, outputs_note, outputs_title, role_colours, weights_key)
from digitapp.network2 import Network
from digitapp.preprocess import FIELD


def a_one() -> np.ndarray:
    x = np.zeros((FIELD, FIELD))
    x[6:22, 12:15] = 1
    return x


@pytest.mark.slow
def test_it_needs_neither_tk_nor_matplotlib_until_a_colour_table_is_made():
    code = ("import sys, digitapp.look_inside; assert 'tkinter' not in sys.modules; "
            "print(sorted(m for m in sys.modules if 'matplotlib' in m))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("n, shape", [(100, (10, 10)), (30, (5, 6)), (10, (3, 4)), (1, (1, 1)), (300, (17, 18))])
def test_grid_shape(n, shape):
    assert grid_shape(n) == shape


@pytest.mark.parametrize("n", [100, 30, 7])
def test_tile_grid_maps_pixels_to_neurons(n):
    grid = TileGrid.for_neurons(n, 320)
    width, height = grid.size
    assert grid.tile_of.shape == grid.frame_of.shape == (height, width)
    for i in range(n):
        x0, y0, x1, y1 = grid.tile_box(i)
        assert x1 - x0 == y1 - y0 == grid.tile_side > 0
        assert (grid.tile_of[y0:y1, x0:x1] == i).all()
        assert grid.neuron_at((x0 + x1) / 2, (y0 + y1) / 2) == i
        assert grid.frame_of[y0 - grid.frame - 1, x0] == i  # the frame surrounds the tile
    assert set(np.unique(grid.tile_of)) == set(range(n + 1))  # n marks the pixels of no tile
    assert not ((grid.tile_of < n) & (grid.frame_of < n)).any()
    assert grid.neuron_at(-1, 5) is None and grid.neuron_at(width + 3, 0) is None
    assert repr(grid).startswith(f"TileGrid(n={n}, rows=") and "array" not in repr(grid)


def test_diverging_index():
    np.testing.assert_array_equal(diverging_index(np.array([-2.0, -1, 0, 1, 2]), 1.0), [0, 0, 128, 255, 255])
    assert (diverging_index(np.zeros(3), 0.0) == 128).all()


def test_colour_tables_are_matplotlibs():
    import matplotlib

    table = colour_table("RdBu_r")
    assert table.shape == (256, 3) and table.dtype == np.uint8
    np.testing.assert_array_equal(table[-1], np.round(np.array(matplotlib.colormaps["RdBu_r"](1.0)[:3]) * 255))
    assert table[-1, 0] > table[-1, 2] and table[0, 2] > table[0, 0]  # positive red, negative blue
    colours = role_colours(table)
    assert colours["for"] == "#%02x%02x%02x" % tuple(table[232]) and int(colours["for"][1:3], 16) > 150


@pytest.fixture(scope="module")
def tables():
    return colour_table("RdBu_r"), colour_table("Greens")


def test_tiles_show_weights_dim_the_silent_and_frame_by_activation(tables):
    weights_table, activation_table = tables
    net = Network([784, 6, 10], seed=3)
    picture = TilePicture(net.weights[0], 120, weights_table, activation_table)
    grid = picture.grid
    bare = picture.pixels(None)
    assert bare.dtype == np.uint8 and bare.shape == (grid.size[1], grid.size[0], 3)
    np.testing.assert_array_equal(bare, (picture.base + 0.5).astype(np.uint8))
    assert (bare[grid.tile_of == grid.n] == BACKGROUND_RGB).all()  # between the tiles: the background

    activations = np.array([1.0, 0.0, 0.5, 1.0, 0.0, 0.25])
    shaded = picture.pixels(activations)
    background = np.asarray(BACKGROUND_RGB, np.float32)
    for i, a in enumerate(activations):
        x0, y0, x1, y1 = grid.tile_box(i)
        ink = picture.base[y0:y1, x0:x1] - background
        np.testing.assert_allclose(shaded[y0:y1, x0:x1], background + (DIM + (1 - DIM) * a) * ink, atol=1)
        frame = shaded[grid.frame_of == i]
        assert (frame == activation_table[round(a * 255)]).all()
    assert repr(picture) == f"TilePicture(6 neurons, {grid.size[0]}x{grid.size[1]})"


def test_weights_key_changes_when_the_weights_do_in_place():
    net = Network([784, 5, 10], seed=0)
    key = weights_key(net)
    assert weights_key(net) == key
    net.weights[0][2, 3] += 1
    assert weights_key(net) != key


def test_the_evidence_map_colours_the_evidence_and_says_which_rival(tables):
    weights_table = tables[0]
    net = Network([784, 20, 10], seed=2)
    e = explain(net, a_one())
    colours, text = evidence_map(e, None, weights_table)
    evidence = e.evidence.reshape(FIELD, FIELD)
    np.testing.assert_array_equal(colours, weights_table[diverging_index(evidence, float(np.abs(evidence).max()))])
    push = float(evidence.sum())
    toward, away = (e.digit, e.runner_up) if push >= 0 else (e.runner_up, e.digit)
    assert text.startswith(f"This drawing pushes the network towards {toward} and away from {away}: ")  # in words
    assert f"blue ones towards {e.runner_up} (the runner-up)" in text and "z" not in text.replace("blank", "")
    assert f"raise {toward}'s weighted input by {abs(push):.1f} more than {away}'s" in text

    rival = next(d for d in range(10) if d not in (e.digit, e.runner_up))
    picked = explain(net, a_one(), e.digit, rival)
    assert f"blue ones towards {rival} (your pick)" in evidence_map(picked, rival, weights_table)[1]

    colours, text = evidence_map(None, None, weights_table)
    assert colours.shape == (FIELD, FIELD, 3) and (colours == weights_table[128]).all() and text == EVIDENCE_HINT


def test_outputs_words_and_roles():
    net = Network([784, 20, 10], seed=2)
    e = explain(net, a_one())
    assert output_role(e, e.digit) == "for" and output_role(e, e.runner_up) == "against"
    assert {output_role(e, d) for d in range(10) if d not in (e.digit, e.runner_up)} == {None}
    assert output_role(None, 3) is None
    assert outputs_note(None) == ""
    assert outputs_note(e).startswith(f"Each is a separate sigmoid neuron, not a share: they add up to "
                                      f"{float(e.output.sum()):.2f},")
    assert outputs_title(10) == "Output layer: ten sigmoids"
    assert outputs_title(11) == "Output layer: 11 sigmoids"
    assert layer_title(net) == "Hidden layer: 20 neurons, sigmoid"
    assert layer_title(Network([784, 10], seed=0)) == "Output layer (this network has no hidden layer): 10 neurons"


def test_describe_neuron():
    net = Network([784, 4, 10], seed=1)
    net.weights[1][:, 2] = 0
    net.weights[1][7, 2], net.weights[1][3, 2], net.weights[1][5, 2] = 2.5, -3.0, 0.5
    x = np.zeros((28, 28))
    x[10:18, 12:15] = 1
    e = explain(net, x)
    text = describe_neuron(net, 2, e)
    a, b = e.first_layer[2], net.biases[0][2, 0]
    assert text.startswith(f"Neuron 2: activation {a:.2f}, bias {b:+.2f}")
    answer = f"  to {e.digit}: {a:.2f} × {signed(net.weights[1][e.digit, 2])} = " \
             f"{signed(a * net.weights[1][e.digit, 2])} (the answer)"
    assert answer in text.splitlines() and f"  to 3: {a:.2f} × −3.00 = {signed(-3 * a)}" in text.splitlines()
    # with the input: the weighted input w·x + b in this drawing's numbers, and the sigmoid of it
    wx = float(net.weights[0][2] @ x.ravel())
    maths = describe_neuron(net, 2, e, x).splitlines()
    assert maths[1] == f"z = w·x + b = {wx:.2f} {signed(b)[0]} {abs(b):.2f} = {wx + b:.2f}"
    assert maths[2] == f"σ(z) = 1 / (1 + e^−z) = {a:.2f}" and abs(1 / (1 + np.exp(-(wx + b))) - a) < 1e-4
    assert "to digit 3 -3.00, to digit 7 +2.50, to digit 5 +0.50" in describe_neuron(net, 2, None)
    assert describe_neuron(Network([784, 10], seed=1), 4, None).endswith("(an output neuron: digit 4)")
    deeper = describe_neuron(Network([784, 6, 5, 10], seed=1), 2, None)
    assert deeper.startswith("Neuron 2, bias") and "to neuron" in deeper and "push" not in deeper


def test_tiles_are_coloured_by_most_of_their_weights_not_the_one_largest(tables):
    """Issue 21, point 9: the tiles were faint, each scaled to its one largest weight; now most weights show."""
    from digitapp.recognizer import Recognizer

    weights = Recognizer.load().network.weights[0]
    table = tables[0]
    grid = TileGrid.for_neurons(len(weights), 250)
    pixels = weight_tiles(weights, grid, table)
    inside = grid.tile_of < len(weights)
    distance = np.abs(pixels[inside] - table[128]).sum(axis=1)  # how far from the white of a zero weight
    assert np.median(distance) > 30, np.median(distance)  # 12 when each tile was scaled to its largest weight
    assert tile_limit(weights[0]) < np.abs(weights[0]).max()
    zoomed = neuron_tile(weights, 5, table, 3)
    assert zoomed.shape == (84, 84, 3) and neuron_tile(np.ones((3, 10)), 0, table) is None


def test_quick_tiles_show_each_neurons_weights_in_its_own_cell_within_the_side(tables):
    """The lab redraws the tiles as a network trains: one vectorised pass, each tile scaled as weight_tiles does."""
    from digitapp.look_inside import quick_weight_tiles

    table = tables[0]
    weights = np.zeros((10, 784), np.float32)
    weights[3, :392] = 1.0   # neuron 3: top half positive, bottom half negative
    weights[3, 392:] = -1.0
    picture = quick_weight_tiles(weights, 150, table)
    assert picture.dtype == np.uint8 and picture.shape[1] <= 150 and picture.shape[0] <= 150
    rows, columns = 3, 4                      # grid_shape(10)
    cell = 150 // columns                     # a tile and a pixel of background
    tile = cell - 1
    assert picture.shape == (rows * cell, columns * cell, 3)
    top, bottom = picture[cell * 0 + 1, cell * 3 + tile // 2], picture[tile - 2, cell * 3 + tile // 2]
    np.testing.assert_array_equal(top, table[255])     # +limit: the table's top
    np.testing.assert_array_equal(bottom, table[0])    # -limit: its bottom
    np.testing.assert_array_equal(picture[1, 1], table[128])  # an all-zero neuron: the middle
    np.testing.assert_array_equal(picture[-1, -1], BACKGROUND_RGB)  # no neuron 11, 12
    rows_of = quick_weight_tiles(np.ones((4, 30)), 60, table)  # no square image: each neuron a row
    assert rows_of.shape[0] == rows_of.shape[1] and rows_of.dtype == np.uint8


# -- a deep model: every hidden layer, and the words for a softmax output ------------------------

def deep_softmax(activation="relu", sizes=(784, 30, 20, 16, 10)) -> Network:
    return Network(list(sizes), cost="log-likelihood", activation=activation, seed=5, dtype=np.float32)


def test_a_deep_softmax_model_has_words_for_every_hidden_layer_and_its_outputs():
    net = deep_softmax()
    e = explain(net, a_one())
    assert [len(a) for a in e.layers] == [30, 20, 16, 10]
    assert layer_title(net) == "Hidden layer 1 of 3: 30 neurons, ReLU"
    assert [hidden_title(net, k) for k in (2, 3)] == ["Hidden layer 2 of 3: 20 neurons, ReLU",
                                                      "Hidden layer 3 of 3: 16 neurons, ReLU"]
    assert hidden_title(deep_softmax("leaky-relu"), 2) == "Hidden layer 2 of 3: 20 neurons, leaky ReLU"
    assert is_softmax(net) and not is_softmax(Network([784, 20, 10], seed=2))
    assert outputs_title(10, softmax=True) == "Output layer: softmax of ten"
    note = outputs_note(e, softmax=True)
    assert note.startswith("A softmax: shares that add up to 100%") and "separate" not in note
    assert abs(float(e.output.sum()) - 1) < 1e-5  # which is what the words say
    assert "30%" in note  # the app's "not a digit" limit for a softmax (recognizer.SOFTMAX_NONE_BELOW)
    assert neuron_hint(net).startswith(NEURON_HINT) and "deeper layers" in neuron_hint(net)
    assert neuron_hint(Network([784, 20, 10], seed=2)) == NEURON_HINT
    assert "pink" in neuron_hint(deep_softmax("tanh")) and "pink" not in neuron_hint(net)


def test_a_deeper_neurons_description_uses_the_layer_below_and_its_activation():
    net = deep_softmax()
    e = explain(net, a_one())
    below, a = e.layers[0].astype(np.float64), e.layers[2]
    i = int(np.argmax(a))  # a neuron of the last hidden layer that fires
    text = describe_neuron(net, i, e, a_one(), layer=3).splitlines()
    b = float(net.biases[2][i, 0])
    assert text[0] == f"Layer 3, neuron {i}: a = {a[i]:.2f}, bias {b:+.2f}"
    wa = float(net.weights[2][i].astype(np.float64) @ e.layers[1])
    assert text[1] == f"z = w·a + b = {wa:.2f} {signed(b)[0]} {abs(b):.2f} = {wa + b:.2f}"
    assert text[2] == f"ReLU(z) = max(0, z) = {a[i]:.2f}" and abs(max(0.0, wa + b) - a[i]) < 1e-4
    assert text[3] == "It adds a × w to the outputs' z:"  # the last hidden layer feeds the digits
    middle = describe_neuron(net, 4, e, a_one(), layer=2)
    assert middle.startswith(f"Layer 2, neuron 4: a = {e.layers[1][4]:.2f}")
    assert "Strongest outgoing weights: to neuron" in middle  # it feeds layer 3, not the digits
    first = describe_neuron(net, 0, e, a_one()).splitlines()
    wx = float(net.weights[0][0].astype(np.float64) @ a_one().ravel())
    assert first[1].startswith(f"z = w·x + b = {wx:.2f}") and first[2].startswith("ReLU(z) = max(0, z)")
    assert np.isclose(float(below[0]), max(0.0, float(first[1].split("= ")[-1])), atol=0.01)
    assert describe_neuron(deep_softmax("tanh"), 1, explain(deep_softmax("tanh"), a_one()),
                           a_one()).splitlines()[2].startswith("tanh(z) = ")
    assert describe_neuron(Network([784, 10], cost="log-likelihood", seed=1), 2,
                           explain(Network([784, 10], cost="log-likelihood", seed=1), a_one()),
                           a_one()).splitlines()[2].startswith("softmax: e^z / Σ e^z")


def test_activation_levels_show_bounded_ones_as_they_are_and_scale_the_others():
    sig = Network([784, 5, 10], seed=1)
    a = np.array([0.0, 0.2, 1.0, 0.7])
    np.testing.assert_array_equal(activation_levels(sig, a)[0], a.astype(np.float32))
    assert activation_levels(sig, a)[1] is False
    relu = deep_softmax()
    levels, signed_ = activation_levels(relu, np.array([0.0, 2.0, 8.0]))
    np.testing.assert_allclose(levels, [0, 0.25, 1])
    assert not signed_
    assert (activation_levels(relu, np.zeros(3))[0] == 0).all()  # a silent layer: nothing fires, no division
    levels, signed_ = activation_levels(deep_softmax("tanh"), np.array([-0.5, 0.0, 0.9]))
    np.testing.assert_allclose(levels, [-0.5, 0, 0.9])
    assert signed_
    levels, signed_ = activation_levels(deep_softmax("elu"), np.array([-0.5, 0.0, 2.0]))
    np.testing.assert_allclose(levels, [-0.25, 0, 1])
    assert signed_


def test_deeper_layers_are_strips_of_squares_coloured_by_their_activations(tables):
    _, activation_table = tables
    signed_table = colour_table("PiYG")
    net = deep_softmax(sizes=(784, 128, 64, 32, 10))
    strips = deeper_strips(net, 250, 140, 110, 14)
    assert [s.layer for s in strips] == [2, 3] and [s.grid.n for s in strips] == [64, 32]
    assert [s.title for s in strips] == [hidden_title(net, 2), hidden_title(net, 3)]
    assert strips[0].top >= 140 and strips[1].top >= strips[0].bottom and strips[-1].bottom <= 140 + 110
    assert all(s.grid.size[0] <= 250 and s.squares_top == s.top + 14 for s in strips)
    assert deeper_strips(Network([784, 30, 10], seed=0), 250, 0, 110, 14) == []
    for sizes in ((784, 128, 64, 32, 10), (784, 30, 20, 10), (784, 300, 300, 300, 300, 300, 300, 300, 300, 10)):
        grid, placed = layers_layout(deep_softmax(sizes=sizes), 250, 110, 14)  # as the panel places them
        assert grid.n == sizes[1] and len(placed) == len(sizes) - 3 and placed[0].top >= grid.size[1]
        assert placed[-1].bottom <= 250 and grid.size[0] <= 250  # as tall as one hidden layer's grid, any depth

    e = explain(net, a_one())
    for strip in strips:
        grid, a = strip.grid, e.layers[strip.layer - 1]
        levels, signed_ = activation_levels(net, a)
        pixels = grid.pixels(levels, signed_, activation_table, signed_table)
        assert pixels.shape == (grid.size[1], grid.size[0], 3) and pixels.dtype == np.uint8
        for i in range(grid.n):
            x0, y0, x1, y1 = grid.cell_box(i)
            assert (pixels[y0:y1, x0:x1] == activation_table[round(float(levels[i]) * 255)]).all()
            assert grid.neuron_at((x0 + x1) / 2, (y0 + y1) / 2) == i
            assert strip_at(strips, (x0 + x1) / 2, strip.squares_top + (y0 + y1) / 2) == (strip.layer, i)
        assert (pixels[grid.cell_of == grid.n] == BACKGROUND_RGB).all()  # the gaps
        assert int(np.argmax(a)) == int(np.argmax(levels)) and levels.max() == 1  # the strongest is the darkest
    assert strip_at(strips, 5, 130) is None and strips[0].grid.neuron_at(-1, 0) is None
    tanh = StripGrid.for_neurons(3, 100, 20).pixels(np.array([-1.0, 0.0, 1.0]), True, activation_table, signed_table)
    assert (tanh[0, 0] == signed_table[0]).all() and (tanh[0, -2] == signed_table[255]).all()


@pytest.mark.parametrize("n, width, height, shape", [(128, 250, 150, (9, 15)), (30, 250, 250, (5, 6)),
                                                      (20, 250, 60, (2, 10))])
def test_a_tile_grid_of_less_height_keeps_the_tiles_as_large_as_they_fit(n, width, height, shape):
    assert fitting_shape(n, width, height) == shape
    grid = TileGrid.for_neurons(n, width, height)
    assert (grid.rows, grid.columns) == shape and grid.size[0] <= width and grid.size[1] <= height


def test_a_long_model_record_is_cut_short_at_words_so_the_panel_keeps_its_height():
    measure = len  # one pixel a character
    assert wrap("one two three four", 9, measure) == ["one two", "three", "four"]
    assert wrap("in /a/very/long/folder", 8, measure) == ["in", "/a/very/", "long/fol", "der"]  # as Tk breaks a path
    short = ["a.pkl: other file model", "validation 97.05%"]
    assert fit_lines(short, 30, 6, measure) == short  # what fits is left as it is
    lines = ["a.pkl: other file model", "Network([784, 128, 64, 10]), relu neurons, log-likelihood cost",
             "trained 2026-12-05, 1 epochs, by 'digitapp train --hidden 128 64 --activation relu --output x.pkl'",
             "validation 96.95%, MNIST test 97.05%"]
    fitted = fit_lines(lines, 40, 6, measure)
    assert sum(len(wrap(line, 40, measure)) for line in fitted) <= 6 and len(fitted) == len(lines)
    assert fitted[0] == lines[0] and fitted[-1] == lines[-1]  # the short ones, the scores among them, stay whole
    assert fitted[2].endswith(" …") and lines[2].startswith(fitted[2][:-2])
    assert all(measure(part) <= 40 for line in fitted for part in wrap(line, 40, measure))
