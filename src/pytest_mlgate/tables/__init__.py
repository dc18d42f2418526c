"""Tables: the data-access seam between the data-quality checks and the engines that hold the
data (see :mod:`~pytest_mlgate.tables.base` for the protocol)."""

from __future__ import annotations

from typing import Any

from .base import Table, Violations, needs_rows

__all__ = ["Table", "Violations", "as_table", "needs_rows"]


def as_table(obj: Any, argument: str) -> Table:
    """``obj`` as a :class:`Table`: a Table as it is; a pandas frame, or anything with
    ``to_pandas()`` (pyarrow), as a :class:`~.pandas.PandasTable` (the frame checked by
    ``frames.as_frame``); a ``pyspark.sql.DataFrame`` as a :class:`~.spark.SparkTable`, a
    ``dask.dataframe.DataFrame`` as a :class:`~.dask.DaskTable` and a polars ``LazyFrame`` or
    ``DataFrame`` as a :class:`~.polars.PolarsTable` (recognised by their classes' modules: the
    engine is imported only when such a frame is passed)."""
    from ..frames import as_frame
    from .engines import engine_of
    from .pandas import PandasTable

    # the engine first: the Protocol check reads attributes (a LazyFrame's `columns` warns)
    engine = engine_of(obj)
    if engine is None and isinstance(obj, Table):
        return obj
    if engine == "spark":
        from .spark import SparkTable

        return SparkTable(obj)
    if engine == "dask":
        from .dask import DaskTable

        return DaskTable(obj)
    if engine == "polars":
        from .polars import PolarsTable

        return PolarsTable(obj)
    return PandasTable(as_frame(obj, argument))
