"""Hostile and unlucky cases for the commands and the window's outputs (hardening, round two).

Outputs never replace an input, the app's own files or a device; every command
ends an interruption, a closed pipe or a full disk in one line naming the file;
whatever a file name or a sample holds is printed escaped.  The commands run in
processes of their own under the corpus's 1 GB cap and a timeout (``run``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_naming
from digitapp import files
from digitapp.files import atomic_write
from digitapp.samples import Sample, SampleStore, write_samples
from hostile import ROOT, capped

FAST = ["--epochs", "1", "--hidden", "10", "--styles", "0", "--non-digits", "0", "--turned-digits", "0",
        "--no-augment", "--no-pen-copies", "--inputs", "raw"]


def run(argv, prelude: str = ""):
    """``digitapp ARGV`` in a process of its own under the corpus's memory cap and a timeout, after running
    ``prelude`` there (to stage a full disk, an end of input, ...): (exit code, stdout, stderr)."""
    code = f"{prelude}\nimport sys\nfrom digitapp.cli import main\nraise SystemExit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, *map(str, argv)], cwd=ROOT, preexec_fn=capped,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"},
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def digit_png(path, digit: int = 1):
    from harness.shapes import on_canvas
    from digitapp.strokes import render_strokes

    Image.eval(render_strokes(on_canvas(digit), (320, 320), 20), lambda v: 255 - v).save(path)
    return path


def stored(n: int = 2) -> SampleStore:
    store = SampleStore()
    store.folder.mkdir(parents=True, exist_ok=True)
    write_samples([Sample.new(d % 10, np.full((784, 1), 0.1)) for d in range(n)], store.path)
    return store


# ---------------------------------------------------------------- outputs (classes 13-17)

def test_the_curves_never_replace_the_model_nor_a_picture_beside_it(tmp_path):
    from digitapp.curves import curves_path

    assert curves_path(tmp_path / "m.png") == tmp_path / "m.curves.png"  # -o m.png: model and curves apart
    assert curves_path(tmp_path / "photo.pkl") == tmp_path / "photo.curves.png"  # photo.png is left alone


@pytest.mark.parametrize("name", ["my_digits.json", "my_digits.lock"])
def test_train_my_digits_never_writes_over_the_users_samples(user_dir, name):
    stored()
    code, _, err = run(["train", *FAST, "--my-digits", "-o", user_dir / name])
    assert code == 2 and "would replace" in err
    assert len(SampleStore().load()) == 2


@pytest.mark.parametrize("name", ["my_model.pkl", "my_digits.json"])
def test_export_never_writes_over_the_apps_own_files(user_dir, name):
    store = stored()
    before = store.path.read_bytes()
    code, _, err = run(["my-digits", "export", user_dir / name])
    assert code == 1 and "would replace" in err
    assert store.path.read_bytes() == before


def test_save_input_through_a_link_never_replaces_an_input(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "alias").symlink_to(out)
    image = digit_png(tmp_path / "x.png")
    other_input = digit_png(out / "x.input.png", 7)
    before = other_input.read_bytes()
    code, _, err = run(["predict", "--save-input", tmp_path / "alias", image, other_input])
    assert code == 0, err
    assert other_input.read_bytes() == before  # the input is not replaced by x.png's picture
    assert (out / "x.input-2.png").is_file()


@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_atomic_write_never_replaces_a_special_file(tmp_path, kind):
    import socket
    import stat

    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
    with pytest.raises(OSError) as err:
        with atomic_write(path) as out:
            out.write(b"x")
    assert err.value.filename == str(path) and "not replaced" in err.value.strerror
    mode = os.lstat(path).st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISSOCK(mode)
    assert files.output_problem(path).startswith("is a ")


def test_output_problem_refuses_the_dev_null_device():
    assert files.output_problem("/dev/null") == "is a device, not a file to write"


@pytest.mark.gui
def test_the_windows_save_never_replaces_a_fifo_or_the_users_files(app, tmp_path, user_dir):
    from harness.shapes import on_canvas
    from harness.window import draw_with_events

    draw_with_events(app.canvas, [np.asarray(s) for s in on_canvas(1)])
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert not app.save_drawing(fifo)
    assert "is a FIFO" in app.dialogs.errors[-1][1] and os.path.exists(fifo)
    store = stored()
    before = store.path.read_bytes()
    assert not app.save_drawing(store.path)
    assert "would replace" in app.dialogs.errors[-1][1] and store.path.read_bytes() == before


@pytest.mark.slow
def test_a_failed_curves_plot_leaves_the_good_png(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from digitapp.curves import plot_curves

    history = [{"epoch": e, "training_accuracy": 0.5, "evaluation_accuracy": 0.5, "training_cost": 1.0,
                "evaluation_cost": 1.0} for e in range(3)]
    path = plot_curves(history, tmp_path / "m.png")
    good = path.read_bytes()

    def killed(self, out, **kwargs):
        out.write(good[:132])
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", killed)
    with pytest.raises(KeyboardInterrupt):
        plot_curves(history, path)
    assert path.read_bytes() == good and [p.name for p in tmp_path.iterdir()] == ["m.png"]


# ---------------------------------------------------------------- the command line and data (18-22)

@pytest.mark.parametrize("argv, why", [
    (["--epochs", "1" + "0" * 400], "--epochs"),
    (["--styles", "1000000000"], "--styles"),
    (["--hidden", "10", "1" + "0" * 30], "--hidden"),
    (["--seed", "-1"], "--seed"),
    (["-o", ""], "is not a file name"),
    (["-o", "models/"], "is not a file name"),
])
def test_train_options_out_of_range_are_one_line(argv, why):
    code, _, err = run(["train", *argv])
    assert code == 2
    assert_one_line_naming(err, "digitapp train", why)


def test_ctrl_c_in_any_command_is_one_line():
    interrupted = ("from digitapp import cli\n"
                   "def interrupted(args):\n    raise KeyboardInterrupt\n"
                   "cli.run_my_digits = interrupted")
    code, _, err = run(["my-digits", "list"], prelude=interrupted)
    assert code == 130
    assert_one_line_naming(err, "digitapp my-digits", "interrupted")


def test_ctrl_d_at_the_clear_prompt_is_one_line_and_deletes_nothing():
    stored()
    terminal_at_its_end = ("import io, sys\n"
                           "class Terminal(io.StringIO):\n    def isatty(self):\n        return True\n"
                           "sys.stdin = Terminal()")  # input() then meets the end, as after Ctrl-D
    code, _, err = run(["my-digits", "clear"], prelude=terminal_at_its_end)
    assert code == 1
    assert_one_line_naming(err, "digitapp my-digits", "no answer")
    assert len(SampleStore().load()) == 2


@pytest.mark.slow
def test_sigint_while_predicting_many_files_is_one_line(tmp_path):
    image = digit_png(tmp_path / "one.png")
    code = "from digitapp.cli import main; import sys; raise SystemExit(main(['predict', *sys.argv[1:]]))"

    def interruptible():  # run from a script's background job, the tests inherit SIGINT ignored, as shells do
        capped()
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    # -u: the first answer reaches us at once, not with the first 8 KB, so the signal comes with ~1,999 files to go
    process = subprocess.Popen([sys.executable, "-u", "-c", code, *[str(image)] * 2000], cwd=ROOT,
                               preexec_fn=interruptible,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(str(image))
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert_one_line_naming(err, "digitapp predict", "interrupted")


@pytest.mark.slow
def test_a_closed_pipe_ends_predict_quietly(tmp_path):
    image = digit_png(tmp_path / "one.png")
    command = (f"{sys.executable} -c \"from digitapp.cli import main; import sys; "
               f"raise SystemExit(main(['predict', '--json', *sys.argv[1:]]))\" "
               + " ".join([str(image)] * 300) + " | head -1")
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr and "Error" not in done.stderr


def test_control_characters_in_names_are_printed_escaped(tmp_path):
    code, _, err = run(["\x1b[2Jgone"])
    assert code == 2 and "\x1b" not in err and "\\x1b[2Jgone" in err
    code, _, err = run(["predict", tmp_path / "a\x1b]0;title\x07.png"])
    assert code == 1 and "\x1b" not in err and "\x07" not in err and "\\x1b]0;title\\x07.png" in err
    code, out, err = run(["my-digits", "export", tmp_path / "x\rfake line.json"])
    assert "\r" not in out + err


def test_a_full_disk_names_the_file_not_none_nor_the_temporary_file(tmp_path):
    stored()
    target = tmp_path / "mine.json"
    full = "import os\ndef full(fd):\n    raise OSError(28, 'No space left on device')\nos.fsync = full"
    code, _, err = run(["my-digits", "export", target], prelude=full)
    assert code == 1
    assert_one_line_naming(err, "digitapp my-digits", f"{target}: no space left on device")
    assert "None" not in err and ".part" not in err and not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_window_says_which_file_it_could_not_write():
    from digitapp.console import one_line

    assert one_line(OSError(28, "No space left on device", "/u/my_model.pkl")) == \
        "/u/my_model.pkl: no space left on device"
    assert one_line(ValueError("two\nlines")) == "two lines"


def test_fetch_data_into_a_folder_with_an_odd_name_is_escaped(tmp_path):
    odd = tmp_path / "data\x1b[31m"
    refuse = ("import mnist_loader\n"
              "def refuse(data_dir, report):\n"
              "    raise mnist_loader.MnistError(f'{data_dir}: cannot look in it (permission denied)')\n"
              "mnist_loader.fetch = refuse")
    code, _, err = run(["fetch-data", "--data-dir", odd], prelude=refuse)
    assert code == 1 and "\x1b" not in err and "\\x1b[31m" in err


@pytest.mark.parametrize("action", ["export", "import"])
def test_an_empty_file_name_is_one_line(action):
    code, _, err = run(["my-digits", action, ""])
    assert code == 2
    assert_one_line_naming(err, "is not a file name")


# ---------------------------------------------------------------- a big store (class 8)

@pytest.mark.slow
def test_an_import_of_a_thousand_samples_ends_with_progress_and_every_sample_kept(user_dir, tmp_path):
    """Learning them one by one took some 0.3 s a sample (1,000: five minutes, past run's timeout); the speed
    itself is measured by ``python -m bench.my_digits``."""
    from bench.my_digits import make_samples

    path = tmp_path / "many.json"
    write_samples(make_samples(1000, seed=3), path)
    code, out, err = run(["my-digits", "import", path])
    assert code == 0, err
    progress = [line for line in err.splitlines() if "learning" in line and "of 1000 samples" in line]
    assert len(progress) >= 5 and progress[-1].endswith("learning 1000 of 1000 samples")
    assert len(SampleStore().load()) == 1000
    code, out, err = run(["my-digits", "list"])  # a start with the big store, then every sample listed
    assert code == 0 and "1000" in out, err
