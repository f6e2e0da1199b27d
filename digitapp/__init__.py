"""digitapp: draw a digit, and a from-scratch NumPy network recognises it."""

__version__ = "0.1.0"

from .model_io import ModelError, load_model, save_model  # noqa: E402
from .network import Network  # noqa: E402
from .preprocess import ImageError, preprocess  # noqa: E402
from .recognizer import Prediction, Recognizer  # noqa: E402

__all__ = ["Network", "save_model", "load_model", "ModelError", "preprocess", "ImageError",
           "Recognizer", "Prediction", "__version__"]
