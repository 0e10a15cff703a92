"""Exception types. Each subclasses a builtin so callers can catch either.

`MotionsimError` subclasses are *user* errors: the CLI turns them into one line on stderr and exit code 2.
"""

from __future__ import annotations


class MotionsimError(Exception):
    """Base class of every error motionsim raises on purpose."""


class PoseFormatError(MotionsimError, ValueError):
    """A pose file or array cannot be read or is not a usable motion (empty, NaN, wrong joints...)."""


class SequenceTooShortError(PoseFormatError):
    """A sequence has fewer frames than the similarity window and padding was not requested."""


class CheckpointError(MotionsimError, ValueError):
    """A model checkpoint is missing, corrupt or does not match this version of the network."""


class MissingExtraError(MotionsimError, ImportError):
    """An optional dependency is needed; the message says which `pip install` fixes it."""
