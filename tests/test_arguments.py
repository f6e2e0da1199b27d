"""digitapp.arguments: the commands' parser (one-line errors) and their number types."""

from __future__ import annotations

import argparse

import pytest

from conftest import assert_one_line_naming
from digitapp.arguments import DefaultsOnceFormatter, OneLineErrorParser, above, at_least


@pytest.mark.parametrize("kind, low, text, value", [(int, 1, "3", 3), (int, 0, "0", 0), (float, 0.0, "0", 0.0),
                                                    (float, 0.0, "1e-3", 1e-3)])
def test_at_least_takes_numbers_from_low_up(kind, low, text, value):
    parsed = at_least(low, kind)(text)
    assert parsed == value and type(parsed) is kind


@pytest.mark.parametrize("parse, text, says", [
    (at_least(1, int), "0", "0 is not allowed, it must be at least 1"),
    (at_least(1, int), "1.5", "'1.5' is not an integer"),
    (at_least(0.0, float), "nan", "nan is not allowed, it must be at least 0.0"),
    (at_least(0.0, float), "ten", "'ten' is not a number"),
    (above(0.0), "0", "0 is not allowed, it must be greater than 0"),
    (above(0.0), "inf", "inf is not allowed, it must be greater than 0"),
])
def test_refused_numbers_say_why(parse, text, says):
    with pytest.raises(argparse.ArgumentTypeError, match=says):
        parse(text)


def test_parser_errors_are_one_line_naming_the_help(capsys):
    parser = OneLineErrorParser(prog="digitapp demo")
    parser.add_argument("--epochs", type=at_least(1, int))
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["--epochs", "0"])
    assert stop.value.code == 2
    assert_one_line_naming(capsys.readouterr().err, "digitapp demo: argument --epochs: 0 is not allowed",
                           "see 'digitapp demo --help'")


def test_defaults_are_said_once():
    parser = OneLineErrorParser(prog="demo", formatter_class=DefaultsOnceFormatter)
    parser.add_argument("--eta", type=float, default=0.5, help="learning rate")
    parser.add_argument("--hidden", type=int, nargs="+", default=[100, 30], help="layer sizes")
    parser.add_argument("--seed", type=int, default=1, help="seed (default: one)")
    parser.add_argument("--out", default=None, help="where")
    text = " ".join(parser.format_help().split())
    assert "learning rate (default: 0.5)" in text and "layer sizes (default: 100 30)" in text
    assert "seed (default: one)" in text and text.count("default") == 3
