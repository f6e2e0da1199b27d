"""digitapp: draw a digit, and a from-scratch NumPy network recognises it.

``import digitapp`` stays cheap: the names below load their module (and
NumPy, SciPy, Pillow) on first use.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_HOMES = {
    "Network": "network", "load_model": "model_io", "save_model": "model_io", "ModelError": "model_io",
    "preprocess": "preprocess", "ImageError": "imagefile", "Recognizer": "recognizer", "Prediction": "recognizer",
    "Reading": "recognizer", "ModelInfo": "model_info", "PersonalModel": "personal", "NO_DIGIT": "samples",
}
__all__ = [*_HOMES, "__version__"]


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
