"""Prediction tables in an engine (issue 16): the aggregates the performance and fairness
checks need, computed inside Spark, Dask or polars, so that nothing but counts and sums
reaches the driver.

- :func:`prediction_cells`: ONE group-by over the key columns (the sensitive columns, then
  ``y_true`` and ``y_pred``), with nulls kept as keys: rows per combination and, with weights,
  the sums of the weights and of their squares, and the count of negative weights. Every
  confusion-matrix figure, overall or per group, derives from these cells exactly.
- :func:`regression_sums`: ONE aggregation of the sums a regression's mean errors and R²
  divide (weighted when weights are given).

At most :data:`MAX_CELLS` combinations are brought back (Spark and polars stop at one more; a
Dask group-by's result is a pandas frame already): more is an error naming the columns (a
sensitive column with that many values is not a grouping). Engine failures become
``EngineError`` (``engines.guarded``). The engine is imported only here, inside the function
of its engine, when such a frame was passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError
from .engines import guarded

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: the most key combinations brought back to the driver
MAX_CELLS = 100_000
ENGINES = {"spark": "Spark", "dask": "Dask", "polars": "polars"}
_N, _W, _W2, _NEG = "__mlgate_n", "__mlgate_w", "__mlgate_w2", "__mlgate_neg"


@dataclass(frozen=True)
class Cells:
    """One row per distinct combination of the key columns (nulls and NaN kept as values)."""

    keys: pd.DataFrame  # object columns, named as the key columns
    count: np.ndarray  # int64: rows per combination
    weight: np.ndarray | None  # float64: sum of the weights per combination
    weight2: np.ndarray | None  # float64: sum of the squared weights
    negative: int  # rows with a negative weight


@dataclass(frozen=True)
class Sums:
    """What a regression's mean errors and R² divide, over the rows (weighted with ``w``)."""

    w: float  # sum of weights (rows when unweighted)
    abs_err: float  # sum of w |y - yhat|
    sq_err: float  # sum of w (y - yhat)^2
    y: float  # sum of w y
    y2: float  # sum of w y^2
    ape: float  # sum of w |y - yhat| / max(|y|, eps)  (scikit-learn's MAPE)
    zeros: int  # rows with y == 0 (and weight > 0)
    y_min: float | None  # of the rows with weight > 0
    y_max: float | None
    w2: float  # sum of squared weights
    negative: int  # rows with a negative weight
    infinite: dict[str, int]  # non-finite values per column (nulls are counted elsewhere)


def engine_name(engine: str) -> str:
    return ENGINES.get(engine, engine)


def prediction_cells(
    frame: Any, engine: str, keys: Sequence[str], weight: str | None = None
) -> Cells:
    """Rows per combination of ``keys`` (one engine job), with weight sums. A column named
    twice (``y_pred`` the same as the target) is grouped once."""
    keys = list(dict.fromkeys(keys))
    name = engine_name(engine)
    what = "the prediction counts (one group-by of " + ", ".join(repr(k) for k in keys) + ")"
    compute = {"spark": _spark_cells, "dask": _dask_cells, "polars": _polars_cells}[engine]
    raw = guarded(name, what, lambda: compute(frame, list(keys), weight))
    if len(raw) > MAX_CELLS:
        raise MlgateInputError(
            "sensitive_features/y_true/y_pred",
            f"hold more than {MAX_CELLS:,} distinct combinations of "
            f"{', '.join(repr(k) for k in keys)}; the gate brings back one count per "
            "combination, not that many.",
            "A sensitive column with that many values is not a grouping: bin it (e.g. age "
            "bands) first; for a regression pass task='regression'.",
        )
    return _cells_of(raw, list(keys), weight is not None)


def _cells_of(raw: pd.DataFrame, keys: list[str], weighted: bool) -> Cells:
    import numpy as np
    import pandas as pd

    key_frame = pd.DataFrame(
        {k: pd.Series(raw[k].tolist(), dtype=object) for k in keys}, index=range(len(raw))
    )
    count = np.asarray(raw[_N], dtype=np.float64).round().astype(np.int64)
    if not weighted:
        return Cells(key_frame, count, None, None, 0)
    return Cells(
        key_frame,
        count,
        np.asarray(raw[_W], dtype=np.float64),
        np.asarray(raw[_W2], dtype=np.float64),
        int(np.asarray(raw[_NEG], dtype=np.float64).sum()),
    )


def _spark_cells(frame: Any, keys: list[str], weight: str | None) -> pd.DataFrame:
    import pandas as pd
    from pyspark.sql import functions as F

    aggs = [F.count(F.lit(1)).alias(_N)]
    if weight is not None:
        w = frame[weight].cast("double")
        aggs += [
            F.sum(w).alias(_W),
            F.sum(w * w).alias(_W2),
            F.sum(F.when(w < 0, 1).otherwise(0)).alias(_NEG),
        ]
    grouped = frame.groupBy(*[frame[k] for k in keys]).agg(*aggs)
    rows = grouped.limit(MAX_CELLS + 1).collect()
    names = keys + [_N] + ([_W, _W2, _NEG] if weight is not None else [])
    return pd.DataFrame(
        {c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(names)}
    )


def _dask_cells(frame: Any, keys: list[str], weight: str | None) -> pd.DataFrame:
    extra: dict[str, Any] = {_N: 1}
    if weight is not None:
        w = frame[weight].astype("float64")
        extra.update({_W: w, _W2: w * w, _NEG: (w < 0).astype("int64")})
    part = frame[keys].assign(**extra)
    grouped = part.groupby(keys, dropna=False, observed=True).sum(split_out=1)
    out = grouped.compute().reset_index()
    kept: pd.DataFrame = out[out[_N] > 0]
    return kept


def _polars_cells(frame: Any, keys: list[str], weight: str | None) -> pd.DataFrame:
    import polars as pl

    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    aggs = [pl.len().alias(_N)]
    if weight is not None:
        w = pl.col(weight).cast(pl.Float64)
        aggs += [
            w.sum().alias(_W),
            (w * w).sum().alias(_W2),
            (w < 0).cast(pl.Int64).sum().alias(_NEG),
        ]
    # categories as text: a grouped categorical key would come back with every category
    schema = lazy.collect_schema()
    cast = [
        pl.col(k).cast(pl.String) if isinstance(schema[k], pl.Categorical | pl.Enum) else pl.col(k)
        for k in keys
    ]
    out = lazy.group_by(cast).agg(aggs).head(MAX_CELLS + 1).collect()
    return out.to_pandas()


def regression_sums(frame: Any, engine: str, y_true: str, y_pred: str, weight: str | None) -> Sums:
    """The sums of a regression's figures, in one engine aggregation."""
    name = engine_name(engine)
    what = f"the regression sums of {y_true!r} and {y_pred!r}"
    compute = {"spark": _spark_sums, "dask": _dask_sums, "polars": _polars_sums}[engine]
    values = guarded(name, what, lambda: compute(frame, y_true, y_pred, weight))
    return _sums_of(values, y_true, y_pred, weight)


_SUMS = ("w", "abs_err", "sq_err", "y", "y2", "ape", "zeros", "y_min", "y_max", "w2", "neg")
_EPS = 2.220446049250313e-16  # np.finfo(np.float64).eps, scikit-learn's MAPE floor


def _sums_of(values: dict[str, Any], y_true: str, y_pred: str, weight: str | None) -> Sums:
    def num(key: str) -> float:
        value = values.get(key)
        return 0.0 if value is None else float(value)

    infinite = {y_true: int(num("inf_t")), y_pred: int(num("inf_p"))}
    if weight is not None:
        infinite[weight] = int(num("inf_w"))
    return Sums(
        w=num("w"),
        abs_err=num("abs_err"),
        sq_err=num("sq_err"),
        y=num("y"),
        y2=num("y2"),
        ape=num("ape"),
        zeros=int(num("zeros")),
        y_min=None if values.get("y_min") is None else float(values["y_min"]),
        y_max=None if values.get("y_max") is None else float(values["y_max"]),
        w2=num("w2"),
        negative=int(num("neg")),
        infinite=infinite,
    )


def _spark_sums(frame: Any, y_true: str, y_pred: str, weight: str | None) -> dict[str, Any]:
    from pyspark.sql import functions as F

    t, p = frame[y_true].cast("double"), frame[y_pred].cast("double")
    w = F.lit(1.0) if weight is None else frame[weight].cast("double")
    err = t - p
    used = w > 0

    def infinite(c: Any) -> Any:
        return F.sum(F.when(F.abs(c) == float("inf"), 1).otherwise(0))

    aggs = {
        "w": F.sum(w),
        "abs_err": F.sum(w * F.abs(err)),
        "sq_err": F.sum(w * err * err),
        "y": F.sum(w * t),
        "y2": F.sum(w * t * t),
        "ape": F.sum(w * F.abs(err) / F.greatest(F.abs(t), F.lit(_EPS))),
        "zeros": F.sum(F.when((t == 0) & used, 1).otherwise(0)),
        "y_min": F.min(F.when(used, t)),
        "y_max": F.max(F.when(used, t)),
        "w2": F.sum(w * w),
        "neg": F.sum(F.when(w < 0, 1).otherwise(0)),
        "inf_t": infinite(t),
        "inf_p": infinite(p),
        "inf_w": infinite(w),
    }
    row = frame.agg(*[expr.alias(k) for k, expr in aggs.items()]).first()
    return {k: row[k] for k in aggs}


def _pandas_sums(part: pd.DataFrame, y_true: str, y_pred: str, weight: str | None) -> Any:
    """One partition's sums (Dask), as a one-row frame of floats."""
    import numpy as np
    import pandas as pd

    t = part[y_true].to_numpy(dtype=np.float64, na_value=np.nan)
    p = part[y_pred].to_numpy(dtype=np.float64, na_value=np.nan)
    w = (
        np.ones(len(t))
        if weight is None
        else part[weight].to_numpy(dtype=np.float64, na_value=np.nan)
    )
    err = t - p
    used = w > 0
    kept = t[used]
    row = {
        "w": w.sum(),
        "abs_err": np.sum(w * np.abs(err)),
        "sq_err": np.sum(w * err * err),
        "y": np.sum(w * t),
        "y2": np.sum(w * t * t),
        "ape": np.sum(w * np.abs(err) / np.maximum(np.abs(t), _EPS)),
        "zeros": float(np.count_nonzero((t == 0) & used)),
        "y_min": kept.min() if kept.size else np.nan,
        "y_max": kept.max() if kept.size else np.nan,
        "w2": np.sum(w * w),
        "neg": float(np.count_nonzero(w < 0)),
        "inf_t": float(np.count_nonzero(np.isinf(t))),
        "inf_p": float(np.count_nonzero(np.isinf(p))),
        "inf_w": float(np.count_nonzero(np.isinf(w))),
    }
    return pd.DataFrame({k: [float(v)] for k, v in row.items()})


def _dask_sums(frame: Any, y_true: str, y_pred: str, weight: str | None) -> dict[str, Any]:
    import numpy as np

    cols = [y_true, y_pred] + ([weight] if weight is not None else [])
    meta = {k: "f8" for k in (*_SUMS, "inf_t", "inf_p", "inf_w")}
    parts = frame[cols].map_partitions(_pandas_sums, y_true, y_pred, weight, meta=meta)
    table = parts.compute()
    out: dict[str, Any] = {k: float(table[k].sum()) for k in table.columns}
    low, high = table["y_min"].min(), table["y_max"].max()
    out["y_min"] = None if np.isnan(low) else float(low)
    out["y_max"] = None if np.isnan(high) else float(high)
    return out


def _polars_sums(frame: Any, y_true: str, y_pred: str, weight: str | None) -> dict[str, Any]:
    import polars as pl

    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    t, p = pl.col(y_true).cast(pl.Float64), pl.col(y_pred).cast(pl.Float64)
    w = (
        pl.int_range(pl.len()).cast(pl.Float64) * 0.0 + 1.0
        if weight is None
        else pl.col(weight).cast(pl.Float64)
    )
    err = t - p
    used = w > 0
    aggs = {
        "w": w.sum(),
        "abs_err": (w * err.abs()).sum(),
        "sq_err": (w * err * err).sum(),
        "y": (w * t).sum(),
        "y2": (w * t * t).sum(),
        "ape": (w * err.abs() / pl.max_horizontal(t.abs(), pl.lit(_EPS))).sum(),
        "zeros": ((t == 0) & used).cast(pl.Int64).sum(),
        "y_min": t.filter(used).min(),
        "y_max": t.filter(used).max(),
        "w2": (w * w).sum(),
        "neg": (w < 0).cast(pl.Int64).sum(),
        "inf_t": t.is_infinite().cast(pl.Int64).sum(),
        "inf_p": p.is_infinite().cast(pl.Int64).sum(),
        "inf_w": w.is_infinite().cast(pl.Int64).sum(),
    }
    row = lazy.select([expr.alias(k) for k, expr in aggs.items()]).collect().row(0, named=True)
    return dict(row)


def float_spread(frame: Any, engine: str, column: str) -> bool:
    """Whether a float column holds more than two distinct non-null values (how a
    regression is told from float class labels, as ``targets.infer_task`` does), in two
    scans without a shuffle: its extremes, then whether any value lies strictly between."""
    name = engine_name(engine)
    what = f"the distinct values of {column!r}"
    compute = {"spark": _spark_spread, "dask": _dask_spread, "polars": _polars_spread}[engine]
    return bool(guarded(name, what, lambda: compute(frame, column)))


def _spark_spread(frame: Any, column: str) -> bool:
    from pyspark.sql import functions as F

    c = frame[column].cast("double")
    present = frame.filter(c.isNotNull() & ~F.isnan(c))
    low, high = present.agg(F.min(c), F.max(c)).first()
    if low is None or low == high:
        return False
    return bool(present.filter((c > low) & (c < high)).limit(1).count() > 0)


def _dask_spread(frame: Any, column: str) -> bool:
    import dask

    s = frame[column].astype("float64")
    low, high = dask.compute(s.min(), s.max())
    if not low < high:
        return False
    return bool(((s > low) & (s < high)).any().compute())


def _polars_spread(frame: Any, column: str) -> bool:
    import polars as pl

    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    c = pl.col(column).cast(pl.Float64)
    c = pl.when(c.is_nan()).then(None).otherwise(c)
    low, high = lazy.select(c.min().alias("a"), c.max().alias("b")).collect().row(0)
    if low is None or not low < high:
        return False
    inside = lazy.select(((c > low) & (c < high)).any()).collect().item()
    return bool(inside)
