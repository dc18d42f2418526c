"""Check results: plain, frozen, JSON-able records.

Nothing here imports numpy or pandas: these types cross process boundaries (pytest-xdist) and
file boundaries (``audit.json``), where only plain ``float``/``int``/``str``/``list``/``dict``
values travel.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

PASSED = "passed"
FAILED = "failed"
WARNED = "warned"
INSUFFICIENT = "insufficient"
ERROR = "error"
STATUSES = (PASSED, FAILED, WARNED, INSUFFICIENT, ERROR)
# how the pages and summaries list checks: what needs attention first
STATUS_ORDER = {ERROR: 0, FAILED: 1, INSUFFICIENT: 2, WARNED: 3, PASSED: 4}

BLOCK = "block"
WARN = "warn"
SEVERITIES = (BLOCK, WARN)

CATEGORIES = ("data_quality", "performance", "fairness", "drift", "governance")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one ``expect_*`` call; its fields are its record in ``audit.json``.

    >>> r = CheckResult(category="data_quality", name="row count >= 10", subject="train",
    ...                 nodeid="test_x.py::test_gate", status="passed", severity="block",
    ...                 observed=12.0, threshold={"min": 10}, message="12 rows.")
    >>> r.blocking
    False
    """

    category: str
    name: str
    subject: str
    nodeid: str
    status: str
    severity: str
    observed: float | None
    threshold: dict[str, Any]
    interval: list[float] | None = None
    message: str = ""
    markers: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """True when this result fails the test (and the gate)."""
        return is_blocking(self.status, self.severity)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record: plain values only."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> CheckResult:
        """Rebuild a result from its JSON record (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})


def is_blocking(status: str, severity: str) -> bool:
    """Whether a result with this status and severity fails its test.

    ``error`` always blocks; ``failed`` and ``insufficient`` block when the severity is
    ``block`` (a ``warn`` failure is recorded as ``warned`` in the first place).
    """
    if status == ERROR:
        return True
    return severity == BLOCK and status in (FAILED, INSUFFICIENT)


@dataclass(frozen=True)
class Outcome:
    """What a check computation returns before severity is applied.

    ``ok`` is True (rule met), False (rule broken) or None (the figure is undefined or rests
    on too little data: the result becomes ``insufficient``).
    """

    ok: bool | None
    observed: float | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    interval: list[float] | None = None
    threshold: dict[str, Any] | None = None


def plain(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers into plain JSON values.

    Non-finite floats become None: an undefined figure is null, never NaN.
    """
    if value is None or type(value) is bool:
        return value
    if isinstance(value, str):  # np.str_ too: execnet carries only the exact built-in types
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float):  # np.float64 is a float subclass
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", 0) == 0:
        try:
            return plain(item())
        except (TypeError, ValueError):
            pass
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and getattr(value, "ndim", 0) >= 1:  # numpy arrays, pandas Series
        return plain(tolist())
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return str(value)
