"""digitapp.cli: ``digitapp predict``, ``fetch-data``, ``--help``; in-process and as real subprocesses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import digitapp
from conftest import assert_one_line_naming, skip_or_fail, write_files
from digitapp.cli import main
from digitapp.preprocess import FIELD
from digitapp.strokes import CANVAS_SIDE, render_strokes
from harness.shapes import number_on_canvas, on_canvas

#: What the window says, on one line: '1 (100% sure)', '1? (not sure, weak answer: output 45%)', '1? (not sure,
#: 7 close: share 55%)'; 'percent' is the sure digit's share (None when unsure: that line has its own measure).
LINE = re.compile(r"^(?P<file>.+): (?P<digit>\d)(?P<unsure>\?)? "
                  r"\((?:(?P<percent>\d+)% sure|not sure, (?:weak answer: output|\d close: share) \d+%)\)$")
NUMBER_LINE = re.compile(r"^(?P<file>.+): (?P<text>\d{2,}) \((?P<digits>\d\?? \d+%(, \d\?? \d+%)+)\)$")


def drawn(digit: int):
    """A clear ``digit`` drawn on the app's canvas, light ink on black as the app keeps it."""
    return render_strokes(on_canvas(digit), (CANVAS_SIDE, CANVAS_SIDE), 18)


@pytest.fixture
def images(tmp_path):
    """A '1' drawn dark on white (like a scan), a '0' light on black (like the app), a blank page."""
    folder = tmp_path / "images"
    folder.mkdir()
    Image.eval(drawn(1), lambda v: 255 - v).save(folder / "one.png")
    drawn(0).convert("RGB").save(folder / "zero.jpg", quality=95)
    Image.new("L", (100, 100), 255).save(folder / "blank.png")
    (folder / "notes.png").write_text("not an image")
    number = render_strokes(number_on_canvas("2026", 640, 320), (640, 320), 16)
    Image.eval(number, lambda v: 255 - v).save(folder / "year.png")
    return folder


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- predict

def test_predict_prints_digit_and_confidence_per_file(images, capsys):
    code, out, err = run(["predict", images / "one.png", images / "zero.jpg"], capsys)
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 2
    found = [LINE.match(line) for line in lines]
    assert all(found), lines
    assert found[0]["file"] == str(images / "one.png") and found[0]["digit"] == "1"
    assert found[1]["file"] == str(images / "zero.jpg") and found[1]["digit"] == "0"
    assert all(50.0 <= float(m["percent"]) <= 100.0 for m in found)


def test_predict_blank_image(images, capsys):
    code, out, _ = run(["predict", images / "blank.png"], capsys)
    assert code == 0
    assert out.strip() == f"{images / 'blank.png'}: no digit (blank image)"


def hash_sign(path):
    """A '#' drawn dark on white: no digit."""
    from harness.shapes import place
    from harness.styles import NON_DIGITS

    shape = NON_DIGITS["hash"](None)
    image = Image.new("L", (CANVAS_SIDE, CANVAS_SIDE), 255)
    draw = ImageDraw.Draw(image)
    for stroke in place(shape, 40, 40, 240):
        draw.line(stroke, fill=0, width=16, joint="curve")
    image.save(path)
    return path


def test_predict_says_not_a_digit(tmp_path, capsys):
    path = hash_sign(tmp_path / "hash.png")
    code, out, _ = run(["predict", path], capsys)
    assert code == 0
    assert re.fullmatch(rf"{re.escape(str(path))}: not a digit \(top output \d+%\)", out.strip()), out
    code, out, _ = run(["predict", "--json", path], capsys)
    answer = json.loads(out)
    assert answer["verdict"] == "not a digit" and answer["is_digit"] is False and answer["sure"] is False
    assert max(answer["outputs"]) < 0.85


def test_predict_json(images, capsys):
    code, out, _ = run(["predict", "--json", images / "one.png", images / "blank.png"], capsys)
    assert code == 0
    one, blank = [json.loads(line) for line in out.strip().splitlines()]
    assert one["file"] == str(images / "one.png")
    assert one["digit"] == 1
    assert len(one["probabilities"]) == 10
    assert sum(one["probabilities"]) == pytest.approx(1.0, abs=1e-4)
    assert one["confidence"] == pytest.approx(max(one["probabilities"]), abs=1e-6)
    assert one["probabilities"].index(max(one["probabilities"])) == 1
    assert blank["digit"] is None and blank["confidence"] == 0 and not any(blank["probabilities"])
    assert one["verdict"] in ("sure", "not sure") and one["is_digit"] is True and len(one["outputs"]) == 10
    assert blank["verdict"] == "empty" and blank["is_digit"] is False
    model = one["model"]  # which model answered: its file and its training record
    assert model == blank["model"] and model["shipped"] is True and model["file"].endswith("digit_model.pkl")
    assert 0.98 < model["test_accuracy"] <= 1 and model["date"] and model["recipe"].startswith("digitapp train")


def test_predict_reads_a_number(images, capsys):
    code, out, err = run(["predict", images / "year.png", images / "one.png"], capsys)
    assert code == 0 and err == ""
    number, one = out.strip().splitlines()
    found = NUMBER_LINE.match(number)
    assert found, number
    assert found["file"] == str(images / "year.png") and found["text"] == "2026"
    assert [part.split()[0] for part in found["digits"].split(", ")] == ["2", "0", "2", "6"]
    assert LINE.match(one)["digit"] == "1"  # a single digit keeps its one-digit line


def test_predict_json_of_a_number(images, capsys):
    code, out, _ = run(["predict", "--json", images / "year.png", images / "one.png"], capsys)
    assert code == 0
    number, one = [json.loads(line) for line in out.strip().splitlines()]
    assert number["text"] == "2026" and number["unsure"] == []
    assert [d["digit"] for d in number["digits"]] == [2, 0, 2, 6] and "digit" not in number
    boxes = [d["box"] for d in number["digits"]]
    assert all(len(b) == 4 and b[0] <= b[2] < 640 and b[1] <= b[3] < 320 for b in boxes)
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    assert all(len(d["probabilities"]) == 10 and d["sure"] for d in number["digits"])
    assert one["text"] == "1" and one["digit"] == 1 and one["digits"][0]["digit"] == 1


def test_predict_save_input_of_a_number_writes_one_png_per_digit(images, tmp_path, capsys):
    out_dir = tmp_path / "inputs"
    code, _, _ = run(["predict", "--save-input", out_dir, images / "year.png"], capsys)
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [f"year.input.{k}.png" for k in range(1, 5)]


def test_predict_save_input_writes_the_28x28_input_magnified(images, tmp_path, capsys):
    out_dir = tmp_path / "inputs"
    code, out, _ = run(["predict", "--json", "--save-input", out_dir, images / "one.png"], capsys)
    assert code == 0
    png = out_dir / "one.input.png"
    with Image.open(png) as saved:
        assert saved.format == "PNG" and saved.size == (FIELD * 10, FIELD * 10) and saved.mode == "L"
        pixels = np.asarray(saved, dtype=np.float64) / 255
    # it shows what the network saw
    from digitapp.preprocess import preprocess

    expected = preprocess(images / "one.png").reshape(FIELD, FIELD)
    np.testing.assert_allclose(pixels[5::10, 5::10], expected, atol=1 / 255 + 1e-6)


def test_predict_bad_files_are_one_line_errors_and_the_rest_is_processed(images, capsys):
    missing = images / "missing.png"
    code, out, err = run(["predict", missing, images / "notes.png", images / "one.png"], capsys)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert str(missing) in lines[0] and str(images / "notes.png") in lines[1]
    assert LINE.match(out.strip())["digit"] == "1"


def test_predict_with_a_corrupt_model(images, tmp_path, capsys):
    model = tmp_path / "corrupt.pkl"
    model.write_bytes(b"\x80\x04garbage")
    code, out, err = run(["predict", "--model", model, images / "one.png"], capsys)
    assert code != 0 and out == ""
    assert_one_line_naming(err, model)


def test_predict_with_a_missing_model(images, tmp_path, capsys):
    code, _, err = run(["predict", "--model", tmp_path / "none.pkl", images / "one.png"], capsys)
    assert code != 0
    assert_one_line_naming(err, tmp_path / "none.pkl")


def test_predict_light_ink_option(images, tmp_path, capsys):
    light = tmp_path / "light.png"
    drawn(1).save(light)
    code, out, _ = run(["predict", "--ink", "light", light], capsys)
    assert code == 0 and LINE.match(out.strip())["digit"] == "1"


@pytest.mark.slow
def test_predict_as_a_real_subprocess(images):
    result = subprocess.run([sys.executable, "-m", "digitapp", "predict", str(images / "one.png"),
                             str(images / "missing.png")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert LINE.match(result.stdout.strip())["digit"] == "1"
    assert_one_line_naming(result.stderr, images / "missing.png")


def test_save_input_never_overwrites_another_inputs_picture(images, tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    Image.eval(drawn(7), lambda v: 255 - v).save(other / "one.png")  # same name, another folder
    out_dir = tmp_path / "inputs"
    out_dir.mkdir()
    (out_dir / "one.input.png").write_bytes((images / "one.png").read_bytes())  # an input to predict too
    kept = (out_dir / "one.input.png").read_bytes()
    code, out, err = run(["predict", "--save-input", out_dir, images / "one.png", other / "one.png",
                          out_dir / "one.input.png"], capsys)
    assert code == 0 and err == ""
    assert (out_dir / "one.input.png").read_bytes() == kept
    assert sorted(p.name for p in out_dir.iterdir()) == ["one.input-2.png", "one.input-3.png", "one.input.input.png",
                                                          "one.input.png"]


def test_odd_file_names_still_give_one_line_each(images, tmp_path, capsys):
    weird = tmp_path / "new\nline \udcff.png"  # a newline and a byte that is not UTF-8
    weird.write_bytes((images / "one.png").read_bytes())
    junk = tmp_path / "junk\r\x1b[2J.png"
    junk.write_text("not an image")
    code, out, err = run(["predict", weird, junk], capsys)
    assert code == 1
    assert out.count("\n") == 1 and "new\\x0aline \\udcff.png: 1 (" in out
    assert err.count("\n") == 1 and "junk\\x0d\\x1b[2J.png: not an image file" in err


@pytest.mark.parametrize("where", ["a-file", "under-a-file", "in-proc"])
def test_a_bad_save_input_folder_is_one_line_before_any_work(where, images, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    target = {"a-file": tmp_path / "file", "under-a-file": tmp_path / "file" / "inputs",
              "in-proc": Path("/proc/digitapp-test")}[where]
    code, out, err = run(["predict", "--save-input", target, images / "one.png"], capsys)
    assert code == 2 and out == ""
    assert_one_line_naming(err, target, "--save-input")


@pytest.mark.parametrize("word, hint", [("fetch_data", "fetch-data"), ("predcit", "predict"), ("trian", "train"),
                                        ("hello", None)])
def test_a_mistyped_command_is_an_error_not_a_file_to_open(word, hint, monkeypatch, capsys):
    import digitapp.gui.app

    monkeypatch.setattr(digitapp.gui.app, "run", lambda **kw: pytest.fail("the window opened"))
    assert main([word]) == 2
    _, err = capsys.readouterr()
    assert_one_line_naming(err, repr(word).replace('"', "'"), "fetch-data")
    assert (f"did you mean '{hint}'" in err) == (hint is not None)


@pytest.mark.parametrize("argv", [["one.png"], ["--model", "m.pkl"], ["pictures/digit"], ["gui"]])
def test_images_and_options_still_open_the_window(argv, monkeypatch):
    import digitapp.gui.app

    opened = []
    monkeypatch.setattr(digitapp.gui.app, "run", lambda **kw: opened.append(kw) or 0)
    assert main(argv) == 0 and len(opened) == 1


def test_top_level_help_lists_the_apps_options(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--model PATH" in out and "IMAGE" in out


@pytest.mark.parametrize("argv", [["predict"], ["predict", "--ink", "purple", "x.png"], ["fetch-data", "--nope"]])
def test_argument_errors_are_one_line(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--help" in err and err.startswith("digitapp")


# ---------------------------------------------------------------- help and version

@pytest.mark.parametrize("argv, expected", [
    (["--help"], "predict"),
    (["-h"], "fetch-data"),
    (["predict", "--help"], "--save-input"),
    (["fetch-data", "--help"], "--data-dir"),
    (["train", "--help"], "--hidden"),
])
def test_help(argv, expected, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code in (0, None)
    assert expected in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code in (0, None)
    assert digitapp.__version__ in capsys.readouterr().out


@pytest.mark.parametrize("command, expected", [
    ([sys.executable, "-m", "digitapp.train", "--help"], "--epochs"),
    ([sys.executable, "-m", "digitapp", "--help"], "predict"),
    ([str(Path(sys.executable).parent / "digitapp"), "train", "--help"], "--hidden"),
], ids=["python-m-digitapp.train", "python-m-digitapp", "digitapp-script"])
@pytest.mark.slow
def test_help_as_real_subprocesses(command, expected):
    if not Path(command[0]).exists():
        skip_or_fail(f"{command[0]} is not installed (pip install -e .)")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "Traceback" not in result.stderr


def test_unknown_option_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as info:
        main(["predict"])
    assert info.value.code != 0


# ---------------------------------------------------------------- fetch-data

@pytest.fixture
def tiny_data_dir(tmp_path, tiny, offline):
    """Tiny MNIST files (two raw, two .gz) that the loader trusts; no npm, no reachable mirror."""
    names = list(tiny["raw"])
    folder = write_files(tmp_path / "mnist", {name: tiny["raw"][name] for name in names[:2]})
    return write_files(folder, {name: tiny["raw"][name] for name in names[2:]}, gz=True)


def test_fetch_data_reports_ready_when_the_files_are_there(tiny_data_dir, capsys):
    before = sorted(os.listdir(tiny_data_dir))
    code, out, err = run(["fetch-data", "--data-dir", tiny_data_dir], capsys)
    assert code == 0, err
    assert out.strip().splitlines()[-1] == f"MNIST is ready in {tiny_data_dir}"
    assert sorted(os.listdir(tiny_data_dir)) == before


def test_fetch_data_uses_the_env_var(tiny_data_dir, monkeypatch, capsys):
    monkeypatch.setenv("DIGITAPP_DATA_DIR", str(tiny_data_dir))
    code, out, _ = run(["fetch-data"], capsys)
    assert code == 0 and str(tiny_data_dir) in out


def test_fetch_data_with_a_corrupt_file_is_a_one_line_error(tiny_data_dir, capsys):
    (tiny_data_dir / "train-images-idx3-ubyte").write_bytes(b"\0\0\x08\x03broken")
    code, _, err = run(["fetch-data", "--data-dir", tiny_data_dir], capsys)
    assert code != 0
    assert_one_line_naming(err, tiny_data_dir / "train-images-idx3-ubyte")


def test_fetch_data_with_no_source_is_a_one_line_error(tiny_data_dir, tmp_path, capsys):
    folder = tmp_path / "elsewhere"
    code, out, err = run(["fetch-data", "--data-dir", folder], capsys)
    assert code != 0
    assert "MNIST is ready" not in out
    assert_one_line_naming(err, folder, "train-images-idx3-ubyte")


# ---------------------------------------------------------------- my-digits

def taught(digits=(4, 7)):
    """The shipped model with the user's store, having learned a clear drawing of each of ``digits``."""
    from digitapp.personal import PersonalModel

    personal = PersonalModel.open()[0]
    for d in digits:
        personal.learn_strokes(on_canvas(d), d)
    return personal


@pytest.mark.slow
def test_my_digits_list(capsys, user_dir):
    code, out, _ = run(["my-digits", "list"], capsys)
    assert code == 0 and out.startswith(f"0 samples in {user_dir}")
    taught((4, 7, 7))
    code, out, _ = run(["my-digits", "list"], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("3 samples") and "4: 1" in lines[1] and "7: 2" in lines[1]
    assert len(lines) == 5 and all(" strokes" in line for line in lines[2:])


@pytest.mark.slow
def test_not_a_digit_samples_are_listed_exported_and_imported(capsys, user_dir, tmp_path):
    from digitapp.personal import PersonalModel
    from digitapp.samples import NO_DIGIT, SampleStore

    personal = taught((4,))
    letter = [[(60, 60), (160, 60), (60, 200), (160, 200)]]  # a "Z"
    assert not personal.learn_strokes(letter, NO_DIGIT).is_digit
    code, out, _ = run(["my-digits", "list"], capsys)
    lines = out.splitlines()
    assert code == 0 and "4: 1" in lines[1] and lines[1].endswith("not a digit: 1")
    assert f"{personal.samples[-1].id}  not a digit  " in lines[3]
    exported = tmp_path / "mine.json"
    assert run(["my-digits", "export", exported], capsys)[0] == 0
    assert run(["my-digits", "clear", "--yes"], capsys)[0] == 0
    code, out, _ = run(["my-digits", "import", exported], capsys)
    assert code == 0 and "imported 2 new samples of 2" in out
    assert [s.label for s in SampleStore().load()] == [4, NO_DIGIT]
    again = PersonalModel.open()[0]
    assert not again.recognizer.predict_strokes(letter).is_digit


@pytest.mark.slow
def test_my_digits_export_clear_import_round_trip(capsys, user_dir, tmp_path):
    from digitapp.personal import PersonalModel
    from digitapp.samples import SampleStore

    before = [(s.id, s.label) for s in taught().samples]
    exported = tmp_path / "mine.json"
    assert run(["my-digits", "export", exported], capsys)[0] == 0
    code, out, _ = run(["my-digits", "clear", "--yes"], capsys)
    assert code == 0 and "deleted 2 samples" in out and SampleStore().load() == []
    assert not PersonalModel.open()[0].recognizer.info.is_personal
    code, out, _ = run(["my-digits", "import", exported], capsys)
    assert code == 0 and "imported 2 new samples of 2" in out
    again = PersonalModel.open()[0]
    assert [(s.id, s.label) for s in again.samples] == before and again.recognizer.info.personal_samples == 2
    code, out, _ = run(["my-digits", "import", exported], capsys)  # nothing new the second time
    assert code == 0 and "imported 0 new samples of 2" in out and len(SampleStore().load()) == 2


@pytest.mark.parametrize("content", [b"{broken", b'{"format": "digitapp-samples", "version": 1, "samples": [5]}',
                                     None], ids=["truncated", "bad-sample", "missing"])
@pytest.mark.slow
def test_my_digits_import_of_a_bad_file_is_one_line_and_changes_nothing(capsys, tmp_path, content):
    from digitapp.samples import SampleStore

    taught((4,))
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(["my-digits", "import", path], capsys)
    assert code == 1
    assert_one_line_naming(err, "digitapp my-digits", path)
    assert [s.label for s in SampleStore().load()] == [4]


@pytest.mark.slow
def test_my_digits_clear_without_yes_and_no_terminal_refuses(capsys, monkeypatch):
    from digitapp.samples import SampleStore

    taught((4,))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _, err = run(["my-digits", "clear"], capsys)
    assert code == 1 and "--yes" in err and len(SampleStore().load()) == 1


def test_my_digits_with_a_corrupt_store_sets_it_aside_in_one_line(capsys, user_dir):
    (user_dir / "my_digits.json").write_text("[[[")
    code, out, err = run(["my-digits", "list"], capsys)
    assert code == 0 and out.startswith("0 samples")
    assert_one_line_naming(err, "my_digits.json", "corrupt", "moved it to")
    assert [p.read_text() for p in user_dir.glob("my_digits.json.bad-*")] == ["[[["]  # kept


@pytest.mark.slow
def test_my_digits_export_with_a_corrupt_store_keeps_the_earlier_export(capsys, user_dir, tmp_path):
    taught((4, 7))
    backup = tmp_path / "backup.json"
    assert run(["my-digits", "export", backup], capsys)[0] == 0
    saved = backup.read_bytes()
    (user_dir / "my_digits.json").write_text("[[[")
    code, _, err = run(["my-digits", "export", backup], capsys)
    assert code == 1 and "no samples to export" in err and backup.read_bytes() == saved


def test_my_digits_export_to_a_directory_is_one_line(capsys, tmp_path):
    taught((4,))
    code, _, err = run(["my-digits", "export", tmp_path], capsys)
    assert code == 1
    assert_one_line_naming(err, "digitapp my-digits", tmp_path, "is a folder, not a file")


def test_my_digits_needs_an_action(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["my-digits"])
    assert exit_.value.code == 2


def test_predict_uses_the_personal_model_and_says_so_in_json(images, capsys):
    taught((4,))
    code, out, err = run(["predict", images / "one.png"], capsys)
    assert code == 0 and out.startswith(str(images / "one.png"))
    assert_one_line_naming(err, "personal model", "trained on 1 of your digits")
    code, out, _ = run(["predict", "--json", images / "one.png"], capsys)
    model = json.loads(out)["model"]
    assert code == 0 and model["personal_samples"] == 1 and model["shipped"] is False
    assert model["personal_not_digits"] == 0 and model["file"].endswith("my_model.pkl")
    taught(()).learn_strokes([[(40, 40), (160, 40), (40, 160), (160, 160)]], -1)  # a "Z": not a digit
    code, out, err = run(["predict", images / "one.png"], capsys)
    assert_one_line_naming(err, "personal model", "trained on 2 of your drawings: 1 digit, 1 not a digit")
    code, out, _ = run(["predict", "--json", images / "one.png"], capsys)
    model = json.loads(out)["model"]
    assert (model["personal_samples"], model["personal_not_digits"]) == (2, 1)


@pytest.mark.slow
def test_my_digits_import_says_when_samples_contradict_each_other(capsys, user_dir, tmp_path):
    """The same drawing given as a 3 and as an 8 cannot both be read right: the import says so, not 'all'."""
    from digitapp.preprocess import strokes_input
    from digitapp.samples import Sample, write_samples

    drawing = on_canvas(3)
    x = strokes_input(drawing)
    path = tmp_path / "two.json"
    write_samples([Sample.new(3, x, drawing), Sample.new(8, x, drawing), Sample.new(4, strokes_input(on_canvas(4)))],
                  path)
    code, out, _ = run(["my-digits", "import", path], capsys)
    last = out.splitlines()[-1]
    assert code == 0 and last.startswith("imported 3 new samples of 3"), out
    assert last.endswith("the personal model still reads 1 of the 3 wrong (its steps ran out)"), last
