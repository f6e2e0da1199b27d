"""What the window says about a reading, in words, worked out without Tk (as IDLE's calltip.py beside calltip_w.py).

The big answer, the two lines under it, the line about the selected digit
and the window's title all come from :func:`answer_for`, so they say the
same thing as each other, as the number strip (which shows each
:attr:`~digitapp.recognizer.Prediction.symbol` with its
:attr:`~digitapp.recognizer.Prediction.percent`) and as ``digitapp
predict`` (:attr:`~digitapp.recognizer.Prediction.words`): one measure per
verdict, and why a digit is not sure in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from .recognizer import CLOSE, NOT_A_DIGIT, NOT_SURE, SURE, WEAK, Prediction, Reading

APP_NAME = "digitapp"
#: The panel's states, by a prediction's verdict.
STATE_OF_VERDICT = {SURE: "sure", NOT_SURE: "unsure", NOT_A_DIGIT: "not a digit"}


@dataclass(frozen=True)
class Answer:
    """The words of the answer panel: ``headline`` in large type ('7', '2026', '✗', '✎'), ``caption``
    beside or under it (at most two lines), ``detail`` about the selected digit of a number ('' for one
    digit), ``state`` ('empty', 'sure', 'unsure', 'not a digit') for the colour, and the window's ``title``."""

    headline: str
    caption: str
    state: str
    title: str
    detail: str = ""


def caption_of(p: Prediction) -> str:
    """The two lines beside one digit: '98% sure', 'Not sure: weak answer\\nits output is only 45%', ..."""
    if not p.is_digit:
        return f"Not a digit\ntop output {p.percent}"
    if p.doubt == WEAK:
        return f"Not sure: weak answer\nits output is only {p.percent}"
    if p.doubt == CLOSE:
        return f"Not sure: {p.runner_up} is close\n{p.digit} has a {p.percent} share"
    return f"{p.percent} sure"


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def answer_for(reading: Reading | None, selected: int | None = None, picture: bool = False) -> Answer:
    """The answer for ``reading`` (None: nothing on the canvas) with digit ``selected`` (None: the last)
    shown in detail; ``picture`` says the reading is of an opened picture rather than strokes."""
    if reading is None:
        return Answer("✎", "Draw a digit\non the canvas", "empty", APP_NAME)
    if reading.is_empty:
        where = "in this picture" if picture else "here yet"
        return Answer("✎", f"No digit found\n{where}", "empty", APP_NAME)
    if len(reading) == 1:
        p = reading.predictions[0]
        headline = str(p.digit) if p.is_digit else "✗"
        return Answer(headline, caption_of(p), STATE_OF_VERDICT[p.verdict], f"{p.words} - {APP_NAME}")
    n = len(reading)
    i = n - 1 if selected is None else selected
    p = reading.predictions[i]
    detail = f"{ordinal(i + 1)} of {n}: {p.words}"
    if reading.verdict == NOT_A_DIGIT:
        return Answer("✗", f"Not a number: none of\nthe {n} pieces is a digit", "not a digit",
                      f"not a digit - {APP_NAME}", detail)
    if reading.verdict == NOT_SURE:
        return Answer("?", f"Not a number: none of\nthe {n} pieces is surely a digit", "unsure",
                      f"not sure - {APP_NAME}", detail)
    doubtful = len(reading.unsure)
    caption = f"{n} digits, all sure" if not doubtful else f"{n} digits, {doubtful} not sure (?)"
    return Answer(reading.marked_text, caption, "unsure" if doubtful else "sure",
                  f"{reading.marked_text} - {APP_NAME}", detail)
