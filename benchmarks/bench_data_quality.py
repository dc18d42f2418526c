"""Data-quality checks on 1,000,000 rows: pytest-mlgate vs the same checks in plain pandas
(and pandera, when it is installed in the benchmark environment), plus the dataset fingerprint.

    python benchmarks/bench_data_quality.py [N]          # default N = 1_000_000
    .bench-venv/bin/python benchmarks/bench_data_quality.py   # adds pandera

Every figure is the median of 3 runs; the ratio against plain pandas measured in the same run
is the goal that counts (within 1.2x), and the fingerprint should take <= 0.3 s at 1M x 25.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_data import CATEGORICAL, FEATURES, NUMERIC, NUMERIC_RANGES, cat_levels, load  # noqa: E402

from pytest_mlgate.checks.data_quality import DataChecks  # noqa: E402
from pytest_mlgate.frames import _FINGERPRINTS, fingerprint  # noqa: E402
from pytest_mlgate.gate import GateSettings, Recorder, TestRecord  # noqa: E402

COLUMNS = [*FEATURES, "sensitive", "target", "score", "prediction"]
DTYPES = {c: "float" for c in NUMERIC[:14]} | {c: "integer" for c in NUMERIC[14:]}
ALLOWED = {c: cat_levels(i) for i, c in enumerate(CATEGORICAL)}


def median_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def plain_pandas(df) -> dict:
    """The same checks, written directly in pandas."""
    import pandas as pd

    out = {}
    out["columns"] = [c for c in COLUMNS if c not in df.columns]
    out["dtypes"] = [
        c
        for c, k in DTYPES.items()
        if not (
            pd.api.types.is_float_dtype(df[c])
            if k == "float"
            else pd.api.types.is_integer_dtype(df[c])
        )
    ]
    out["rows"] = len(df) >= 1000
    out["nulls"] = df.isna().sum().max() / len(df)
    for c, (lo, hi) in NUMERIC_RANGES.items():
        s = df[c]
        out[f"between {c}"] = ((s < lo) | (s > hi)).sum() / s.notna().sum()
    for c, allowed in ALLOWED.items():
        s = df[c]
        out[f"in {c}"] = (~s.isin(allowed) & s.notna()).sum() / s.notna().sum()
    out["duplicates"] = int(df.duplicated().sum())
    return out


def mlgate_checks(df) -> list:
    recorder = Recorder(GateSettings(nodeid="bench", markers={}), TestRecord("bench"))
    dq = DataChecks(recorder, df, name="bench")
    results = [
        dq.expect_columns(COLUMNS),
        dq.expect_dtypes(DTYPES),
        dq.expect_row_count(min=1000),
        dq.expect_not_null(),
    ]
    for c, (lo, hi) in NUMERIC_RANGES.items():
        results.append(dq.expect_between(c, min=lo, max=hi))
    for c, allowed in ALLOWED.items():
        results.append(dq.expect_values_in(c, allowed))
    results.append(dq.expect_no_duplicate_rows())
    errors = [r for r in results if r.status == "error"]
    assert not errors, errors[0].message
    return results


def pandera_checks(df):
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(
        {
            **{
                c: pa.Column(
                    float if DTYPES.get(c) == "float" else int,
                    pa.Check.in_range(*NUMERIC_RANGES[c]),
                    nullable=False,
                )
                for c in NUMERIC
            },
            **{c: pa.Column(str, pa.Check.isin(ALLOWED[c]), nullable=False) for c in CATEGORICAL},
        },
        unique=None,
    )
    schema.validate(df, lazy=True)
    return int(df.duplicated().sum())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    df, _ = load(n)
    print(f"data-quality benchmark: {n:,} rows x {df.shape[1]} columns, medians of 3")
    t_pandas = median_time(lambda: plain_pandas(df))
    t_mlgate = median_time(lambda: mlgate_checks(df))
    print(f"  plain pandas      {t_pandas:7.3f} s")
    print(
        f"  pytest-mlgate     {t_mlgate:7.3f} s   ratio to pandas {t_mlgate / t_pandas:.2f}x "
        f"(goal <= 1.2x)"
    )
    try:
        import pandera  # noqa: F401
    except ImportError:
        print("  pandera           not installed (see benchmarks/README.md for the bench venv)")
    else:
        t_pandera = median_time(lambda: pandera_checks(df))
        print(
            f"  pandera           {t_pandera:7.3f} s   ratio to pandas {t_pandera / t_pandas:.2f}x"
            f"; mlgate is {t_pandera / t_mlgate:.1f}x faster"
        )

    def fresh_fingerprint():
        _FINGERPRINTS.clear()
        return fingerprint(df)

    wide = df[FEATURES]

    def fingerprint_25():
        _FINGERPRINTS.clear()
        return fingerprint(wide)

    t_fp = median_time(fingerprint_25)
    t_fp_all = median_time(fresh_fingerprint)
    t_cached = median_time(lambda: fingerprint(df))
    print(
        f"  fingerprint 1M x 25 feature columns {t_fp:.3f} s (goal <= 0.3 s); "
        f"all {df.shape[1]} columns {t_fp_all:.3f} s; cached {t_cached * 1e6:.1f} us"
    )


if __name__ == "__main__":
    main()
