"""Coverage of the gate's intervals and false alarms of its drift checks, by simulation.

Run by hand (minutes); a seeded, reduced version runs in the test suite
(``tests/test_statistics.py``). Results and the choices they justify: ``docs/statistics.md``.

*Gate false pass*: the share of simulated data sets on which a check with ``confidence=0.95``
passes although the true value sits exactly on the bar (``min=truth`` for a figure where
greater is better, ``max=truth`` otherwise): nominal 2.5%, the bar of issue 12 is 3.5%.
*Coverage*: the share of reported intervals holding the true value (nominal 95%). A method
the gate refuses on a data set (``error``) or cannot judge (``insufficient``) counts in
*refused*, not as a pass. The ``raw`` rows are the plain bootstrap intervals computed the way
the gate did before issue 12 (percentile, and BCa without the small-sample expansion), so the
tables show before and after side by side.

Drift: *false alarm* is the share of identically distributed data sets that a check fails
(nominal: alpha = 0.05); *insufficient* the share it refuses to judge; *power* the share of
shifted data sets it fails (numeric: a location shift of 0.2 sd; binary: a share going from 0.6
to 0.7).

Usage::

    python benchmarks/coverage.py                     # everything (about 25 minutes, 2 cores)
    python benchmarks/coverage.py --part performance --scale 0.5
    python benchmarks/coverage.py --part drift
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.card import Card
from pytest_mlgate.gate import Gate
from pytest_mlgate.recording import GateSettings, Recorder, TestRecord

PI, MU, CUT = 0.3, 1.2, 0.8  # prevalence, score separation, label threshold
SIZES = (100, 500, 5000)
DRIFT_SIZES = (50, 500, 5000, 100_000)


def gate(tag: str) -> Gate:
    """What the ``mlgate`` fixture returns, for a test named ``coverage::<tag>``."""
    recorder = Recorder(GateSettings(nodeid=f"coverage::{tag}", markers={}), TestRecord(tag))
    return Gate(recorder, Card({}, recorder))


# -- performance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A metric on a data-generating process with a known (or very accurately known) truth."""

    metric: str
    family: str
    draw: Callable[[np.random.Generator, int], dict[str, Any]]
    greater_is_better: bool = True


def _binary(rng: np.random.Generator, n: int, prevalence: float = PI) -> dict[str, Any]:
    y = (rng.random(n) < prevalence).astype(int)
    s = rng.normal(MU * y, 1.0)
    logit = MU * s - MU * MU / 2 + math.log(prevalence / (1 - prevalence))
    return {"y_true": y, "y_score": 1 / (1 + np.exp(-logit)), "y_pred": (s > CUT).astype(int)}


def _near_one(rng: np.random.Generator, n: int) -> dict[str, Any]:
    """A recall of 0.92 on about n / 5 positives (issue 12's boundary case)."""
    y = (rng.random(n) < 0.2).astype(int)
    pred = np.where(y == 1, rng.random(n) < 0.92, rng.random(n) < 0.1).astype(int)
    return {"y_true": y, "y_pred": pred}


def _regression(rng: np.random.Generator, n: int) -> dict[str, Any]:
    x = rng.normal(size=n)
    return {"y_true": x + rng.normal(size=n), "y_pred": x}


SCENARIOS = {
    "recall": Scenario("recall", "proportion", _binary),
    "accuracy": Scenario("accuracy", "proportion", _binary),
    "recall near 1": Scenario("recall", "proportion", _near_one),
    "roc_auc": Scenario("roc_auc", "ranking", _binary),
    "average_precision": Scenario("average_precision", "ranking", _binary),
    "f1": Scenario("f1", "composite label metric", _binary),
    "balanced_accuracy": Scenario("balanced_accuracy", "composite label metric", _binary),
    "log_loss": Scenario("log_loss", "mean loss", _binary, greater_is_better=False),
    "mae": Scenario("mae", "regression", _regression, greater_is_better=False),
}


def truths() -> dict[str, float]:
    """Population values, exact: closed forms, and for average precision and log loss a
    quadrature over the score (with ``S1``, ``S0`` the score's survival functions given the
    class, precision at a cut s is ``pi S1 / (pi S1 + (1 - pi) S0)``, average precision its
    mean over the positives' scores, and log loss the conditional entropy of the calibrated
    probability)."""
    from scipy.stats import norm

    tpr = 1 - norm.cdf(CUT - MU)
    fpr = 1 - norm.cdf(CUT)
    precision = PI * tpr / (PI * tpr + (1 - PI) * fpr)
    s = np.linspace(-12.0, 14.0, 400_001)
    ds = s[1] - s[0]
    f1, f0 = norm.pdf(s - MU), norm.pdf(s)
    s1, s0 = norm.sf(s - MU), norm.sf(s)
    prec = PI * s1 / (PI * s1 + (1 - PI) * s0)
    p1 = 1 / (1 + np.exp(-(MU * s - MU * MU / 2 + math.log(PI / (1 - PI)))))
    loss = PI * f1 * -np.log(p1) + (1 - PI) * f0 * -np.log1p(-p1)
    return {
        "recall": float(tpr),
        "accuracy": float(PI * tpr + (1 - PI) * (1 - fpr)),
        "recall near 1": 0.92,
        "roc_auc": float(norm.cdf(MU / math.sqrt(2))),
        "average_precision": float(np.sum(f1 * prec) * ds),
        "f1": float(2 * precision * tpr / (precision + tpr)),
        "balanced_accuracy": float((tpr + 1 - fpr) / 2),
        "log_loss": float(np.sum(loss) * ds),
        "mae": math.sqrt(2 / math.pi),
    }


def raw_intervals(
    metric: str, data: dict[str, Any], seed: int, methods: tuple[str, ...] = ("percentile", "bca")
) -> dict[str, list[float]]:
    """The plain percentile and BCa intervals (no expansion, no refusal): the gate before."""
    from pytest_mlgate.metrics import REGISTRY
    from pytest_mlgate.stats.bootstrap import bootstrap_values, jackknife_values
    from pytest_mlgate.stats.intervals import interval
    from pytest_mlgate.stats.metric_statistics import statistic_for

    m = REGISTRY[metric]
    y = data["y_score"] if m.needs == "scores" else data["y_pred"]
    stat = statistic_for(m, data["y_true"], y)
    est = float(m.compute(data["y_true"], y))
    ss = np.random.SeedSequence(seed)
    values = bootstrap_values(stat, 1000, ss)
    jack = jackknife_values(stat, np.random.SeedSequence([seed, 1])) if "bca" in methods else None
    out = {}
    for method in methods:
        ci = interval(values, 0.95, method=method, estimate=est, jackknife=jack)
        out[f"raw {method}"] = [ci.low, ci.high]
    return out


def performance_table(
    names: list[str],
    sizes: tuple[int, ...],
    reps: dict[int, int],
    seed: int = 0,
    methods: tuple[str, ...] = ("auto", "percentile", "bca"),
    raw: tuple[str, ...] = ("percentile", "bca"),
) -> list[dict[str, Any]]:
    """One row per (scenario, n, method): coverage, gate false pass, refused share (the gate
    refused the method, or found no interval). ``raw`` adds the plain bootstrap intervals;
    the method ``default`` passes no ``ci_method`` (what a user gets)."""
    truth = truths()
    rows = []
    for name in names:
        sc = SCENARIOS[name]
        bar = truth[name]
        rule = "min" if sc.greater_is_better else "max"
        for n in sizes:
            rng = np.random.default_rng([seed, n, len(name)])
            tally: dict[str, list[int]] = {}
            for r in range(reps[n]):
                data = sc.draw(rng, n)
                if len(np.unique(data["y_true"])) < 2 and sc.family != "regression":
                    continue
                results: dict[str, tuple[str, list[float] | None]] = {}
                for method in methods:
                    perf = gate(f"{name}-{n}-{r}").performance(**data)
                    how = {} if method == "default" else {"ci_method": method}
                    res = perf.expect(sc.metric, **{rule: bar}, confidence=0.95, **how)
                    judged = res.status in ("passed", "failed")
                    used = res.details.get("ci_method") if judged else "refused"
                    results[f"{method} ({used})"] = (res.status, res.interval)
                raw_cis = raw_intervals(sc.metric, data, seed * 7919 + r, raw) if raw else {}
                for method, ci in raw_cis.items():
                    judged = ci[0] if sc.greater_is_better else ci[1]
                    ok = judged >= bar if sc.greater_is_better else judged <= bar
                    results[method] = ("passed" if ok else "failed", ci)
                for method, (status, ci) in results.items():
                    key = _method_key(method)
                    t = tally.setdefault(key, [0, 0, 0, 0])
                    t[0] += 1
                    if status in ("passed", "failed"):
                        t[1] += status == "passed"
                        t[2] += ci is not None and ci[0] <= bar <= ci[1]
                    else:
                        t[3] += 1
            for method, (total, passed, covered, refused) in sorted(tally.items()):
                judged = total - refused
                rows.append(
                    {
                        "scenario": name,
                        "family": sc.family,
                        "n": n,
                        "method": method,
                        "reps": total,
                        "false_pass": passed / total if total else math.nan,
                        "coverage": covered / judged if judged else math.nan,
                        "refused": refused / total if total else math.nan,
                    }
                )
    return rows


def _method_key(label: str) -> str:
    """``auto (clopper_pearson)`` stays; refusal labels fold into the requested method."""
    if label.startswith("raw"):
        return label
    requested, used = label.split(" ", 1)
    used = used.strip("()")
    if used == "refused":
        return f"{requested} (refused)"
    return f"{requested} -> {used.split(' ')[0]}"


# -- fairness ------------------------------------------------------------------------------


def fairness_table(
    sizes: tuple[int, ...], reps: dict[int, int], seed: int = 0
) -> list[dict[str, Any]]:
    """Four groups with selection rates 0.40, 0.45, 0.45, 0.50 (difference 0.10, ratio 0.80),
    judged at exactly those bars; and the per-group minimum of the rates at 0.40."""
    from pytest_mlgate.stats import groups as gstats
    from pytest_mlgate.stats.intervals import interval

    rates = np.array([0.40, 0.45, 0.45, 0.50])
    rows = []
    for n in sizes:
        rng = np.random.default_rng([seed, n, 99])
        tally: dict[str, list[int]] = {}
        for r in range(reps[n]):
            g = rng.integers(0, 4, n)
            pred = (rng.random(n) < rates[g]).astype(int)
            y = rng.integers(0, 2, n)
            sens = pd.Series(np.array(list("abcd"))[g], name="g")
            out: dict[str, tuple[str, list[float] | None, float]] = {}
            for kind, bar in (("difference", 0.10), ("ratio", 0.80)):
                for method in ("auto", "bca"):
                    fair = gate(f"f{n}-{r}").fairness(
                        y, pred, sensitive_features=sens, min_group_size=1
                    )
                    call = fair.expect_difference if kind == "difference" else fair.expect_ratio
                    arg = {"max": bar} if kind == "difference" else {"min": bar}
                    res = call("selection_rate", **arg, confidence=0.95, ci_method=method)
                    label = f"{kind}: {method}" + (" (refused)" if res.status == "error" else "")
                    out[label] = (res.status, res.interval, bar)
                # the gate before issue 12: BCa on the folded figure
                counts = gstats.confusion_counts(g, 4, y == 1, pred == 1)
                boot = gstats.bootstrap_counts(counts, 1000, np.random.default_rng([seed, r, n]))
                v = gstats.rate(boot, ("tp", "fp"), ("tp", "fp", "fn", "tn"))[0]
                o = gstats.rate(boot.sum(axis=-2), ("tp", "fp"), ("tp", "fp", "fn", "tn"))[0]
                tables, weights = gstats.jackknife_counts(counts)
                jv = gstats.rate(tables, ("tp", "fp"), ("tp", "fp", "fn", "tn"))[0]
                jo = gstats.rate(tables.sum(axis=-2), ("tp", "fp"), ("tp", "fp", "fn", "tn"))[0]
                point = gstats.rate(counts, ("tp", "fp"), ("tp", "fp", "fn", "tn"))[0]
                po = gstats.rate(counts.sum(axis=0), ("tp", "fp"), ("tp", "fp", "fn", "tn"))[0]
                est = float(gstats.disparity(point, po, kind, "between_groups"))
                reps_v = gstats.disparity(v, o, kind, "between_groups")
                jack = gstats.disparity(jv, jo, kind, "between_groups")
                ci = interval(
                    reps_v,
                    0.95,
                    method="bca",
                    estimate=est,
                    jackknife=jack,
                    jackknife_weights=weights,
                ).bounds
                assert ci is not None
                judged = ci[1] <= bar if kind == "difference" else ci[0] >= bar
                out[f"{kind}: raw bca"] = ("passed" if judged else "failed", ci, bar)
            for label, (status, ci, bar) in out.items():
                t = tally.setdefault(label, [0, 0, 0, 0])
                t[0] += 1
                if status in ("passed", "failed"):
                    t[1] += status == "passed"
                    t[2] += ci is not None and ci[0] <= bar <= ci[1]
                else:
                    t[3] += 1
        for label, (total, passed, covered, refused) in sorted(tally.items()):
            judged = total - refused
            rows.append(
                {
                    "scenario": label.split(":")[0],
                    "family": "fairness",
                    "n": n,
                    "method": label.split(": ")[1],
                    "reps": total,
                    "false_pass": passed / total,
                    "coverage": covered / judged if judged else math.nan,
                    "refused": refused / total,
                }
            )
    return rows


# -- drift ---------------------------------------------------------------------------------


def drift_table(
    sizes: tuple[int, ...], reps: dict[int, int], seed: int = 0, shifted: bool = False
) -> list[dict[str, Any]]:
    """Per method and n: failed share (false alarm, or power when ``shifted``) and
    insufficient share, on one numeric N(0, 1) column and one binary column (share 0.6)
    judged separately; reference and current of n rows each."""
    rows = []
    for n in sizes:
        rng = np.random.default_rng([seed, n, 7, shifted])
        tally: dict[str, list[int]] = {}
        for r in range(reps[n]):
            shift = 0.2 if shifted else 0.0
            ref = pd.DataFrame({"x": rng.normal(size=n), "b": (rng.random(n) < 0.6).astype(str)})
            cur = pd.DataFrame(
                {
                    "x": rng.normal(shift, 1.0, size=n),
                    "b": (rng.random(n) < (0.7 if shifted else 0.6)).astype(str),
                }
            )
            drift = gate(f"d{n}-{r}").drift(ref, cur)
            for col in ("x", "b"):
                for method in ("auto", "ks", "chi2", "psi", "jensen_shannon", "wasserstein"):
                    if (method in ("ks", "wasserstein") and col == "b") or (
                        method == "chi2" and col == "x"
                    ):
                        continue
                    res = drift.expect_column(col, method)
                    t = tally.setdefault(f"{col}:{method}", [0, 0, 0])
                    t[0] += 1
                    t[1] += res.status == "failed"
                    t[2] += res.status == "insufficient"
        for label, (total, failed, thin) in sorted(tally.items()):
            col, method = label.split(":")
            rows.append(
                {
                    "column": "numeric" if col == "x" else "binary",
                    "method": method,
                    "n": n,
                    "reps": total,
                    "failed": failed / total,
                    "insufficient": thin / total,
                }
            )
    return rows


# -- profiles ------------------------------------------------------------------------------


def profile_agreement(n: int = 1_000_000, seed: int = 0) -> list[dict[str, Any]]:
    """Null data from heavy-tailed distributions: normalised Wasserstein and the ``auto``
    verdict against the raw reference, a profile of it, and a profile merged from 4 batches."""
    from pytest_mlgate.profile import Profile

    rng = np.random.default_rng(seed)
    rows = []
    for name, draw in (
        ("lognormal sigma=2", lambda k: rng.lognormal(0.0, 2.0, k)),
        ("pareto 2.5", lambda k: rng.pareto(2.5, k) + 1.0),
    ):
        ref = pd.DataFrame({"x": draw(n)})
        cur = pd.DataFrame({"x": draw(n)})
        whole = Profile.from_frame(ref)
        merged = Profile.from_batches(ref.iloc[i : i + n // 4] for i in range(0, n, n // 4))
        for label, reference in (("raw", ref), ("profile", whole), ("merged profile", merged)):
            res = gate(name).drift(reference, cur).expect_no_drift()
            col = res.details["columns"]["x"]
            rows.append(
                {
                    "distribution": name,
                    "reference": label,
                    "wasserstein_over_sd": col["effect"],
                    "ks": col["statistic"],
                    "status": res.status,
                }
            )
    return rows


# -- printing ------------------------------------------------------------------------------


def _print(rows: list[dict[str, Any]], columns: list[str]) -> None:
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        cells = []
        for c in columns:
            v = row[c]
            if isinstance(v, float) and c not in ("wasserstein_over_sd", "ks"):
                cells.append("-" if math.isnan(v) else f"{100 * v:.1f}%")
            elif isinstance(v, float):
                cells.append(f"{v:.4g}")
            else:
                cells.append(str(v))
        print("| " + " | ".join(cells) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["performance", "fairness", "drift", "profile", "all"])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the replications")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    part = args.part or "all"
    scale = args.scale
    start = time.perf_counter()
    if part in ("performance", "all"):
        reps = {100: int(1000 * scale), 500: int(500 * scale), 5000: int(400 * scale)}
        print(f"## Performance: gate false pass (nominal 2.5%), replications {reps}\n")
        rows = performance_table(list(SCENARIOS), SIZES, reps, args.seed)
        _print(
            rows, ["scenario", "family", "n", "method", "reps", "false_pass", "coverage", "refused"]
        )
    if part in ("fairness", "all"):
        reps = {
            100: int(600 * scale),
            200: int(600 * scale),
            500: int(400 * scale),
            5000: int(200 * scale),
        }
        print(f"## Fairness: 4 groups, gate false pass (nominal 2.5%), replications {reps}\n")
        rows = fairness_table((100, 200, 500, 5000), reps, args.seed)
        _print(rows, ["scenario", "n", "method", "reps", "false_pass", "coverage", "refused"])
    if part in ("drift", "all"):
        reps = {
            50: int(400 * scale),
            500: int(400 * scale),
            5000: int(200 * scale),
            100_000: int(40 * scale),
        }
        print(f"## Drift: false alarm on identical distributions (alpha 0.05), {reps}\n")
        _print(
            drift_table(DRIFT_SIZES, reps, args.seed),
            ["column", "method", "n", "reps", "failed", "insufficient"],
        )
        print("## Drift: power (numeric +0.2 sd; binary 0.6 -> 0.7)\n")
        _print(
            drift_table(DRIFT_SIZES, reps, args.seed, shifted=True),
            ["column", "method", "n", "reps", "failed", "insufficient"],
        )
    if part in ("profile", "all"):
        print("## Profiles: null data at 1M rows, raw vs profile\n")
        _print(
            profile_agreement(),
            ["distribution", "reference", "wasserstein_over_sd", "ks", "status"],
        )
    print(f"(took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
