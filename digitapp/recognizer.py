"""What the app, the ``predict`` command and the benchmarks call: a model plus the preprocessing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .model_io import default_model_path, network_from, read_model_file
from .network import Network
from .preprocess import FIELD, INK_THRESHOLD, ImageLike, Ink, as_gray_image, ink_image, preprocess
from .segment import group_strokes, ink_pieces
from .strokes import render_normalised

#: Below this confidence the app says "not sure" (chosen from the MNIST test set; see README).
UNSURE_BELOW = 0.7


@dataclass(frozen=True)
class Prediction:
    """The answer for one image.

    ``digit`` is None when nothing was drawn; ``probabilities`` are 10
    floats summing to 1 (all zero for a blank image); ``input`` is the 28x28
    array the network received.
    """

    digit: int | None
    confidence: float
    probabilities: np.ndarray = field(repr=False)
    input: np.ndarray = field(repr=False)
    unsure_below: float = field(default=UNSURE_BELOW, repr=False)

    @property
    def is_empty(self) -> bool:
        return self.digit is None

    @property
    def is_sure(self) -> bool:
        return self.digit is not None and self.confidence >= self.unsure_below

    def to_dict(self) -> dict:
        return {
            "digit": self.digit,
            "confidence": round(self.confidence, 6),
            "sure": self.is_sure,
            "probabilities": [round(float(p), 6) for p in self.probabilities],
        }


@dataclass(frozen=True)
class Reading:
    """Every digit in a drawing or picture, left to right.

    ``text`` holds all digits, sure or not (``unsure`` gives the positions of
    those the network doubts); ``predictions`` has one Prediction per digit,
    each with its own 28x28 input; ``boxes`` are the digits' places
    (x0, y0, x1, y1, inclusive) in the drawing's pixels; ``strokes`` the
    indices of each digit's strokes (empty lists for a picture).  A blank
    drawing is an empty reading.
    """

    predictions: tuple[Prediction, ...] = ()
    boxes: tuple[tuple[int, int, int, int], ...] = ()
    strokes: tuple[tuple[int, ...], ...] = ()

    @property
    def text(self) -> str:
        return "".join(str(p.digit) for p in self.predictions)

    @property
    def marked_text(self) -> str:
        """The text with a '?' after each digit the network is unsure of: '4?2'."""
        return "".join(f"{p.digit}{'' if p.is_sure else '?'}" for p in self.predictions)

    @property
    def unsure(self) -> list[int]:
        return [i for i, p in enumerate(self.predictions) if not p.is_sure]

    @property
    def is_empty(self) -> bool:
        return not self.predictions

    def __len__(self) -> int:
        return len(self.predictions)

    def __repr__(self):
        return f"Reading({self.text!r}, unsure={self.unsure})"

    def describe(self) -> str:
        """'2026 (2 99%, 0 97%, 2 99%, 6 95%?)': the number, then each digit's confidence (? = unsure)."""
        if self.is_empty:
            return "no digits (blank)"
        parts = [f"{p.digit} {100 * p.confidence:.0f}%{'' if p.is_sure else '?'}" for p in self.predictions]
        return f"{self.text} ({', '.join(parts)})"

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "unsure": self.unsure,
            "digits": [{**p.to_dict(), "box": list(box)} for p, box in zip(self.predictions, self.boxes)],
        }


def _shown(value, kind, longest: int = 300):
    """A record entry as the app shows it: None unless of ``kind`` (a file may hold any plain data), cut short."""
    if not isinstance(value, kind) or isinstance(value, bool):
        return None
    return value[:longest] if isinstance(value, str) else value


class Recognizer:
    """A trained network with the preprocessing that makes a drawing look like MNIST."""

    def __init__(self, network: Network, path: Path | None = None, record: dict | None = None,
                 unsure_below: float = UNSURE_BELOW):
        self.network = network
        self.path = path
        self.record = record or {}
        self.unsure_below = unsure_below

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
            "date": _shown(record.get("date"), str),
            "recipe": _shown(record.get("command"), str),
            "epochs": _shown(record.get("epochs"), int),
            "validation_accuracy": _shown(record.get("validation_accuracy"), (int, float)),
            "test_accuracy": _shown(record.get("test_accuracy"), (int, float)),
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
            return Prediction(None, 0.0, np.zeros(10), np.zeros((FIELD, FIELD), np.float32), self.unsure_below)
        output = self.network.feedforward(x.astype(self.network.dtype, copy=False)).ravel()
        probabilities = output / output.sum()
        digit = int(np.argmax(probabilities))
        return Prediction(digit, float(probabilities[digit]), probabilities,
                          x.reshape(FIELD, FIELD), self.unsure_below)

    def read_strokes(self, strokes) -> Reading:
        """Every digit in mouse strokes, left to right: strokes are grouped into digits, each read alone."""
        strokes = [list(s) for s in strokes]
        pieces = group_strokes(strokes, lambda members: self.predict_strokes([strokes[i] for i in members]).confidence)
        predictions = tuple(self.predict_strokes([strokes[i] for i in p.strokes]) for p in pieces)
        return Reading(predictions, tuple(p.box for p in pieces), tuple(tuple(p.strokes) for p in pieces))

    def read(self, image: ImageLike, ink: Ink = None) -> Reading:
        """Every digit in a picture, left to right; raises ImageError for a bad file.

        The ink is cut into connected pieces, pieces of one digit are joined,
        and touching digits are cut where the network is surest of both parts.
        """
        gray = as_gray_image(image)
        strength = ink_image(gray, ink)
        if strength is None:
            return Reading()
        pieces = ink_pieces(np.asarray(strength), INK_THRESHOLD * 255, outputs=self._outputs)
        if len(pieces) == 1:  # one digit: read the whole picture, exactly as predict() does
            predictions = (self.predict(gray, ink),)
        else:
            predictions = tuple(self.predict(p.image, ink="light") for p in pieces)
        kept = [i for i, p in enumerate(predictions) if not p.is_empty]
        return Reading(tuple(predictions[i] for i in kept), tuple(pieces[i].box for i in kept),
                       tuple(() for _ in kept))

    def _outputs(self, image: np.ndarray) -> np.ndarray:
        """The network's ten outputs for a piece of a picture (light ink), as it computes them: each its own
        sigmoid, all low when the piece looks like none of the digits (which two digits joined often do)."""
        x = preprocess(image, ink="light")
        return np.zeros(10) if x is None else self.network.feedforward(x.astype(self.network.dtype, copy=False)).ravel()
