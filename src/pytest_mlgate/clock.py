"""Time stamps in records: ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) read in one place."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


def source_date_epoch() -> float | None:
    """``SOURCE_DATE_EPOCH`` in seconds when it is set to whole seconds, else ``None`` (an
    unusable value is ignored, as reproducible-builds tools do)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return float(epoch) if epoch.isdigit() else None


def timestamp(moment: float | None = None) -> str:
    """An ISO 8601 UTC time to the second: ``moment``, else ``SOURCE_DATE_EPOCH``, else now."""
    if moment is None:
        epoch = source_date_epoch()
        moment = epoch if epoch is not None else time.time()
    return datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec="seconds")
