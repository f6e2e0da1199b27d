"""Which model answers: one typed description that the window, look inside, ``predict`` and ``--json`` format.

A model file's record is plain data from a file, so it can hold anything:
every field here is checked and cut short once, when the description is
made, and nothing downstream looks into the record again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model_io import default_model_path


def is_shipped_file(path: Path | None) -> bool:
    """Whether ``path`` is the model file that ships with the package."""
    return path is not None and Path(path).resolve() == default_model_path().resolve()


def _shown(value, kind, longest: int = 300):
    """A record entry as the app shows it: None unless of ``kind``, strings cut short."""
    if not isinstance(value, kind) or isinstance(value, bool):
        return None
    return value[:longest] if isinstance(value, str) else value


@dataclass(frozen=True)
class ModelInfo:
    """What a model is and how it was trained.

    For a personalised model (``personal_samples`` is not None) the training
    record and its accuracies are the base model's, measured before the
    user's digits were learned; ``base_model`` names that model.
    """

    file: Path | None
    shipped: bool
    sizes: tuple[int, ...]
    cost: str
    date: str | None = None
    recipe: str | None = None
    epochs: int | None = None
    validation_accuracy: float | None = None
    test_accuracy: float | None = None
    personal_samples: int | None = None
    personal_not_digits: int = 0  # how many of them are "not a digit" drawings
    base_model: Path | None = None
    retrained: bool = False  # trained from scratch with the user's digits (train --my-digits): figures are its own
    activation: str = "sigmoid"
    softmax: bool = False

    @classmethod
    def of(cls, network, path: Path | None, record: dict) -> "ModelInfo":
        """The description of ``network``, loaded from ``path`` (None: made in memory) with ``record``."""
        personal = record.get("personal")
        samples = base = None
        not_digits = 0
        retrained = isinstance(personal, dict) and personal.get("retrained") is True
        if isinstance(personal, dict):
            samples = _shown(personal.get("samples"), int) or 0
            not_digits = min(max(_shown(personal.get("not_digits"), int) or 0, 0), max(samples, 0))
            recorded = _shown(personal.get("base_model"), str)
            base = Path(recorded) if recorded else None
        return cls(
            file=Path(path) if path is not None else None,
            shipped=samples is None and is_shipped_file(path),
            sizes=tuple(network.sizes),
            cost=getattr(network.cost, "name", str(network.cost)),
            date=_shown(record.get("date"), str),
            recipe=_shown(record.get("command"), str),
            epochs=_shown(record.get("epochs"), int),
            validation_accuracy=_shown(record.get("validation_accuracy"), (int, float)),
            test_accuracy=_shown(record.get("test_accuracy"), (int, float)),
            personal_samples=samples,
            personal_not_digits=not_digits,
            base_model=None if retrained else base,
            retrained=retrained,
            activation=getattr(network.activation, "name", "sigmoid"),
            softmax=getattr(network.output_activation, "name", "sigmoid") == "softmax",
        )

    @property
    def is_personal(self) -> bool:
        return self.personal_samples is not None

    @property
    def kind(self) -> str:
        """'personalised', 'shipped', 'other file' or 'in memory'."""
        if self.is_personal:
            return "personalised"
        if self.shipped:
            return "shipped"
        return "other file" if self.file is not None else "in memory"

    @property
    def base_name(self) -> str:
        """'shipped model digit_model.pkl', 'model other.pkl' or 'a model in memory': where learning started."""
        if self.base_model is None:
            return "a model in memory"
        return f"{'shipped model' if is_shipped_file(self.base_model) else 'model'} {self.base_model.name}"

    @property
    def yours(self) -> str:
        """What it learned from the user: '23 of your digits', or with "not a digit" samples among them
        '25 of your drawings: 23 digits, 2 not a digit' (no brackets: it is often quoted inside some)."""
        n, k = self.personal_samples or 0, self.personal_not_digits
        if not k:
            return f"{n} of your digits"
        digits = f"{n - k} digit{'' if n - k == 1 else 's'}, " if n > k else ""
        return f"{n} of your drawings: {digits}{k} not a digit"

    @property
    def _drawings(self) -> str:
        return "drawings" if self.personal_not_digits else "digits"

    def _training(self) -> list[str]:
        """'trained 2026-11-20' and 'MNIST test 98.59%', where the record says so."""
        parts = [f"trained {self.date[:10]}"] if self.date else []
        if self.test_accuracy is not None:
            parts.append(f"MNIST test {100 * self.test_accuracy:.2f}%")
        return parts

    def describe(self, yours: bool = True) -> str:
        """One line: 'shipped model digit_model.pkl, trained 2026-11-20, MNIST test 98.59%', or for a
        personalised model 'personalised, trained on 23 of your digits, from shipped model digit_model.pkl
        (trained 2026-11-20, MNIST test 98.59% before your digits)'.  Without ``yours``, a personalised
        model's count of the user's drawings is left out (the window says it in the line under this one)."""
        if self.retrained:
            return ", ".join([f"personalised, retrained with {self.yours if yours else 'your ' + self._drawings}",
                              *self._training()])
        if self.is_personal:
            line = f"personalised, {f'trained on {self.yours}, ' if yours else ''}from {self.base_name}"
            training = self._training()
            if training:
                before = f" before your {self._drawings}" if self.test_accuracy is not None else ""
                line += f" ({', '.join(training)}{before})"
            return line
        name = self.file.name if self.file is not None else "a model in memory"
        return ", ".join([f"{'shipped model' if self.shipped else 'model'} {name}", *self._training()])

    def details(self) -> list[str]:
        """The look-inside panel's lines: file, where it comes from, shape, training record, accuracies."""
        if self.file is None:
            lines = ["a model in memory, not from a file"]
        else:
            lines = [f"{self.file.name}: {self.kind} model"]
            if self.retrained:
                lines.append(f"retrained with {self.yours} (digitapp train --my-digits)")
            elif self.is_personal:
                lines.append(f"trained on {self.yours}, from {self.base_name}")
            if not self.shipped:
                lines.append(f"in {self.file.parent}")
        neurons = "" if self.activation == "sigmoid" else f", {self.activation} neurons"
        lines.append(f"Network({list(self.sizes)}){neurons}, {self.cost} cost"
                     + (" (softmax outputs)" if self.softmax else ""))
        if self.softmax:
            lines.append("softmax outputs share 1 between the digits, so 'not a digit' is when none gets 30%: "
                         "trained on digits alone, such a model can hardly say 'none of these'")
        trained = [f"trained {self.date[:10]}"] if self.date else []
        if self.epochs is not None:
            trained.append(f"{self.epochs} epochs")
        if self.recipe and self.recipe.strip():
            trained.append(f"by '{self.recipe.strip()}'")
        learned_after = self.is_personal and not self.retrained  # the record is the base model's
        if trained and learned_after:
            trained[0] = "base " + trained[0]
        lines.append(", ".join(trained) if trained else "no training record")
        scores = [f"{label} {100 * value:.2f}%" for value, label in ((self.validation_accuracy, "validation"),
                                                                     (self.test_accuracy, "MNIST test"))
                  if value is not None]
        if scores:
            lines.append(", ".join(scores) + (f" (before your {self._drawings})" if learned_after else ""))
        return lines

    def to_dict(self) -> dict:
        """For ``predict --json``: plain values, None where the record says nothing."""
        return {
            "file": str(self.file) if self.file is not None else None,
            "shipped": self.shipped,
            "sizes": list(self.sizes),
            "cost": self.cost,
            "date": self.date,
            "recipe": self.recipe,
            "epochs": self.epochs,
            "validation_accuracy": self.validation_accuracy,
            "test_accuracy": self.test_accuracy,
            "personal_samples": self.personal_samples,
            "personal_not_digits": self.personal_not_digits if self.is_personal else None,
            "base_model": str(self.base_model) if self.base_model is not None else None,
            "retrained": self.retrained,
            "activation": self.activation,
            "softmax": self.softmax,
        }
