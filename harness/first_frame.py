"""When does the window first appear?  Opens it as ``digitapp`` does and prints when it is drawn.

    python -m harness.first_frame [--exit] [--model PATH] [IMAGE]

The window is set up by :func:`digitapp.gui.app.start`, the same set-up as
the ``digitapp`` command, and once its canvas is first drawn one line is
printed: ``digitapp first-frame monotonic=T since-start=S``, where T is
``time.monotonic()`` (system-wide on Linux, so a parent process can compare
it with its own clock) and S the seconds since this process started.  With
``--exit`` the window then closes.  bench/bench_gui.py times start-up with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from digitapp.cli import add_gui_arguments
from digitapp.gui.app import open_root, start


def process_age() -> float | None:
    """Seconds since this process started (Linux /proc), or None elsewhere."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def report_first_frame(app, then_exit: bool = False) -> None:
    """Print the line above once the app's canvas is first exposed and drawn; optionally then quit."""
    def exposed(event):
        app.canvas.unbind("<Expose>", binding)
        app.root.after_idle(report)

    def report():
        app.root.update_idletasks()
        now = time.monotonic()
        since = process_age()
        age = f"{since:.3f}" if since is not None else "?"
        print(f"digitapp first-frame monotonic={now:.6f} since-start={age}", flush=True)
        if then_exit:
            app.root.after(0, app.root.destroy)

    binding = app.canvas.bind("<Expose>", exposed, add="+")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.first_frame", description=__doc__.splitlines()[0])
    add_gui_arguments(parser)
    parser.add_argument("--exit", action="store_true", help="close the window once it has been drawn")
    args = parser.parse_args(argv)
    root = open_root()
    if root is None:
        return 1
    app = start(root, args.model, args.image)
    if app is None:
        root.destroy()
        return 2
    report_first_frame(app, then_exit=args.exit)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
