"""What the commands print, and how they end: one line per problem, nothing raw from the user's strings.

Every line a command prints goes through :func:`say` (and logging through
:class:`PrintableFormatter`), so a file name or a sample field holding
terminal escapes cannot clear the screen or fake a line.  :func:`guarded`
runs a command and turns what can happen to any command (Ctrl-C, Ctrl-D at
a prompt, a closed pipe, the system refusing a file, no memory left) into
one line and an exit code.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Callable

from .files import reason

#: Control characters (tab kept) shown as \\xNN escapes.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127) if c != 9}


def printable(text) -> str:
    """``text`` with control characters escaped and anything UTF-8 cannot hold (lone surrogates) as \\u escapes."""
    return str(text).translate(_CONTROL).encode("utf-8", "backslashreplace").decode("utf-8")


def say(line, stream=None) -> None:
    """Print one line, escaped (see :func:`printable`)."""
    print(printable(line), file=stream or sys.stdout)


def complain(command: str, message) -> None:
    """``command: message`` on stderr, escaped."""
    say(f"{command}: {message}", sys.stderr)


class PrintableFormatter(logging.Formatter):
    """Log records printed as :func:`say` prints lines."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def log_to_stderr() -> None:
    """INFO and above to stderr, message only, escaped: the commands' progress lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(PrintableFormatter("%(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def one_line(error: BaseException) -> str:
    """An expected error in words: 'FILE: no space left on device' for an OSError, else its message."""
    if isinstance(error, OSError):
        return f"{error.filename}: {reason(error)}" if error.filename else reason(error)
    return printable(" ".join(str(error).split()) or type(error).__name__)


def guarded(command: str, run: Callable[[], int]) -> int:
    """``run()``'s exit code; what may interrupt any command becomes one line on stderr and a code."""
    try:
        code = run()
        sys.stdout.flush()  # here, not at exit: a reader gone (| head) meets the except below, not a traceback
        return code
    except KeyboardInterrupt:
        complain(command, "interrupted; nothing half-written was kept")
        return 130
    except EOFError:
        complain(command, "no answer (end of input); nothing was changed")
        return 1
    except BrokenPipeError:  # the reader went away (| head): stop quietly, and let Python not complain at exit
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except MemoryError:
        complain(command, "not enough memory for this; close other programs or give it less to do")
        return 1
    except OSError as err:
        complain(command, one_line(err))
        return 1
