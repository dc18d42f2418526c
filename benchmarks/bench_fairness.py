"""Fairness checks against fairlearn, in one run (medians of 3).

1. Point figures at 1,000,000 rows, 4 groups: fairlearn's MetricFrame of four rates plus
   ``demographic_parity_difference`` and ``equalized_odds_difference``, against the equivalent
   mlgate checks (one ``mlgate.fairness`` object: four per-group rate checks, demographic parity,
   equalized odds). The figures must be equal. Goal: >= 50x faster.
2. Intervals at 100,000 rows with 100 resamples: fairlearn's MetricFrame of the same four rates
   with ``n_boot=100`` and ``difference_ci()``, against the four mlgate difference checks with
   ``confidence=0.95, n_boot=100`` (group-stratified bootstrap). Goal: >= 50x faster.
   fairlearn's side takes minutes, so it runs ``--interval-repeat`` times (default 1); mlgate's
   side is the median of ``--repeat``.

Usage::

    python benchmarks/bench_fairness.py            # both parts
    python benchmarks/bench_fairness.py --rows 100000 --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from make_data import PREDICTION, SENSITIVE, TARGET, generate

RATES = ["selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate"]
GOAL = 50.0


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def frame(n: int) -> tuple[np.ndarray, np.ndarray, Any]:
    df = generate(n, "ref")[[SENSITIVE, TARGET, PREDICTION]]
    return df[TARGET].to_numpy(), df[PREDICTION].to_numpy(), df[SENSITIVE]


def gate_checks(y: np.ndarray, pred: np.ndarray, sensitive: Any) -> Any:
    from pytest_mlgate.card import Card
    from pytest_mlgate.gate import Gate
    from pytest_mlgate.recording import GateSettings, Recorder, TestRecord

    nodeid = "benchmarks/bench_fairness.py::bench"
    recorder = Recorder(GateSettings(nodeid=nodeid, markers={}), TestRecord(nodeid=nodeid))
    return Gate(recorder, Card({}, recorder)).fairness(y, pred, sensitive_features=sensitive)


def fairlearn_metrics() -> dict[str, Any]:
    from fairlearn import metrics as fm

    return {name: getattr(fm, name) for name in RATES}


def point(n: int, repeat: int) -> bool:
    from fairlearn import metrics as fm

    y, pred, sensitive = frame(n)

    def theirs() -> dict[str, Any]:
        mf = fm.MetricFrame(
            metrics=fairlearn_metrics(), y_true=y, y_pred=pred, sensitive_features=sensitive
        )
        return {
            "by_group": {name: mf.by_group[name].to_dict() for name in RATES},
            "dp": fm.demographic_parity_difference(y, pred, sensitive_features=sensitive),
            "eo": fm.equalized_odds_difference(y, pred, sensitive_features=sensitive),
        }

    def ours() -> dict[str, Any]:
        fair = gate_checks(y, pred, sensitive)
        by_group = {}
        for name in RATES:
            result = fair.expect_group_metric(name, min=0.0)
            by_group[name] = {g: v["value"] for g, v in result.details["groups"].items()}
        return {
            "by_group": by_group,
            "dp": fair.expect_demographic_parity(max_difference=0.1).observed,
            "eo": fair.expect_equalized_odds(max_difference=0.1).observed,
        }

    t_ours, mine = timed(ours, repeat)
    t_theirs, ref = timed(theirs, repeat)
    worst = max(
        [abs(mine["dp"] - ref["dp"]), abs(mine["eo"] - ref["eo"])]
        + [abs(mine["by_group"][m][g] - v) for m in RATES for g, v in ref["by_group"][m].items()]
    )
    equal = worst <= 1e-12
    ratio = t_theirs / t_ours
    print(f"point figures, {n:,} rows, 4 groups (4 rates + demographic parity + equalized odds)")
    print(f"  fairlearn MetricFrame + dp + eo : {t_theirs:8.3f} s")
    print(f"  mlgate fairness checks          : {t_ours:8.3f} s")
    print(
        f"  ratio {ratio:7.1f}x (goal >= {GOAL:g}x)   equal values: {equal} "
        f"(largest difference {worst:.1e})"
    )
    return equal and ratio >= GOAL


def intervals(n: int, n_boot: int, repeat: int, their_repeat: int) -> bool:
    from fairlearn import metrics as fm

    y, pred, sensitive = frame(n)

    def theirs() -> dict[str, Any]:
        mf = fm.MetricFrame(
            metrics=fairlearn_metrics(),
            y_true=y,
            y_pred=pred,
            sensitive_features=sensitive,
            n_boot=n_boot,
            ci_quantiles=[0.025, 0.975],
            random_state=0,
        )
        low, high = mf.difference_ci()
        return {name: (float(low[name]), float(high[name])) for name in RATES}

    def ours() -> dict[str, Any]:
        fair = gate_checks(y, pred, sensitive)
        out = {}
        for name in RATES:
            result = fair.expect_difference(name, max=1.0, confidence=0.95, n_boot=n_boot)
            out[name] = tuple(result.interval)
        return out

    t_ours, mine = timed(ours, repeat)
    t_theirs, ref = timed(theirs, their_repeat)
    ratio = t_theirs / t_ours
    print(f"intervals, {n:,} rows, {n_boot} resamples, 4 rate differences")
    print(f"  fairlearn MetricFrame(n_boot)   : {t_theirs:8.3f} s  (runs: {their_repeat})")
    print(f"  mlgate (group-stratified)       : {t_ours:8.3f} s")
    print(f"  ratio {ratio:7.1f}x (goal >= {GOAL:g}x)")
    for name in RATES:
        print(
            f"  {name:<22} fairlearn [{ref[name][0]:.4f}, {ref[name][1]:.4f}]"
            f"  mlgate [{mine[name][0]:.4f}, {mine[name][1]:.4f}]"
        )
    return ratio >= GOAL


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--interval-rows", type=int, default=100_000)
    parser.add_argument("--n-boot", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--interval-repeat", type=int, default=1)
    args = parser.parse_args()
    ok = point(args.rows, args.repeat)
    ok = intervals(args.interval_rows, args.n_boot, args.repeat, args.interval_repeat) and ok
    print("goals met" if ok else "goals NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
