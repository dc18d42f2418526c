"""Tables: the data-access seam between the data-quality checks and the engines that hold the
data (see :mod:`~pytest_mlgate.tables.base` for the protocol)."""

from __future__ import annotations

from typing import Any

from .base import Table, Violations, needs_rows

__all__ = ["Table", "Violations", "as_table", "needs_rows"]


def as_table(obj: Any, argument: str) -> Table:
    """``obj`` as a :class:`Table`: a Table as it is; a pandas frame, or anything with
    ``to_pandas()`` (pyarrow, polars), as a :class:`~.pandas.PandasTable` (the frame checked
    by ``frames.as_frame``). An engine's frame will get its own Table here (issue 16)."""
    from ..frames import as_frame
    from .pandas import PandasTable

    if isinstance(obj, Table):
        return obj
    return PandasTable(as_frame(obj, argument))
