"""What the app, the ``predict`` command and the benchmarks call: a model plus the preprocessing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .model_io import default_model_path, network_from, read_model_file
from .network import Network
from .preprocess import FIELD, ImageLike, Ink, preprocess
from .strokes import render_normalised

# The three thresholds are chosen on validation data, never on a test set: python -m bench.thresholds.
#: When the strongest of the ten sigmoid outputs is below this, no output claims the drawing: "not a digit".
NONE_BELOW = 0.15
#: When it is below this, the claim is weak: "not sure".
WEAK_BELOW = 0.8
#: When the winner's share of all ten outputs (the confidence) is below this, another digit is close: "not sure".
UNSURE_BELOW = 0.8

#: What a Prediction says, in words: nothing drawn, no digit, a digit but not sure, a digit.
EMPTY, NOT_A_DIGIT, NOT_SURE, SURE = "empty", "not a digit", "not sure", "sure"


@dataclass(frozen=True)
class Prediction:
    """The answer for one image.

    ``digit`` is None when nothing was drawn, else the strongest output;
    ``outputs`` are the network's ten raw sigmoid activations, each on its
    own between 0 and 1, so all ten can be low: "none of these";
    ``probabilities`` are the outputs scaled to sum to 1 (all zero for a
    blank image), the share each digit has of what the network saw;
    ``confidence`` is the winner's share; ``input`` is the 28x28 array the
    network received.
    """

    digit: int | None
    confidence: float
    probabilities: np.ndarray = field(repr=False)
    input: np.ndarray = field(repr=False)
    unsure_below: float = field(default=UNSURE_BELOW, repr=False)
    outputs: np.ndarray | None = field(default=None, repr=False)
    none_below: float = field(default=NONE_BELOW, repr=False)
    weak_below: float = field(default=WEAK_BELOW, repr=False)

    @property
    def is_empty(self) -> bool:
        return self.digit is None

    @property
    def strongest(self) -> float:
        """The winning output's raw sigmoid activation: how strongly any digit claims the drawing.

        Without raw outputs (a Prediction made by hand) it is the confidence.
        """
        if self.digit is None:
            return 0.0
        return float(self.outputs[self.digit]) if self.outputs is not None else self.confidence

    @property
    def is_digit(self) -> bool:
        """Something was drawn and some output claims it; False for a blank and for 'not a digit'.

        Without raw outputs there is nothing to say "none of these", so any drawing counts.
        """
        return self.digit is not None and (self.outputs is None or self.strongest >= self.none_below)

    @property
    def is_sure(self) -> bool:
        """A digit, claimed strongly by its output, with no other digit close."""
        strong = self.outputs is None or self.strongest >= self.weak_below
        return self.is_digit and strong and self.confidence >= self.unsure_below

    @property
    def verdict(self) -> str:
        """'empty', 'not a digit', 'not sure' or 'sure'."""
        if self.is_empty:
            return EMPTY
        if not self.is_digit:
            return NOT_A_DIGIT
        return SURE if self.is_sure else NOT_SURE

    def to_dict(self) -> dict:
        outputs = self.outputs if self.outputs is not None else self.probabilities
        return {
            "digit": self.digit,
            "confidence": round(self.confidence, 6),
            "sure": self.is_sure,
            "is_digit": self.is_digit,
            "verdict": self.verdict,
            "probabilities": [round(float(p), 6) for p in self.probabilities],
            "outputs": [round(float(p), 6) for p in outputs],
        }


class Recognizer:
    """A trained network with the preprocessing that makes a drawing look like MNIST."""

    def __init__(self, network: Network, path: Path | None = None, record: dict | None = None,
                 unsure_below: float = UNSURE_BELOW, none_below: float = NONE_BELOW, weak_below: float = WEAK_BELOW):
        self.network = network
        self.path = path
        self.record = record or {}
        self.unsure_below = unsure_below
        self.none_below = none_below
        self.weak_below = weak_below

    def __repr__(self):
        return f"Recognizer({self.network!r}, path={str(self.path) if self.path else None!r})"

    @classmethod
    def load(cls, path=None) -> "Recognizer":
        """The model at ``path``, or the shipped one; raises ModelError with a one-line message."""
        path = Path(path) if path is not None else default_model_path()
        data = read_model_file(path)
        return cls(network_from(data), path, data["record"])

    @property
    def is_shipped(self) -> bool:
        return self.path is not None and self.path.resolve() == default_model_path().resolve()

    def model_info(self) -> dict:
        """Which model this is: its file and what its training record says (None where it says nothing)."""
        record = self.record
        return {
            "file": str(self.path) if self.path else None,
            "shipped": self.is_shipped,
            "date": record.get("date"),
            "recipe": record.get("command"),
            "epochs": record.get("epochs"),
            "validation_accuracy": record.get("validation_accuracy"),
            "test_accuracy": record.get("test_accuracy"),
        }

    def describe(self) -> str:
        """One line for people: 'shipped model digit_model.pkl, trained 2026-11-20, MNIST test 98.74%'."""
        info = self.model_info()
        name = Path(info["file"]).name if info["file"] else "a model in memory"
        parts = [f"{'shipped model' if info['shipped'] else 'model'} {name}"]
        if isinstance(info["date"], str):
            parts.append(f"trained {info['date'][:10]}")
        if isinstance(info["test_accuracy"], (int, float)):
            parts.append(f"MNIST test {100 * info['test_accuracy']:.2f}%")
        return ", ".join(parts)

    def predict(self, image: ImageLike, ink: Ink = None) -> Prediction:
        """Recognise a PIL image, a NumPy array or an image file; raises ImageError for a bad file."""
        return self.predict_input(preprocess(image, ink))

    def predict_strokes(self, strokes) -> Prediction:
        """Recognise mouse strokes (lists of (x, y) points), redrawn with a pen in proportion to the digit.

        This is what the app does with a drawing: the pen the user picked and
        the size they drew at no longer change the stroke width the network sees.
        """
        image = render_normalised(strokes)
        return self.predict_input(None if image is None else preprocess(image, ink="light"))

    def predict_input(self, x: np.ndarray | None) -> Prediction:
        """Recognise an already preprocessed (784, 1) input; None means a blank drawing."""
        if x is None:
            return Prediction(None, 0.0, np.zeros(10), np.zeros((FIELD, FIELD), np.float32), self.unsure_below,
                              np.zeros(10), self.none_below, self.weak_below)
        output = self.network.feedforward(x.astype(self.network.dtype, copy=False)).ravel()
        probabilities = output / output.sum()
        digit = int(np.argmax(probabilities))
        return Prediction(digit, float(probabilities[digit]), probabilities,
                          x.reshape(FIELD, FIELD), self.unsure_below, output, self.none_below, self.weak_below)
