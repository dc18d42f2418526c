"""pytest-mlgate: an ML quality and governance gate for pytest.

``from pytest_mlgate import CheckResult, Profile`` works, lazily: importing the package stays
light because the plugin loads in every pytest run of the environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import MlgateError, MlgateInputError
    from .profile import Profile
    from .results import CheckResult

__all__ = ["CheckResult", "MlgateError", "MlgateInputError", "Profile"]

_LAZY = {
    "CheckResult": ("pytest_mlgate.results", "CheckResult"),
    "MlgateError": ("pytest_mlgate.errors", "MlgateError"),
    "MlgateInputError": ("pytest_mlgate.errors", "MlgateInputError"),
    "Profile": ("pytest_mlgate.profile", "Profile"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'pytest_mlgate' has no attribute {name!r}")
