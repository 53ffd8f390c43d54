"""tradeeco's exceptions. They are defined by the compiled core (python/src/register_errors.cpp),
which maps each C++ error type to one of them in one place, keeping the C++ message exactly:

* :class:`TradeecoError` (``Exception``): base of every tradeeco error.
* :class:`ScenarioError` (also ``ValueError``): an invalid scenario. The message reads
  ``file:line:column: key: expected X, found Y``; attributes ``file``, ``line``, ``column``, ``key``.
* :class:`ModelError` (also ``RuntimeError``): the model reached a state it cannot continue from.
* :class:`ResultIOError` (also ``OSError``): reading or writing a result file failed.
* :class:`CheckpointError` (a ``ResultIOError``): a checkpoint cannot be restored (damaged, of
  another format version or tradeeco build, or for another scenario layout).
* :class:`RunCancelled` (``KeyboardInterrupt``): a run was cancelled by Ctrl-C or by a progress
  callback returning False. Not an ``Exception``, so ``except Exception`` does not swallow it.
* :class:`ResultNameWarning` (``UserWarning``): a result file is being written under a name that
  does not end in ``.nc`` (written anyway; CF tools expect the suffix).

Without the compiled core (a source checkout that was not built), pure-Python stand-ins with the
same hierarchy are defined, so code that catches these still imports.

Example:
    >>> import tradeeco
    >>> issubclass(tradeeco.ScenarioError, ValueError)
    True
    >>> issubclass(tradeeco.RunCancelled, KeyboardInterrupt)
    True
"""

from __future__ import annotations

__all__ = [
    "CheckpointError",
    "ModelError",
    "NotPairedError",
    "PosteriorError",
    "ResultIOError",
    "ResultNameWarning",
    "RunCancelled",
    "ScenarioError",
    "TradeecoError",
]

try:
    from ._core import (
        CheckpointError,
        ModelError,
        ResultIOError,
        RunCancelled,
        ScenarioError,
        TradeecoError,
    )
except ImportError:  # pragma: no cover - only without the compiled module

    class TradeecoError(Exception):  # type: ignore[no-redef]
        """Base class of every tradeeco error."""

    class ScenarioError(TradeecoError, ValueError):  # type: ignore[no-redef]
        """A scenario file or string is invalid."""

        file = ""
        line = 0
        column = 0
        key = ""

    class ModelError(TradeecoError, RuntimeError):  # type: ignore[no-redef]
        """The model reached a state it cannot continue from."""

    class ResultIOError(TradeecoError, OSError):  # type: ignore[no-redef]
        """Reading or writing a result file failed."""

    class CheckpointError(ResultIOError):  # type: ignore[no-redef]
        """A checkpoint cannot be restored."""

    class RunCancelled(KeyboardInterrupt):  # type: ignore[no-redef]
        """A run was cancelled (Ctrl-C or a progress callback returning False)."""


class NotPairedError(TradeecoError, ValueError):
    """Two result sets cannot be compared replicate by replicate: their seeds or replicate
    indices differ, so they do not share random streams."""


class ResultNameWarning(UserWarning):
    """A result file is written under a name that does not end in ``.nc``. The file is written
    all the same; netCDF/CF tools (the CF compliance checker among them) expect the suffix."""


class PosteriorError(TradeecoError, ValueError):
    """A posterior file (``python/tradeeco/data/posterior.csv`` or ``--posterior FILE``) is
    invalid. The message reads ``file:line: column N (key): expected X, found Y``; attributes
    ``file``, ``line`` (0 when the whole file is at fault), ``column`` (1-based, 0 if none) and
    ``key`` (a parameter or provenance key, or "")."""

    def __init__(
        self, file: str, line: int, column: int, key: str, expected: str, found: str
    ) -> None:
        where = f"{file}:{line}" if line else f"{file}"
        if column or key:
            col = f"column {column}" if column else ""
            where += f": {col}{' ' if col and key else ''}{f'({key})' if col and key else key}"
        super().__init__(f"{where}: expected {expected}, found {found}")
        self.file, self.line, self.column, self.key = file, line, column, key
