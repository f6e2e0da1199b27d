"""The lab panel in the real window under Xvfb (issue 20): open it, train, watch, pause, step, compare,
save and use a run, go back; draw while training; bad settings never start."""

from __future__ import annotations

import numpy as np
import pytest

from digitapp.model_io import load_model
from conftest import listing
from harness.shapes import on_canvas
from harness.window import draw_with_events, pump

LAPTOP = (1366, 768)
TITLE_AND_PANEL = 60



def in_window(test):
    """A test of the real window (Xvfb) on real MNIST."""
    return pytest.mark.gui(pytest.mark.mnist(test))


@pytest.fixture
def lab(app, mnist_data):
    """The app with its lab open, on the real MNIST split already loaded."""
    training, validation, _ = mnist_data
    app.lab.lab.data = (training, validation)
    press(app, "<Control-t>")
    assert app.lab.is_open
    return app.lab


def press(app, sequence):
    app.root.focus_force()
    app.root.event_generate(sequence)
    pump(app.root, 0.02)


def choose(panel, hidden="10", training_size="1000", batch_size="10", epochs="3", eta="0.5", **more):
    values = dict(hidden=hidden, training_size=training_size, batch_size=batch_size, epochs=epochs, eta=eta, **more)
    for name, value in values.items():
        panel.vars[name].set(value)


def points(panel, n, timeout=30.0):
    """Run Tk until the current run has at least ``n`` points shown."""
    pump(panel.app.root, timeout, until=lambda: panel.snapshot is not None and panel.run is not None
         and len(panel.run.history) >= n and panel.snapshot.point is not None
         and panel.snapshot.point.batches >= panel.run.history[n - 1].batches)


def idle(panel, timeout=10.0):
    """Run Tk until the worker has nothing left to do and its news is shown."""
    pump(panel.app.root, timeout, until=lambda: panel.worker is None or (panel.worker.commands.empty()
                                                                        and panel.outbox.empty()
                                                                        and not panel.worker.running))
    pump(panel.app.root, 0.15)


@in_window
def test_the_lab_opens_with_ctrl_t_beside_the_canvas_and_fits_a_laptop(lab):
    app = lab.app
    app.root.update_idletasks()
    width, height = app.root.winfo_reqwidth(), app.root.winfo_reqheight()
    assert width <= LAPTOP[0] and height <= LAPTOP[1] - TITLE_AND_PANEL, (width, height)
    assert app.canvas.winfo_ismapped() and app.result.winfo_ismapped()
    app.toggle_inside()  # the look-inside panel takes the place back
    assert app.inside.is_open and not lab.is_open
    press(app, "<Control-t>")
    assert lab.is_open and not app.inside.is_open
    press(app, "<Control-t>")
    assert not lab.is_open and app.lab_button.cget("text") == "Lab ▸"


@in_window
def test_a_run_grows_its_curve_and_tiles_pauses_steps_and_answers_drawings_meanwhile(lab):
    app = lab.app
    choose(lab, epochs="1000")  # far more than the test waits for
    press(app, "<F5>")
    assert lab.running and lab.start_button.cget("text") == "Pause (F5)"
    points(lab, 2)
    first_tiles = lab.snapshot.weights.copy()
    assert lab.tile_renders >= 1 and lab.curve.find_withtag("curve")
    cells = {lab.matrix.itemcget(lab.matrix_cells[i][j], "fill") for i in range(10) for j in range(10)}
    assert len(cells) > 2  # the confusion matrix is coloured by the counts
    assert "→" in lab.confused.cget("text")
    # draw while it trains: the answer comes, and the run's network reads it too
    draw_with_events(app.canvas, on_canvas(7, app.canvas.side))
    app.predict_now()
    pump(app.root, 0.1)
    assert app.prediction is not None and app.prediction.digit is not None
    assert "This run reads" in lab.reads.cget("text")
    points(lab, 4)
    pump(app.root, 0.5)
    assert not np.array_equal(first_tiles, lab.snapshot.weights)  # the tiles change as it learns
    press(app, "<F5>")
    assert not lab.running
    idle(lab)
    paused_at = lab.run.batches
    pump(app.root, 0.3)
    assert lab.run.batches == paused_at
    lab.step_button.invoke()
    idle(lab)
    assert lab.run.batches == paused_at + 1 and lab.snapshot.point.batches == paused_at + 1
    # a new eta goes on with the same run; new layers make a new one
    lab.vars["eta"].set("0.1")
    press(app, "<F5>")
    assert lab.running and "goes on with eta 0.1" in lab.message.cget("text")
    pump(app.root, 10.0, until=lambda: lab.run.batches > paused_at + 1)
    press(app, "<F5>")
    idle(lab)
    assert lab.run.settings.eta == 0.1 and len(lab.lab.runs) == 1 and lab.run.batches > paused_at + 1


@in_window
def test_two_runs_are_compared_then_one_is_saved_used_and_given_back(lab, user_dir):
    app = lab.app
    own = app.personal.recognizer
    choose(lab, epochs="1")
    lab.start_button.invoke()
    pump(app.root, 60, until=lambda: lab.run is not None and lab.run.done and not lab.running)
    idle(lab)
    assert "finished" in lab.message.cget("text")
    choose(lab, epochs="1", eta="3.0", cost="quadratic")
    lab.start_button.invoke()  # the first is done: Start makes a second run
    pump(app.root, 60, until=lambda: len(lab.lab.runs) == 2 and lab.run.done and not lab.running)
    idle(lab)
    assert lab.run_list.size() == 2
    lab.run_list.selection_set(0, 1)
    lab.draw_curves()
    assert lab.curve.find_withtag("run 1") and lab.curve.find_withtag("run 2")
    accuracy = [lab.curve.coords(i) for i in lab.curve.find_withtag("run 1")]
    lab.curve.event_generate("<Button-1>", x=10, y=10)  # a click shows the cost curves instead
    assert lab.curve_kind == "cost" and lab.curve_text.cget("text").startswith("cost:")
    assert lab.curve.find_withtag("run 2") and [lab.curve.coords(i) for i in lab.curve.find_withtag("run 1")] != accuracy
    lab.switch_curves()
    assert lab.curve_kind == "accuracy" and "click: cost" in lab.curve_text.cget("text")
    # save, then use it in the window, then go back
    lab.save_button.invoke()
    saved = list((user_dir / "lab").glob("*.pkl"))
    assert len(saved) == 1 and load_model(saved[0]).sizes == [784, 10, 10]
    lab.use_button.invoke()
    assert app.personal.recognizer is not own and lab.use_button.cget("text") == "Back to my model"
    np.testing.assert_array_equal(app.recognizer.network.weights[0], lab.snapshot.weights)
    draw_with_events(app.canvas, on_canvas(1, app.canvas.side))
    app.predict_now()
    assert app.prediction.digit is not None
    assert app.digit_to_correct() is None  # the lab's network is not taught the user's corrections
    lab.use_button.invoke()
    assert app.personal.recognizer is own and lab.use_button.cget("text") == "Use this network"
    assert listing(user_dir) == ["lab"]  # nothing written over the user's own model


@in_window
def test_keys_typed_into_the_settings_are_not_the_windows_keys(lab):
    app = lab.app
    draw_with_events(app.canvas, on_canvas(7, app.canvas.side))
    app.predict_now()
    entry = lab.entries["hidden"]
    assert str(app.root) not in entry.bindtags()
    entry.focus_force()
    pump(app.root, 0.05)
    lab.vars["hidden"].set("")
    for key in ("<KeyPress-1>", "<KeyPress-0>", "<KeyPress-Escape>", "<KeyPress-Return>"):
        entry.event_generate(key)
    pump(app.root, 0.1)
    assert lab.vars["hidden"].get() == "10"          # the field got the digits
    assert not app.canvas.drawing.is_empty            # Esc did not clear the drawing
    assert not app.personal.samples and not app.corrections.teacher.busy  # no digit was taught


@in_window
def test_use_this_network_waits_while_the_model_learns_a_correction(lab, monkeypatch):
    from digitapp.gui.personal import Teacher

    app = lab.app
    own = app.personal.recognizer
    choose(lab, epochs="1")
    lab.step_button.invoke()
    idle(lab)
    monkeypatch.setattr(Teacher, "busy", property(lambda self: True))
    lab.use_button.invoke()
    assert app.personal.recognizer is own and "learning a correction" in lab.message.cget("text")
    monkeypatch.undo()
    lab.use_button.invoke()
    assert app.personal.recognizer is not own


@in_window
def test_after_reset_the_new_run_shows_only_its_own_news(lab):
    app = lab.app
    choose(lab, epochs="1000")
    press(app, "<F5>")
    points(lab, 2)
    first = lab.run
    lab.reset_button.invoke()
    assert lab.run is None and not lab.running and not first.done
    choose(lab, hidden="12", epochs="1000")
    press(app, "<F5>")
    points(lab, 2)
    press(app, "<F5>")
    idle(lab)
    assert lab.run is not first and lab.snapshot.weights.shape == (12, 784)
    assert [r.name for r in lab.lab.runs] == ["run 1", "run 2"] and lab.run_list.size() == 2
    batches = first.batches
    pump(app.root, 0.2)
    assert first.batches == batches  # its worker ended


@in_window
@pytest.mark.parametrize("field, value, words", [
    ("hidden", "0", "0 neurons"), ("eta", "0", "eta 0"), ("hidden", " ".join(["10"] * 10_000), "10000 hidden layers"),
    ("batch_size", "ten", "is not a number")])
def test_bad_settings_get_one_line_and_never_start(lab, field, value, words):
    choose(lab, **{field: value})
    lab.start_button.invoke()
    text = lab.message.cget("text")
    assert words in text and "\n" not in text
    assert not lab.running and lab.run is None and not lab.lab.runs


# -- the worker alone: no window, fake data -------------------------------------------------------

def worker_run(epochs=2):
    from digitapp.lab import LabRun, LabSettings
    from tests.test_lab import fake_mnist

    return LabRun(LabSettings(hidden=(10,), training_size=1000, epochs=epochs, eta=1.0, lmbda=0.0), *fake_mnist())


def news(outbox, until, timeout=10.0):
    """Everything the worker said until ``until(items)`` holds (or the timeout)."""
    import queue
    import time

    items, deadline = [], time.monotonic() + timeout
    while not until(items) and time.monotonic() < deadline:
        try:
            items.append(outbox.get(timeout=0.05))
        except queue.Empty:
            pass
    return items


def test_the_worker_steps_runs_to_the_end_and_stops_when_told():
    import queue

    from digitapp.gui.lab import LabWorker

    run, outbox = worker_run(), queue.Queue()
    worker = LabWorker(run, outbox)
    worker.step()
    items = news(outbox, lambda items: items)
    assert [(r, kind) for r, kind, _ in items] == [(run, "point")] and run.batches == 1
    point, snapshot, confused, matrix = items[0][2]
    assert point.batches == 1 and snapshot.weights.shape == (10, 784) and matrix.sum() == 300
    worker.start()
    items = news(outbox, lambda items: any(kind == "done" for _, kind, _ in items))
    assert items[-1][1] == "done" and run.done and run.batches == 200
    assert [kind for _, kind, _ in items[:-1]] == ["point"] * (len(items) - 1)
    worker.stop()
    assert not worker.thread.is_alive()


def test_the_worker_says_in_one_line_when_a_run_diverges():
    import queue

    import numpy as np

    from digitapp.gui.lab import LabWorker

    run, outbox = worker_run(), queue.Queue()
    run.network.weights[0][0, 0] = np.inf
    worker = LabWorker(run, outbox)
    worker.start()
    items = news(outbox, lambda items: any(kind == "error" for _, kind, _ in items))
    errors = [value for _, kind, value in items if kind == "error"]
    assert errors and "smaller eta" in errors[0] and "\n" not in errors[0] and not worker.running
    worker.stop()
