"""Drift computations: ``inputs`` (the two sides and the arguments, validated), ``figures``
(every figure of a column, computed once) and ``verdicts`` (the checks' rules and messages).
The API the fixture returns is ``families.drift.DriftChecks``."""
