"""Access to the compiled core, with one clear error when it is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

try:
    # import_module rather than `from . import _core`: its error names the missing module
    # instead of blaming a circular import.
    _core_module: ModuleType | None = importlib.import_module("tradeeco._core")
except ImportError as e:  # a source checkout that was not built, or a broken build
    _core_module = None
    _import_error: ImportError | None = e
else:
    _import_error = None


def available() -> bool:
    """Whether the compiled core (tradeeco._core) could be imported."""
    return _core_module is not None


def core() -> ModuleType:
    """The compiled module; ImportError with the reason if it is not available.

    Callers hand it paths as ``str`` (``os.fspath``), never ``pathlib.Path``: pybind11 converts a
    Path by calling its Python ``__fspath__``, and a Ctrl-C landing inside that call is swallowed
    as a failed conversion ("incompatible function arguments", a TypeError) instead of
    cancelling the run. A ``str`` converts without running Python code.
    """
    if _core_module is None:
        raise ImportError(
            "tradeeco's compiled core (tradeeco._core) is not available: "
            f"{_import_error}. Build and install the package with `pip install .` from the "
            "repository root."
        ) from _import_error
    return _core_module
