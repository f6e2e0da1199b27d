"""digitapp.answer without a display: what the window says for a reading, in words (issue 21, points 2-4, 8)."""

from __future__ import annotations

import numpy as np
import pytest

from digitapp.answer import answer_for, caption_of, ordinal
from digitapp.preprocess import FIELD
from digitapp.recognizer import CLOSE, WEAK, Prediction, Reading

BLANK = np.zeros((FIELD, FIELD))


def predicted(digit: int, outputs) -> Prediction:
    """A Prediction as the Recognizer makes it from ten raw outputs."""
    outputs = np.asarray(outputs, float)
    shares = outputs / outputs.sum()
    return Prediction(digit, float(shares[digit]), shares, BLANK, outputs=outputs)


def outputs(**strong) -> np.ndarray:
    """Ten outputs of 0.001, with some set: outputs(d3=0.6)."""
    out = np.full(10, 0.001)
    for name, value in strong.items():
        out[int(name[1:])] = value
    return out


SURE = predicted(7, outputs(d7=0.99))
WEAK_ONE = predicted(3, outputs(d3=0.6))                # nearly all the share, but a weak output
CLOSE_ONE = predicted(4, outputs(d4=0.95, d9=0.9))      # strong, but 9 is close
NONE = predicted(1, outputs(d1=0.05))


def reading(*predictions) -> Reading:
    n = len(predictions)
    return Reading(tuple(predictions), tuple((10 * i, 0, 10 * i + 9, 9) for i in range(n)),
                   tuple((i,) for i in range(n)))


def test_each_verdict_has_one_measure_and_its_reason():
    assert SURE.doubt is None and SURE.measure == SURE.confidence and SURE.words == f"7 ({SURE.percent} sure)"
    assert WEAK_ONE.doubt == WEAK and WEAK_ONE.confidence > 0.9 and WEAK_ONE.measure == pytest.approx(0.6)
    assert WEAK_ONE.words == "3? (not sure, weak answer: output 60%)"
    assert CLOSE_ONE.doubt == CLOSE and CLOSE_ONE.runner_up == 9 and CLOSE_ONE.measure == CLOSE_ONE.confidence
    assert CLOSE_ONE.words == f"4? (not sure, 9 close: share {CLOSE_ONE.percent})"
    assert NONE.doubt is None and NONE.symbol == "✗" and NONE.words == "not a digit (top output 5%)"
    assert caption_of(WEAK_ONE) == "Not sure: weak answer\nits output is only 60%"
    assert caption_of(CLOSE_ONE) == f"Not sure: 9 is close\n4 has a {CLOSE_ONE.percent} share"


def test_one_digit_answers_and_titles():
    assert answer_for(None).headline == "✎" and answer_for(None).title == "digitapp"
    assert answer_for(Reading(), picture=True).caption == "No digit found\nin this picture"
    weak = answer_for(reading(WEAK_ONE))
    assert (weak.headline, weak.state) == ("3", "unsure") and "100%" not in weak.caption + weak.title
    assert answer_for(reading(NONE)).headline == "✗" and answer_for(reading(NONE)).state == "not a digit"


def test_a_number_is_shown_whole_with_the_selected_digit_below():
    a = answer_for(reading(SURE, CLOSE_ONE, SURE), selected=1)
    assert a.headline == "74?7" and a.title == "74?7 - digitapp" and a.state == "unsure"
    assert a.caption == "3 digits, 1 not sure (?)" and a.detail == f"2nd of 3: {CLOSE_ONE.words}"
    assert answer_for(reading(SURE, SURE)).detail.startswith("2nd of 2: 7")


def test_pieces_none_of_which_is_surely_a_digit_are_no_number():
    doubtful = reading(WEAK_ONE, CLOSE_ONE)
    assert doubtful.verdict == "not sure" and not doubtful.is_number and doubtful.text == "34"
    assert doubtful.describe() == f"not sure (2 pieces, none surely a digit: 3? 60%, 4? {CLOSE_ONE.percent})"
    a = answer_for(doubtful)
    assert (a.headline, a.title) == ("?", "not sure - digitapp") and a.caption.startswith("Not a number")
    nothing = reading(NONE, NONE)
    assert nothing.verdict == "not a digit" and answer_for(nothing).headline == "✗"
    one_sure = reading(SURE, WEAK_ONE)
    assert one_sure.is_number and one_sure.describe() == f"73 (7 {SURE.percent}, 3? 60%)"


@pytest.mark.parametrize("n, word", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (22, "22nd")])
def test_ordinal(n, word):
    assert ordinal(n) == word
