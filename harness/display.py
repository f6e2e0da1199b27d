"""A display for the real window: a private Xvfb server, or the current one for a script.

Needs Xvfb and xdotool (apt packages ``xvfb`` and ``xdotool``) only when
they are actually used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator

TOOLS = ("Xvfb", "xdotool")


def missing_tools(tools=TOOLS) -> list[str]:
    """The programs of ``tools`` that are not on PATH."""
    return [tool for tool in tools if shutil.which(tool) is None]


@contextmanager
def script_display(prog: str, use_current: bool, size: str = "1280x1024x24") -> Iterator[str]:
    """For a script that drives the app: $DISPLAY, or a private Xvfb for the block; DISPLAY is set to it.

    Exits with one line (``prog: needs ...``) when Xvfb or xdotool is missing.
    """
    missing = missing_tools(("xdotool",) if use_current else TOOLS)
    if missing:
        raise SystemExit(f"{prog}: needs {' and '.join(missing)} (apt install xvfb xdotool)")
    if use_current:
        yield os.environ.get("DISPLAY", "")
        return
    with VirtualDisplay(size) as server:
        os.environ["DISPLAY"] = server.name
        yield server.name


class VirtualDisplay:
    """An Xvfb server on a free display number (Xvfb picks it), stopped on exit or ``stop()``."""

    def __init__(self, size: str = "1280x1024x24"):
        self.size = size
        self.process: subprocess.Popen | None = None
        self.name = ""

    def __repr__(self):
        return f"VirtualDisplay({self.name or 'not started'}, {self.size})"

    def start(self, timeout: float = 10.0) -> "VirtualDisplay":
        read_fd, write_fd = os.pipe()
        try:
            self.process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.size, "-nolisten", "tcp"],
                pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            os.close(write_fd)
        number = b""
        deadline = time.monotonic() + timeout
        with os.fdopen(read_fd, "rb") as reader:  # Xvfb writes its number here once it is ready
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = reader.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip().isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.name = f":{int(number)}"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
