"""Exception types, and the one wording of a failure that the command line and the web page both show.

Each type subclasses a builtin so callers can catch either. `MotionsimError` subclasses are *user* errors:
the CLI turns them into one line on stderr and exit code 2, the web page into a 4xx answer.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Modules of the optional extras (pyproject.toml) -> the extra that installs them.
OPTIONAL_MODULES = {"torch": "train", "safetensors": "train", "onnx": "train", "tomli": "train",
                    "tensorboard": "train", "cv2": "video", "mediapipe": "video", "av": "video",
                    "matplotlib": "plot", "sklearn": "plot", "fastapi": "web", "uvicorn": "web",
                    "multipart": "web", "jinja2": "web", "faiss": "index", "ray": "ray"}


class MotionsimError(Exception):
    """Base class of every error motionsim raises on purpose."""


class PoseFormatError(MotionsimError, ValueError):
    """A pose file or array cannot be read or is not a usable motion (empty, NaN, wrong joints...)."""


class InputTooLargeError(PoseFormatError):
    """An input would take more memory to read than the reading limit allows (`motionsim.io.MAX_INPUT_BYTES`)."""


class SequenceTooShortError(PoseFormatError):
    """A sequence has fewer frames than the similarity window and padding was not requested."""


class CheckpointError(MotionsimError, ValueError):
    """A model checkpoint is missing, corrupt or does not match this version of the network."""


class MissingExtraError(MotionsimError, ImportError):
    """An optional dependency is needed; the message says which `pip install` fixes it."""


@dataclass(frozen=True)
class Failure:
    """How a failure is told to a user: one line, and whether it is a bug of ours (internal) or bad input."""

    message: str
    internal: bool


def describe(exc: BaseException) -> Failure:
    """The words for ``exc``: a `MotionsimError`'s own message; a missing or unreadable file by its reason and
    name; a module of an optional extra by the ``pip install`` that adds it; anything else is internal."""
    if isinstance(exc, MotionsimError):
        return Failure(str(exc), internal=False)
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
        return Failure(f"{exc.strerror}: {exc.filename}", internal=False)
    extra = OPTIONAL_MODULES.get((getattr(exc, "name", None) or "").split(".")[0])
    if isinstance(exc, ModuleNotFoundError) and extra:
        return Failure(f"this needs {exc.name}, which a plain install leaves out: pip install 'motionsim[{extra}]'",
                       internal=False)
    return Failure(f"{type(exc).__name__}: {exc}", internal=True)
