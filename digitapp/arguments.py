"""What the commands share for reading their arguments: the one-line-error parser and the argument types.

``digitapp`` (:mod:`digitapp.cli`) and ``digitapp train``
(:mod:`digitapp.train`) both build their parsers from here, so neither
command module imports the other.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Callable, TypeVar

Number = TypeVar("Number", int, float)


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: what is wrong and where the help is."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message}; see '{self.prog} --help'\n")


class DefaultsOnceFormatter(argparse.HelpFormatter):
    """Adds '(default: X)' to an option's help unless it says its default already or has none to say."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        default = " ".join(map(str, action.default)) if isinstance(action.default, list) else "%(default)s"
        return f"{text} (default: {default})"


def at_least(low: Number, kind: Callable[[str], Number], most: Number | None = None) -> Callable[[str], Number]:
    """An argparse type: a number of ``kind`` that is ``low`` or more (finite), and at most ``most``."""
    if most is None:
        return _number(kind, lambda value: value >= low, f"at least {low}")
    return _number(kind, lambda value: low <= value <= most, f"from {low} to {most:,}")


def file_name(text: str) -> Path:
    """An argparse type: the name of a file to write (not empty, not a folder's name)."""
    path = Path(text)
    if not text.strip() or text.endswith(("/", "\\")) or path.name in ("", ".", ".."):
        raise argparse.ArgumentTypeError(f"{text!r} is not a file name")
    return path


def above(low: float) -> Callable[[str], float]:
    """An argparse type: a finite float greater than ``low``."""
    return _number(float, lambda value: value > low, f"greater than {low:g}")


def _number(kind: Callable[[str], Number], accept: Callable[[Number], bool], wanted: str) -> Callable[[str], Number]:
    """An argparse type that reads a ``kind`` and refuses what ``accept`` does not, saying it must be ``wanted``."""
    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}") from None
        if not ((isinstance(value, int) or math.isfinite(value)) and accept(value)):  # ints may be 10**400
            raise argparse.ArgumentTypeError(f"{text} is not allowed, it must be {wanted}")
        return value
    return parse
