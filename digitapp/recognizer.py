"""What the app, the ``predict`` command and the benchmarks call: a model plus the preprocessing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .imagefile import ImageLike, as_gray_image
from .ink import INK_THRESHOLD, Ink, ink_readings
from .activations import Softmax
from .model_info import ModelInfo
from .model_io import default_model_path, network_from, read_model_file
from .network import Network, shares
from .preprocess import DIGITS, FIELD, input_from_ink, strokes_input
from .segment import group_strokes, ink_pieces
from .strokes import clean_strokes, saved_strokes

# The three thresholds are chosen on validation data, never on a test set: python -m bench.thresholds.
#: When the strongest of the ten sigmoid outputs is below this, no output claims the drawing: "not a digit".
NONE_BELOW = 0.15
#: The same for a softmax output (cost "log-likelihood"), whose ten outputs share 1, so the strongest is at
#: least 0.1; ``digitapp train`` aims such a model's non-digits at 0.1 each.  Chosen as NONE_BELOW was, with
#: python -m bench.thresholds --model on a ReLU + softmax model (see docs/networks.md).
SOFTMAX_NONE_BELOW = 0.3
#: When it is below this, the claim is weak: "not sure".
WEAK_BELOW = 0.8
#: When the winner's share of all ten outputs (the confidence) is below this, another digit is close: "not sure".
UNSURE_BELOW = 0.8


def none_below_for(network: Network) -> float:
    """The "not a digit" threshold for a network's outputs: NONE_BELOW, or SOFTMAX_NONE_BELOW for a softmax."""
    return SOFTMAX_NONE_BELOW if network.output_activation is Softmax else NONE_BELOW


#: What a Prediction says, in words: nothing drawn, no digit, a digit but not sure, a digit.
EMPTY, NOT_A_DIGIT, NOT_SURE, SURE = "empty", "not a digit", "not sure", "sure"
#: Why a digit is not sure: its output is below WEAK_BELOW, or another digit's share is close to its own.
WEAK, CLOSE = "weak answer", "two digits close"


@dataclass(frozen=True)
class Prediction:
    """The answer for one image.

    ``digit`` is None when nothing was drawn, else the strongest output;
    ``outputs`` are the network's ten raw sigmoid activations, each on its
    own between 0 and 1, so all ten can be low: "none of these" (a softmax
    output's ten share 1 instead: "none of these" is then all of them near
    0.1, which only a model trained so can give);
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
    def mark(self) -> str:
        """What follows the digit wherever it is shown: '?' when the network is unsure of it, else ''."""
        return "" if self.is_sure else "?"

    @property
    def marked(self) -> str:
        """The digit as the app shows it: '4', or '4?' when unsure."""
        return f"{self.digit}{self.mark}"

    @property
    def verdict(self) -> str:
        """'empty', 'not a digit', 'not sure' or 'sure'."""
        if self.is_empty:
            return EMPTY
        if not self.is_digit:
            return NOT_A_DIGIT
        return SURE if self.is_sure else NOT_SURE

    @property
    def runner_up(self) -> int | None:
        """The digit with the second largest share (None when nothing was drawn)."""
        if self.digit is None:
            return None
        order = np.argsort(-np.asarray(self.probabilities), kind="stable")
        return int(order[1] if order[0] == self.digit else order[0])

    @property
    def doubt(self) -> str | None:
        """Why a digit is not sure: WEAK (no output claims it strongly: its own output is below
        ``weak_below``, whatever its share) before CLOSE (its share is below ``unsure_below``: another digit
        is close); None when sure, empty or not a digit."""
        if not self.is_digit or self.is_sure:
            return None
        if self.outputs is not None and self.strongest < self.weak_below:
            return WEAK
        return CLOSE

    @property
    def measure(self) -> float:
        """The one number shown with the verdict, the one the verdict was decided on: the winning output
        itself for 'not a digit' and a weak answer (how strongly any digit claims the drawing), else the
        winner's share of the ten (the confidence: for a sure digit, and for two digits close)."""
        if self.digit is None:
            return 0.0
        return self.strongest if not self.is_digit or self.doubt == WEAK else self.confidence

    @property
    def percent(self) -> str:
        """The measure as the app shows it: '98%'."""
        return f"{100 * self.measure:.0f}%"

    @property
    def symbol(self) -> str:
        """What stands for it in a number: '4', '4?' when unsure, '✗' when not a digit, '' when empty."""
        if self.digit is None:
            return ""
        return self.marked if self.is_digit else "✗"

    @property
    def reason(self) -> str:
        """The verdict's measure in words: 'output 41%', '98% sure', 'share 55% (9 close)'."""
        if self.digit is None:
            return "nothing drawn"
        if not self.is_digit:
            return f"top output {self.percent}"
        if self.doubt == WEAK:
            return f"weak answer: output {self.percent}"
        if self.doubt == CLOSE:
            return f"{self.runner_up} close: share {self.percent}"
        return f"{self.percent} sure"

    @property
    def words(self) -> str:
        """One line for the title, the strip and ``digitapp predict``: '7 (98% sure)', '7? (not sure, weak
        answer: output 41%)', '4? (not sure, 9 close: share 55%)', 'not a digit (top output 3%)'."""
        if self.digit is None:
            return "nothing drawn"
        if not self.is_digit:
            return f"not a digit ({self.reason})"
        if self.doubt is not None:
            return f"{self.marked} (not sure, {self.reason})"
        return f"{self.digit} ({self.reason})"

    def to_dict(self) -> dict:
        outputs = self.outputs if self.outputs is not None else self.probabilities
        return {
            "digit": self.digit,
            "confidence": round(self.confidence, 6),
            "sure": self.is_sure,
            "is_digit": self.is_digit,
            "verdict": self.verdict,
            "doubt": self.doubt,
            "probabilities": [round(float(p), 6) for p in self.probabilities],
            "outputs": [round(float(p), 6) for p in outputs],
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
        return "".join(p.marked for p in self.predictions)

    @property
    def unsure(self) -> list[int]:
        return [i for i, p in enumerate(self.predictions) if not p.is_sure]

    @property
    def is_empty(self) -> bool:
        return not self.predictions

    @property
    def verdict(self) -> str:
        """The whole reading's verdict: a lone piece's own; for several pieces 'not a digit' when none is a
        digit, 'not sure' when none is surely one (a smiley cut in two is no number), else 'sure' (a number,
        some of whose digits may still carry a '?')."""
        if self.is_empty:
            return EMPTY
        if len(self.predictions) == 1:
            return self.predictions[0].verdict
        if not any(p.is_digit for p in self.predictions):
            return NOT_A_DIGIT
        return SURE if any(p.is_sure for p in self.predictions) else NOT_SURE

    @property
    def is_number(self) -> bool:
        """Several pieces read as a number: some piece at least is surely a digit."""
        return len(self.predictions) > 1 and self.verdict == SURE

    def __len__(self) -> int:
        return len(self.predictions)

    def __repr__(self):
        return f"Reading({self.text!r}, unsure={self.unsure})"

    def describe(self) -> str:
        """'2026 (2 99%, 0 97%, 2 99%, 6? 55%)': the number, then each digit with its measure (see
        :attr:`Prediction.measure`); 'not a number: ...' when no piece is surely a digit."""
        if self.is_empty:
            return "no digits (blank)"
        if len(self.predictions) == 1:
            return self.predictions[0].words
        parts = ", ".join(f"{p.symbol} {p.percent}" for p in self.predictions)
        if self.verdict == NOT_A_DIGIT:
            return f"not a digit ({len(self)} pieces, none a digit: {parts})"
        if self.verdict == NOT_SURE:
            return f"not sure ({len(self)} pieces, none surely a digit: {parts})"
        return f"{self.text} ({parts})"

    def words(self) -> str:
        """One line, as :meth:`describe` (a lone digit: its :attr:`Prediction.words`)."""
        return self.describe()

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "verdict": self.verdict,
            "unsure": self.unsure,
            "digits": [{**p.to_dict(), "box": list(box)} for p, box in zip(self.predictions, self.boxes)],
        }


def _claim(reading: Reading) -> float:
    """How strongly the network claims a reading's digits: the mean of their strongest outputs (0 if none)."""
    return float(np.mean([p.strongest for p in reading.predictions])) if reading.predictions else 0.0


class Recognizer:
    """A trained network with the preprocessing that makes a drawing look like MNIST.

    It only reads: nothing here changes ``network``, so the window's thread
    can read with it while a learning thread builds the next one (see
    :class:`~digitapp.personal.PersonalModel`, which swaps in a new
    Recognizer whole).  ``path`` and ``record`` say which model it is.
    """

    def __init__(self, network: Network, path: Path | None = None, record: dict | None = None,
                 unsure_below: float = UNSURE_BELOW, none_below: float | None = None, weak_below: float = WEAK_BELOW):
        """``none_below`` None: NONE_BELOW for sigmoid outputs, SOFTMAX_NONE_BELOW for a softmax output."""
        self.network = network
        self.path = Path(path) if path is not None else None
        self.record = record or {}
        self.unsure_below = unsure_below
        if none_below is None:
            none_below = none_below_for(network)
        self.none_below = none_below
        self.weak_below = weak_below
        self.info = ModelInfo.of(network, self.path, self.record)

    def __repr__(self):
        return f"Recognizer({self.network!r}, path={str(self.path) if self.path else None!r})"

    @classmethod
    def load(cls, path=None) -> "Recognizer":
        """The model at ``path``, or the shipped one; raises ModelError with a one-line message."""
        path = Path(path) if path is not None else default_model_path()
        data = read_model_file(path)
        return cls(network_from(data), path, data["record"])

    def describe(self) -> str:
        """One line for people: 'shipped model digit_model.pkl, trained 2026-11-20, MNIST test 98.59%'."""
        return self.info.describe()

    def predict(self, image: ImageLike, ink: Ink = None) -> Prediction:
        """Recognise a PIL image, a NumPy array or an image file; raises ImageError for a bad file.

        A photo whose ink could be dark or light (a close call, see ``ink.ink_ways``) is read both ways round,
        and the answer whose digit the network claims more strongly, past the other way's handicap, is kept.
        """
        return self.input_for(image, ink)[1]

    def input_for(self, image: ImageLike, ink: Ink = None) -> tuple[np.ndarray | None, Prediction]:
        """The (784, 1) input :meth:`predict` reads ``image`` from (None if blank), and its Prediction."""
        gray = as_gray_image(image)
        tries = []
        for strength, handicap in ink_readings(gray, ink):
            x = input_from_ink(strength)
            tries.append((x, self.predict_input(x), handicap))
        x, prediction, _ = max(tries, key=lambda tried: tried[1].strongest - tried[2])  # ties: the likelier way
        return x, prediction

    def predict_strokes(self, strokes) -> Prediction:
        """Recognise mouse strokes (lists of (x, y) points), redrawn with a pen in proportion to the digit.

        This is what the app does with a drawing: the pen the user picked and
        the size they drew at no longer change the stroke width the network sees.
        """
        return self.predict_input(strokes_input(strokes))

    def predict_input(self, x: np.ndarray | None) -> Prediction:
        """Recognise an already preprocessed (784, 1) input; None means a blank drawing."""
        if x is None:
            return Prediction(None, 0.0, np.zeros(DIGITS), np.zeros((FIELD, FIELD), np.float32), self.unsure_below,
                              np.zeros(DIGITS), self.none_below, self.weak_below)
        output = self.network.feedforward(x.astype(self.network.dtype, copy=False)).ravel()
        probabilities = shares(output)
        digit = int(np.argmax(probabilities))
        return Prediction(digit, float(probabilities[digit]), probabilities,
                          x.reshape(FIELD, FIELD), self.unsure_below, output, self.none_below, self.weak_below)

    def read_strokes(self, strokes) -> Reading:
        """Every digit in mouse strokes, left to right: strokes are grouped into digits, each read alone."""
        strokes = clean_strokes(strokes)
        known: dict[tuple[int, ...], Prediction] = {}  # a group scored while grouping is not read again

        def prediction(members) -> Prediction:
            key = tuple(members)
            if key not in known:
                known[key] = self.predict_input(strokes_input([strokes[i] for i in key], checked=True))
            return known[key]

        pieces = group_strokes(strokes, lambda members: prediction(members).outputs)
        predictions = tuple(prediction(p.strokes) for p in pieces)
        return Reading(predictions, tuple(p.box for p in pieces), tuple(tuple(p.strokes) for p in pieces))

    def read(self, image: ImageLike, ink: Ink = None) -> Reading:
        """Every digit in a picture, left to right; raises ImageError for a bad file.

        A PNG the window saved carries the drawing's strokes: those are read,
        as the window read them (the pen the user drew with does not matter).

        The ink is cut into connected pieces, pieces of one digit are joined,
        and touching digits are cut where the network is surest of both parts.
        """
        gray = as_gray_image(image)
        strokes = saved_strokes(gray)
        if strokes is not None:  # a drawing the window saved: read its strokes, as the window read them
            return self.read_strokes(strokes)
        tries = [(self._read_ink(strength), handicap) for strength, handicap in ink_readings(gray, ink)]
        return max(tries, key=lambda tried: _claim(tried[0]) - tried[1])[0]  # ties: the likelier way round

    def _read_ink(self, strength) -> Reading:
        """Every digit in the ink :func:`ink.ink_image` found (None: blank)."""
        if strength is None:
            return Reading()
        known: dict[tuple, Prediction] = {}  # a piece scored while cutting is not read again

        def prediction(piece: np.ndarray) -> Prediction:
            """The piece (light ink) read as predict() reads it; its ``outputs`` are each their own sigmoid,
            all low when the piece looks like none of the digits (which two digits joined often do)."""
            key = (piece.shape, piece.tobytes())
            if key not in known:
                known[key] = self.predict(piece, ink="light")
            return known[key]

        pieces = ink_pieces(np.asarray(strength), INK_THRESHOLD * 255, outputs=lambda piece: prediction(piece).outputs)
        if len(pieces) == 1:  # one digit: read the whole picture, exactly as predict() does
            predictions = (self.predict_input(input_from_ink(strength)),)
        else:
            predictions = tuple(prediction(p.image) for p in pieces)
        kept = [i for i, p in enumerate(predictions) if not p.is_empty]
        return Reading(tuple(predictions[i] for i in kept), tuple(pieces[i].box for i in kept),
                       tuple(() for _ in kept))
