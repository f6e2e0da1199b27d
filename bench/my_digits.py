"""How long the user's samples take: importing many, and starting with a big store.

Run from the repository root:  python -m bench.my_digits [--import 1000] [--store 5000] [--seed 0]

Samples are drawings of the style bench's styles (harness/styles.py), a
tenth of them relabelled at random (a user's corrections are the drawings
the model got wrong, and a few are mistakes), made with the app's own
preprocessing, in a temporary user data directory:

1. ``digitapp my-digits import`` of ``--import`` samples, run as the command
   (a child process, its progress lines counted): the seconds it takes, and
   MNIST validation accuracy of the personal model it writes.  Limit 10 s.
2. Start-up with ``--store`` samples (imported first, so the personal model
   has learned them all): ``PersonalModel.open()`` in a fresh process, and the
   window's first frame (``python -m harness.first_frame`` on a private Xvfb).
   Limit 2 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from digitapp.preprocess import strokes_input
from digitapp.samples import Sample, write_samples
from harness.styles import STYLES, draw_style

ROOT = Path(__file__).resolve().parent.parent
IMPORT_LIMIT_S, START_LIMIT_S = 10.0, 2.0


def make_samples(n: int, seed: int) -> list[Sample]:
    """``n`` samples: style bench drawings, a tenth with a random other label."""
    rng = np.random.default_rng(seed)
    names = list(STYLES)
    out = []
    while len(out) < n:
        name = names[int(rng.integers(len(names)))]
        strokes = [s.tolist() for s in draw_style(name, rng)]
        x = strokes_input(strokes)
        if x is None:
            continue
        label = STYLES[name].digit if rng.random() >= 0.1 else int(rng.integers(10))
        out.append(Sample.new(label, x, strokes))
    return out


def command(args: list[str], user_dir: Path, **more) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "DIGITAPP_USER_DIR": str(user_dir), "PYTHONPATH": str(ROOT), **more}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"bench.my_digits: {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - started, done


def validation_accuracy(user_dir: Path) -> float:
    import mnist_loader
    from digitapp.personal import PersonalModel
    from digitapp.preprocess import preprocess_batch
    from digitapp.samples import SampleStore

    _, (val_x, val_y), _ = mnist_loader.load_data()
    network = PersonalModel.open(store=SampleStore(user_dir))[0].recognizer.network
    return network.evaluate((preprocess_batch(val_x), val_y)) / len(val_y)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import", dest="imported", type=int, default=1000, help="samples imported (default 1000)")
    parser.add_argument("--store", type=int, default=5000, help="samples in the store at start-up (default 5000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"bench.my_digits: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-my-digits-") as folder:
        folder = Path(folder)
        exported = folder / "mine.json"
        write_samples(make_samples(args.imported, args.seed), exported)
        seconds, done = command(["-m", "digitapp", "my-digits", "import", str(exported)], folder / "import")
        lines = [line for line in done.stderr.splitlines() if "learning" in line]
        accuracy = validation_accuracy(folder / "import")
        ok &= seconds <= IMPORT_LIMIT_S
        print(f"my-digits import of {args.imported} samples: {seconds:.1f} s ({len(lines)} progress lines; "
              f"last: {lines[-1].split(': ', 1)[-1] if lines else '-'}); MNIST validation after "
              f"{100 * accuracy:.2f}%; limit {IMPORT_LIMIT_S:.0f} s: {'OK' if seconds <= IMPORT_LIMIT_S else 'TOO SLOW'}")

        store = folder / "store"
        write_samples(make_samples(args.store, args.seed + 1), exported)
        seconds, _ = command(["-m", "digitapp", "my-digits", "import", str(exported)], store)
        print(f"  (made a store of {args.store} samples: import took {seconds:.1f} s)")
        opened, _ = command(["-c", "import time; t = time.perf_counter(); from digitapp.personal import "
                                   "PersonalModel; p, w = PersonalModel.open(); assert len(p.samples) == "
                                   f"{args.store} and not w, w; print(time.perf_counter() - t)"], store)
        from harness.display import script_display

        with script_display("bench.my_digits", False) as display:
            t0 = time.monotonic()
            _, done = command(["-m", "harness.first_frame", "--exit"], store, DISPLAY=display)
            line = next(l for l in done.stdout.splitlines() if "first-frame" in l)
            frame = float(line.split("monotonic=")[1].split()[0]) - t0
        ok &= frame <= START_LIMIT_S
        print(f"start with {args.store} samples: PersonalModel.open() process {opened:.2f} s; window's first frame "
              f"{frame:.2f} s after spawn; limit {START_LIMIT_S:.0f} s: {'OK' if frame <= START_LIMIT_S else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
