"""Drift benchmark: pytest-mlgate vs hand-written scipy/numpy vs Evidently's DataDriftPreset.

Run in the benchmark environment (see README-drift.md):

    .bench-venv/bin/python benchmarks/bench_drift.py [10000 100000 1000000] [--no-evidently]

Prints, per size: seconds (median of 3), extra memory (tracemalloc peak) and ratios.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc

import numpy as np
from make_data import CATEGORICAL, FEATURES, NUMERIC, load

REPEATS = 3


def mlgate_check(ref, cur):
    from pytest_mlgate.checks.drift import DriftChecks
    from pytest_mlgate.gate import GateSettings, Recorder, TestRecord

    recorder = Recorder(GateSettings("bench", {}), TestRecord("bench"))
    return DriftChecks(recorder, None, ref, cur, columns=FEATURES).expect_no_drift()


def handwritten(ref, cur):
    """Per-column scipy ks_2samp + numpy PSI (10 reference-quantile bins) + chi-square."""
    from scipy.stats import chi2_contingency, ks_2samp

    out = {}
    for col in NUMERIC:
        a = ref[col].to_numpy(dtype=float)
        b = cur[col].to_numpy(dtype=float)
        ks = ks_2samp(a, b)
        edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
        ra = np.bincount(np.searchsorted(edges, a, side="left"), minlength=edges.size + 1)
        rb = np.bincount(np.searchsorted(edges, b, side="left"), minlength=edges.size + 1)
        pa = np.clip(ra / ra.sum(), 1e-4, None)
        pb = np.clip(rb / rb.sum(), 1e-4, None)
        out[col] = (ks.pvalue, float(np.sum((pb - pa) * np.log(pb / pa))))
    for col in CATEGORICAL:
        a, b = ref[col].value_counts(), cur[col].value_counts()
        cats = sorted(set(a.index) | set(b.index))
        table = np.array([[a.get(c, 0) for c in cats], [b.get(c, 0) for c in cats]])
        out[col] = chi2_contingency(table).pvalue
    return out


def evidently_run(ref, cur):
    from evidently import Report
    from evidently.presets import DataDriftPreset

    return Report([DataDriftPreset()]).run(reference_data=ref[FEATURES], current_data=cur[FEATURES])


def measure(fn, *args, repeats=REPEATS):
    times, peaks = [], []
    for _ in range(repeats):
        tracemalloc.start()
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return statistics.median(times), statistics.median(peaks)


def frame_bytes(df):
    return int(df[FEATURES].memory_usage(deep=True, index=False).sum())


def main(argv):
    with_evidently = "--no-evidently" not in argv
    sizes = [int(a) for a in argv if a.isdigit()] or [10_000, 100_000, 1_000_000]
    from pytest_mlgate import Profile

    print(
        f"{'rows':>9} {'what':<26} {'seconds':>9} {'extra MiB':>10} {'vs scipy':>9} "
        f"{'vs Evidently':>12}"
    )
    for n in sizes:
        ref, cur = load(n)
        ref, cur = ref[FEATURES], cur[FEATURES]
        mlgate_check(ref.iloc[:1000], cur.iloc[:1000])  # warm imports
        size = frame_bytes(ref) + frame_bytes(cur)
        result = mlgate_check(ref, cur)
        assert sorted(result.details["drifted"]) == sorted(
            ["num_00", "num_03", "num_09", "num_15", "cat_2"]
        ), result.details["drifted"]
        t0 = time.perf_counter()
        profile = Profile.from_frame(ref)
        build = time.perf_counter() - t0
        rows = {
            "mlgate (raw reference)": measure(mlgate_check, ref, cur),
            "mlgate (profile)": measure(mlgate_check, profile, cur),
            "scipy/numpy by hand": measure(handwritten, ref, cur),
        }
        if with_evidently:
            reps = 1 if n >= 1_000_000 else REPEATS
            handwritten(ref.iloc[:1000], cur.iloc[:1000])
            evidently_run(ref.iloc[:2000], cur.iloc[:2000])
            rows[f"Evidently DataDrift (x{reps})"] = measure(evidently_run, ref, cur, repeats=reps)
        hand = rows["scipy/numpy by hand"][0]
        evid = next((v[0] for k, v in rows.items() if k.startswith("Evidently")), None)
        for what, (sec, peak) in rows.items():
            ratio_e = f"{evid / sec:11.1f}x" if evid else "          -"
            print(
                f"{n:>9,} {what:<26} {sec:9.3f} {peak / 2**20:10.1f} {hand / sec:8.2f}x {ratio_e}"
            )
        print(
            f"{n:>9,} frames: {size / 2**20:.1f} MiB (half: {size / 2**21:.1f}); profile "
            f"built in {build:.3f} s, {len(profile_text(profile)) / 1024:.0f} KiB JSON"
        )
        sys.stdout.flush()


def profile_text(profile):
    import json

    return json.dumps(profile.to_json(), sort_keys=True, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
