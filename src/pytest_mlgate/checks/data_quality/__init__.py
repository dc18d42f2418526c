"""Data-quality computations: pure functions from a :class:`~pytest_mlgate.tables.Table` and
validated arguments to an :class:`~pytest_mlgate.results.Outcome` (the API is
``families.data.DataChecks``).

- ``common``: validating thresholds, bounds and tokens (bad input raises
  ``MlgateInputError`` naming the argument); example values
- ``schema``: columns, dtypes, row count
- ``cells``: null fractions, missing-value tokens, ranges, allowed sets
- ``keys``: unique keys, duplicate rows, overlap between two tables
- ``leakage``: single-feature leakage (scores from ``stats.leakage``; needs rows)
"""
