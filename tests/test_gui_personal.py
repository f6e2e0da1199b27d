"""digitapp.gui.personal in the real window under Xvfb: a digit key corrects the answer, Enter confirms,
a bar click corrects, Ctrl+Z takes a correction back, Forget asks first, the gallery relabels and
deletes, and the app starts with the personal model and says so."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from digitapp.personal import PersonalModel
from digitapp.samples import SampleStore
from harness.shapes import on_canvas
from harness.styles import draw_style
from harness.window import draw_with_events, draw_with_xdotool, pump
from conftest import FakeDialogs


class AskingDialogs(FakeDialogs):
    """FakeDialogs that also answer yes/no questions from a queue and record them."""

    def __init__(self, root=None):
        super().__init__(root)
        self.answers: list[bool] = []
        self.questions: list[tuple[str, str]] = []

    def ask_yes_no(self, title, message):
        self.questions.append((title, message))
        return self.answers.pop(0) if self.answers else False


@pytest.fixture
def window(display, user_dir):  # noqa: F811
    """The window as ``digitapp`` starts it, with this test's own (empty) user data directory."""
    import tkinter as tk

    from digitapp.gui.app import start

    root = tk.Tk(className="digitapp")
    dialogs = AskingDialogs(root)
    app = start(root, make_dialogs=lambda r: dialogs)
    pump(root, 2.0, until=lambda: root.winfo_viewable())
    root.focus_force()
    pump(root, 0.05)
    yield app
    root.destroy()


def hard_six(app):
    """A 6 with a round, open stem on the window's canvas: the shipped model reads it as a 5."""
    return [s.tolist() for s in draw_style("6-round-open", np.random.default_rng(34), app.canvas.side)]


def press(app, sequence):
    app.root.focus_force()
    app.root.event_generate(sequence)
    pump(app.root, 0.01)


def settle(app):
    """Run Tk until the learning thread has finished and its result is shown."""
    pump(app.root, 20.0, until=lambda: not app.corrections.teacher.busy)
    pump(app.root, 0.05)


@pytest.mark.gui
@pytest.mark.slow
def test_a_digit_key_after_a_wrong_answer_changes_the_answer(window):
    app = window
    assert "Press the right digit" in app.corrections.panel.label.cget("text")
    draw_with_xdotool(app.root, app.canvas, hard_six(app))
    wrong = app.prediction
    assert wrong.digit != 6
    press(app, "<Key-6>")
    assert app.corrections.teacher.busy and "Learning" in app.corrections.panel.message.cget("text")
    settle(app)
    assert app.prediction.digit == 6 and app.prediction.is_sure
    assert app.result.digit_label.cget("text") == "6" and app.root.title().startswith("6 ")
    assert app.result.bar_width(6) > app.result.bar_width(wrong.digit)
    assert app.corrections.panel.label.cget("text") == "Personalised: trained on 1 of your digits"
    assert app.model_label.cget("text").startswith("Model: personalised, from shipped model")
    assert "Corrected: 6" in app.corrections.panel.message.cget("text")
    (sample,) = SampleStore().load()
    assert sample.label == 6 and len(sample.strokes) == 1
    assert PersonalModel.open()[0].recognizer.info.is_personal  # kept for the next start


@pytest.mark.gui
@pytest.mark.slow
def test_ctrl_z_right_after_a_correction_takes_it_back(window):
    app = window
    draw_with_events(app.canvas, hard_six(app))
    wrong = app.prediction
    press(app, "<Key-6>")
    settle(app)
    assert app.prediction.digit == 6 and app.corrections.undoable
    press(app, "<Control-z>")
    settle(app)
    assert app.prediction.digit == wrong.digit
    np.testing.assert_allclose(app.prediction.probabilities, wrong.probabilities, atol=1e-6)
    assert app.canvas.drawing.sheet.strokes  # the drawing itself was not undone
    assert SampleStore().load() == [] and not app.recognizer.info.is_personal
    assert "Press the right digit" in app.corrections.panel.label.cget("text")
    press(app, "<Control-z>")  # the next Ctrl+Z undoes the stroke, as before
    assert app.canvas.drawing.is_empty


@pytest.mark.gui
@pytest.mark.slow
def test_drawing_after_a_correction_makes_ctrl_z_undo_the_stroke(window):
    app = window
    draw_with_events(app.canvas, hard_six(app))
    press(app, "<Key-6>")
    draw_with_events(app.canvas, [[(20, 20), (40, 30)]])  # while it learns
    settle(app)
    assert not app.corrections.undoable
    press(app, "<Control-z>")
    assert len(app.canvas.drawing.sheet.strokes) == 1 and len(SampleStore().load()) == 1


@pytest.mark.gui
@pytest.mark.parametrize("how", ["<Return>", "<Key-4>"])
@pytest.mark.slow
def test_enter_or_the_same_digit_confirms(window, how):
    app = window
    draw_with_events(app.canvas, on_canvas(4, app.canvas.side))
    assert app.prediction.digit == 4
    press(app, how)
    settle(app)
    assert app.prediction.digit == 4 and "Confirmed: 4" in app.corrections.panel.message.cget("text")
    assert [s.label for s in SampleStore().load()] == [4]


@pytest.mark.gui
@pytest.mark.slow
def test_a_click_on_a_bar_corrects(window):
    app = window
    draw_with_events(app.canvas, hard_six(app))
    bars = app.result.bars
    y = round(6.5 * app.result.row_height)
    bars.event_generate("<Button-1>", x=5, y=y)
    settle(app)
    assert app.prediction.digit == 6 and [s.label for s in SampleStore().load()] == [6]


@pytest.mark.gui
def test_a_digit_key_on_an_empty_canvas_says_what_to_do(window):
    press(window, "<Key-3>")
    assert not window.corrections.teacher.busy and "Draw a digit first" in window.corrections.panel.message.cget("text")
    assert SampleStore().load() == []


@pytest.mark.gui
@pytest.mark.slow
def test_forget_my_handwriting_asks_first(window, user_dir):
    app = window
    draw_with_events(app.canvas, hard_six(app))
    press(app, "<Key-6>")
    settle(app)
    app.dialogs.answers = [False]
    app.corrections.panel.forget_button.invoke()
    settle(app)
    assert "1 samples" in app.dialogs.questions[0][1] and len(SampleStore().load()) == 1
    app.dialogs.answers = [True]
    app.corrections.panel.forget_button.invoke()
    settle(app)
    assert SampleStore().load() == [] and not SampleStore().model_path.exists()
    assert app.recognizer.info.shipped and app.prediction.digit != 6
    assert app.model_label.cget("text").startswith("Model: shipped model")
    assert app.corrections.panel.forget_button.instate(["disabled"])


def gallery_of_a_four_and_a_seven(app):
    """Teach a drawn 4 and a drawn 7 (each a correction), then open My digits…: the gallery."""
    for d in (4, 7):
        app.clear()
        draw_with_events(app.canvas, on_canvas(d, app.canvas.side))
        press(app, f"<Key-{d}>")
        settle(app)
    app.corrections.panel.gallery_button.invoke()
    pump(app.root, 0.2)
    return app.corrections.gallery


@pytest.mark.gui
@pytest.mark.slow
def test_the_gallery_shows_relabels_and_deletes_samples(window):
    app = window
    gallery = gallery_of_a_four_and_a_seven(app)
    assert len(gallery.by_item) == 2
    size = (gallery.winfo_width(), gallery.winfo_height())
    four = SampleStore().load()[0]
    item = next(i for i, sid in gallery.by_item.items() if sid == four.id)
    x0, y0 = gallery.canvas.coords(item)
    gallery.canvas.event_generate("<Button-1>", x=round(x0) + 10, y=round(y0) + 10)
    pump(app.root, 0.05)
    assert gallery.selected == four.id and gallery.canvas.find_withtag("selection")
    gallery.event_generate("<Key-1>")
    settle(app)
    assert [s.label for s in SampleStore().load()] == [1, 7]
    assert "Relabelled" in app.corrections.panel.message.cget("text")
    gallery.selected = four.id
    gallery.delete_button.state(["!disabled"])
    gallery.delete_button.invoke()
    settle(app)
    assert [s.label for s in SampleStore().load()] == [7] and len(gallery.by_item) == 1
    assert app.corrections.panel.label.cget("text") == "Personalised: trained on 1 of your digits"
    pump(app.root, 0.1)
    assert (gallery.winfo_width(), gallery.winfo_height()) == size  # one line of samples fewer: it does not jump
    many = [replace(s, id=f"{s.id}-{k}") for k in range(60) for s in SampleStore().load()]  # 8 lines
    gallery.show(many)
    pump(app.root, 0.1)
    assert gallery.canvas.yview() == (0.0, pytest.approx(6 / 8, abs=0.05))  # six lines show, the rest scroll
    gallery.canvas.event_generate("<Button-5>")  # the wheel, on X11
    pump(app.root, 0.05)
    assert gallery.canvas.yview()[0] > 0 and (gallery.winfo_width(), gallery.winfo_height()) == size


def fits(box) -> bool:
    """Whether a TextBox shows its whole text: the label needs no more height than the box has."""
    return box.label.winfo_reqheight() <= box.winfo_height() and not box.label.cget("text").endswith("…")


@pytest.mark.gui
@pytest.mark.slow
def test_a_relabel_or_a_delete_whose_steps_run_out_says_what_is_still_read_wrong(window):
    """With one learning step, a relabelled 4 is not read as the 1 it now is, and after a delete it is still
    read wrong: the gallery says so in words and frames it in red (it said "Relabelled the sample as 1")."""
    from digitapp.learning import Recipe

    app = window
    gallery = gallery_of_a_four_and_a_seven(app)
    assert gallery.status.label.cget("text") == "" and not gallery.canvas.find_withtag("wrong")
    four, seven = SampleStore().load()
    app.personal.learner.recipe = Recipe(steps=1, max_steps=1, settle=0)  # the steps run out at once
    gallery.select(four.id)
    gallery.focus_force()
    pump(app.root, 0.05)
    gallery.event_generate("<Key-1>")
    settle(app)
    said = gallery.status.label.cget("text")
    assert said.startswith("Relabelled the sample as 1; not read sure yet: draw it again and press 1"), said
    assert fits(gallery.status)
    assert app.corrections.panel.message.cget("text").startswith("Relabelled the sample as 1; not read sure yet")
    assert fits(app.corrections.panel.message_box), app.corrections.panel.message.cget("text")  # whole
    gallery.select(seven.id)
    gallery.delete_button.invoke()
    settle(app)
    said = gallery.status.label.cget("text")
    assert said == "Deleted the sample; 1 sample read wrong (framed red): relabel or delete it", said
    assert fits(app.corrections.panel.message_box), app.corrections.panel.message.cget("text")
    assert fits(gallery.status)
    assert gallery.canvas.find_withtag("wrong") == gallery.canvas.find_withtag(f"wrong&&{four.id}") != ()


@pytest.mark.gui
@pytest.mark.slow
def test_the_app_starts_with_the_personal_model_and_says_so(display, user_dir):  # noqa: F811
    import tkinter as tk

    from digitapp.gui.app import start

    personal, _ = PersonalModel.open()
    for seed in (0, 1):
        personal.learn_strokes(curled_nine_strokes(seed), 9)
    root = tk.Tk(className="digitapp")
    try:
        app = start(root, make_dialogs=AskingDialogs)
        assert app.recognizer.info.is_personal
        assert app.model_label.cget("text").startswith("Model: personalised, from shipped model")
        assert app.corrections.panel.label.cget("text") == "Personalised: trained on 2 of your digits"
    finally:
        root.destroy()


@pytest.mark.gui
def test_a_corrupt_samples_file_is_a_one_line_warning_and_the_shipped_model(display, user_dir, capfd):  # noqa: F811
    import tkinter as tk

    from digitapp.gui.app import start

    store = SampleStore()
    store.path.write_text("{ not json")
    root = tk.Tk(className="digitapp")
    try:
        app = start(root, make_dialogs=AskingDialogs)
        assert app.recognizer.info.shipped and "moved it to" in app.status.cget("text")
    finally:
        root.destroy()
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "my_digits.json" in err[0] and "Traceback" not in err[0]
    assert not store.path.exists() and any(p.name.startswith("my_digits.json.bad-") for p in user_dir.iterdir())


def curled_nine_strokes(seed):
    return [s.tolist() for s in draw_style("9-curled", np.random.default_rng(seed))]


@pytest.mark.gui
@pytest.mark.slow
def test_a_correction_teaches_the_selected_digit_of_a_number(window):
    from harness.shapes import number_on_canvas

    app = window
    draw_with_events(app.canvas, number_on_canvas("731", *app.canvas.size))
    assert app.reading.text == "731"
    app.select_digit(1)  # the 3, as a click on it does
    press(app, "<Key-8>")
    settle(app)
    (sample,) = SampleStore().load()
    assert sample.label == 8
    assert [tuple(map(tuple, s)) for s in sample.strokes] == [
        tuple(map(tuple, s.points)) for s in app.canvas.drawing.sheet.strokes[1:2]]  # only the 3's stroke
    assert app.reading.text[1] == "8" and app.reading.text[0] == "7"


def digit_like_non_digit(app):
    """A drawing of a letter or sign (harness.styles) that the shipped model answers with a sure digit."""
    from harness.styles import draw_non_digit

    for seed in range(40):
        for name in ("a", "S", "e", "h", "question", "C"):
            strokes = [s.tolist() for s in draw_non_digit(name, np.random.default_rng([seed, 7]), app.canvas.side)[0]]
            if app.recognizer.predict_strokes(strokes).is_sure:
                return strokes
    raise AssertionError("the shipped model flags every letter tried: pick other shapes for this test")


@pytest.mark.gui
@pytest.mark.slow
def test_x_teaches_not_a_digit_and_ctrl_z_takes_it_back(window):
    app = window
    assert "X: not a digit" in app.corrections.panel.label.cget("text")
    draw_with_events(app.canvas, digit_like_non_digit(app))
    wrong = app.prediction
    assert wrong.is_sure and app.result.digit_label.cget("text") == str(wrong.digit)
    press(app, "<Key-x>")
    assert "Learning: not a digit" in app.corrections.panel.message.cget("text")
    settle(app)
    assert not app.prediction.is_digit and app.result.digit_label.cget("text") == "✗"
    assert app.root.title().startswith("not a digit")
    assert app.corrections.panel.message.cget("text") == "Corrected: not a digit (Ctrl+Z takes it back)"
    words = "1 of your drawings: 1 not a digit"  # not "1 of your digits"
    assert app.corrections.panel.label.cget("text") == f"Personalised: trained on {words}"
    assert "before your drawings" in app.model_label.cget("text")  # the base model's figures
    (sample,) = SampleStore().load()
    assert sample.label == -1
    app.corrections.panel.gallery_button.invoke()
    pump(app.root, 0.2)
    gallery = app.corrections.gallery
    assert list(gallery.by_item.values()) == [sample.id]
    assert [gallery.canvas.itemcget(i, "text") for i in gallery.canvas.find_withtag("heading")] == ["✗"]
    press(app, "<Control-z>")
    settle(app)
    assert app.prediction.digit == wrong.digit and app.prediction.is_sure
    assert app.result.digit_label.cget("text") == str(wrong.digit)
    assert app.corrections.panel.message.cget("text") == "Correction undone"
    assert SampleStore().load() == [] and gallery.by_item == {}
    app.not_a_digit_button.invoke()  # the button under the canvas does what X does
    settle(app)
    assert not app.prediction.is_digit and [s.label for s in SampleStore().load()] == [-1]


@pytest.mark.gui
def test_x_on_an_empty_canvas_says_what_to_do(window):
    press(window, "<Key-x>")
    assert "press X to teach that it is not a digit" in window.corrections.panel.message.cget("text")
    assert SampleStore().load() == []


@pytest.mark.gui
def test_the_learning_thread_makes_the_replay_ready_before_the_first_correction(window):
    """Once the window is up, the replay set is loaded and distorted on the learning thread (about 0.8 s of work
    for its 21,700 drawings), so the first correction does not wait for it; the window is not 'busy' for it."""
    learner = window.personal.learner
    pump(window.root, 30.0, until=lambda: learner._pool is not None)
    assert learner._pool is not None and learner._pool.shape == learner.replay[0].shape
    assert not window.corrections.teacher.busy
