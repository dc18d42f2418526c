"""Report size and rendering time: an empty report, and 500 checks.

    python benchmarks/bench_report.py

Goals: an empty audit.html under 100 KB; 500 checks under 1 MB, rendered in under 1 s
(audit.html and model_card.html together, plus the JSON). Medians of 3.
"""

from __future__ import annotations

import statistics
import time

from pytest_mlgate.report.audit import build_document, dumps
from pytest_mlgate.report.html import render_audit, render_model_card
from pytest_mlgate.results import CheckResult

RUN = {
    "time": "2024-01-01T00:00:00+00:00",
    "git": {"commit": "0" * 40, "branch": "main", "dirty": False},
    "python": "3.11",
    "platform": "linux",
    "packages": {"pytest": "9"},
    "pytest_args": [],
    "seed": 0,
}
CATS = ("data_quality", "performance", "fairness", "drift")


def check(i: int) -> dict:
    cat = CATS[i % 4]
    details: dict = {"violations": i, "fraction": i / 500, "examples": [1, 2, 3, 4, 5]}
    interval = None
    if cat == "fairness":
        details |= {
            "kind": "ratio",
            "metric": "selection_rate",
            "groups": {
                g: {
                    "value": 0.1 + 0.05 * j,
                    "n": 100 * (j + 1),
                    "denominator": 100 * (j + 1),
                    "interval": [0.08 + 0.05 * j, 0.12 + 0.05 * j],
                }
                for j, g in enumerate("abcd")
            },
        }
    if cat == "performance":
        interval = [0.8, 0.9]
    if cat == "drift":
        details["columns"] = {
            f"c{j}": {
                "method": "ks",
                "statistic": 0.1,
                "p_value": 0.01,
                "p_adjusted": 0.02,
                "effect": 0.12,
                "drifted": j == 0,
                "histogram": {
                    "edges": list(range(11)),
                    "reference": [0.1] * 10,
                    "current": [0.1] * 10,
                },
            }
            for j in range(5)
        }
    return CheckResult(
        category=cat,
        name=f"check {i}",
        subject="s",
        nodeid=f"tests/test_gate.py::test_{i // 10}",
        status=("passed", "failed", "warned", "insufficient")[i % 4],
        severity="block",
        observed=0.85,
        threshold={"min": 0.8},
        interval=interval,
        message="A sentence a person can act on.",
        details=details,
    ).to_dict()


def document(n: int) -> dict:
    return build_document(
        run=RUN,
        model={"facts": {}, "notes": {}},
        datasets=[],
        checks=[check(i) for i in range(n)],
        partial=False,
        previous_digest=None,
        signing_key=None,
    )


def main() -> None:
    for n in (0, 500):
        doc = document(n)
        times, sizes = [], {}
        for _ in range(3):
            t = time.perf_counter()
            sizes = {
                "audit.html": len(render_audit(doc).encode()),
                "model_card.html": len(render_model_card(doc).encode()),
                "audit.json": len(dumps(doc).encode()),
            }
            times.append(time.perf_counter() - t)
        goal = "< 100 KB" if n == 0 else "< 1 MB, < 1 s"
        print(
            f"{n:4d} checks: rendered in {statistics.median(times):.3f} s; "
            + ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sizes.items())
            + f" (goal {goal})"
        )


if __name__ == "__main__":
    main()
