"""The one error family of pytest-mlgate."""

from __future__ import annotations


class MlgateError(Exception):
    """Base class of every error pytest-mlgate raises on purpose."""


class MlgateInputError(MlgateError, ValueError):
    """Bad input to a check: the message names the argument, the problem and the fix.

    Inside a gate it never escapes: the check is recorded with status ``error``.
    """

    def __init__(self, argument: str, problem: str, fix: str = "") -> None:
        self.argument = argument
        self.problem = problem
        self.fix = fix
        text = f"{argument}: {problem}"
        if fix:
            text += f" {fix}"
        super().__init__(text)


def describe(exc: BaseException) -> str:
    """The message of an error recorded as a check result: ours verbatim, anything else with
    its type (it came from bad input deep inside a library, or from a bug)."""
    if isinstance(exc, MlgateError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class Unreadable(MlgateError):
    """A file cannot be read as an audit record (or a record it names); the message says
    why."""
