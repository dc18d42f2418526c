"""Drift benchmark: pytest-mlgate vs hand-written scipy/numpy vs Evidently's DataDriftPreset.

Run in the benchmark environment (see README-drift.md):

    .bench-venv/bin/python benchmarks/bench_drift.py [10000 100000 1000000] [--no-evidently]
        [--columns]

Prints the machine (CPU model, numpy's SIMD features, load), then per size: seconds (median of
3 runs without tracemalloc, which slows Python-level code by up to 15x; the contenders run in
turn, so load hits them alike), extra memory (tracemalloc peak of one more run) and ratios, and
the load average before and after. ``--columns`` adds the raw-reference check on 5, 10 and 20
numeric columns at the largest size (cost per column).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc

import numpy as np
from machine import describe
from make_data import CATEGORICAL, FEATURES, NUMERIC, load

REPEATS = 3


def mlgate_check(ref, cur, columns=FEATURES):
    from pytest_mlgate.families.drift import DriftChecks
    from pytest_mlgate.recording import GateSettings, Recorder, TestRecord

    recorder = Recorder(GateSettings("bench", {}), TestRecord("bench"))
    return DriftChecks(recorder, ref, cur, columns=columns).expect_no_drift()


def handwritten(ref, cur, columns=FEATURES):
    """Per-column scipy ks_2samp + numpy PSI (10 reference-quantile bins) + chi-square."""
    from scipy.stats import chi2_contingency, ks_2samp

    out = {}
    for col in [c for c in NUMERIC if c in columns]:
        a = ref[col].to_numpy(dtype=float)
        b = cur[col].to_numpy(dtype=float)
        ks = ks_2samp(a, b)
        edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
        ra = np.bincount(np.searchsorted(edges, a, side="left"), minlength=edges.size + 1)
        rb = np.bincount(np.searchsorted(edges, b, side="left"), minlength=edges.size + 1)
        pa = np.clip(ra / ra.sum(), 1e-4, None)
        pb = np.clip(rb / rb.sum(), 1e-4, None)
        out[col] = (ks.pvalue, float(np.sum((pb - pa) * np.log(pb / pa))))
    for col in [c for c in CATEGORICAL if c in columns]:
        a, b = ref[col].value_counts(), cur[col].value_counts()
        cats = sorted(set(a.index) | set(b.index))
        table = np.array([[a.get(c, 0) for c in cats], [b.get(c, 0) for c in cats]])
        out[col] = chi2_contingency(table).pvalue
    return out


def evidently_run(ref, cur):
    from evidently import Report
    from evidently.presets import DataDriftPreset

    return Report([DataDriftPreset()]).run(reference_data=ref[FEATURES], current_data=cur[FEATURES])


def interleaved(fns, repeats=REPEATS):
    """Median seconds of each ``(fn, args)``, run in turn ``repeats`` times, so that the load of
    a shared machine hits every contender alike; then one tracemalloc run of each."""
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, (fn, args) in fns.items():
            t0 = time.perf_counter()
            fn(*args)
            times[name].append(time.perf_counter() - t0)
    out = {}
    for name, (fn, args) in fns.items():
        tracemalloc.start()
        fn(*args)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out[name] = (statistics.median(times[name]), peak)
    return out


def measure(fn, *args, repeats=REPEATS, **kwargs):
    """(median seconds of ``repeats`` plain runs, tracemalloc peak bytes of one more run)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak


def sort_once(ref, cur):
    """The floor of any exact KS: sort every numeric column of both frames once."""
    for frame in (ref, cur):
        for col in NUMERIC:
            np.sort(frame[col].to_numpy(dtype=float))


def load_average():
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def frame_bytes(df):
    return int(df[FEATURES].memory_usage(deep=True, index=False).sum())


def main(argv):
    with_evidently = "--no-evidently" not in argv
    sizes = [int(a) for a in argv if a.isdigit()] or [10_000, 100_000, 1_000_000]
    import numpy
    import pandas
    import scipy

    from pytest_mlgate import Profile
    from pytest_mlgate.stats.buckets import sort_is_slow

    print(describe())
    print(
        "large float columns: "
        + ("sort-free buckets from 200k rows (AVX-512 sort on AMD)" if sort_is_slow() else "sorted")
    )
    print(
        f"numpy {numpy.__version__}, scipy {scipy.__version__}, pandas {pandas.__version__}; "
        f"{os.cpu_count()} CPUs; load average {load_average()} (1/5/15 min)"
    )
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
        before = load_average()
        handwritten(ref.iloc[:1000], cur.iloc[:1000])
        rows = interleaved(
            {
                "mlgate (raw reference)": (mlgate_check, (ref, cur)),
                "mlgate (profile)": (mlgate_check, (profile, cur)),
                "scipy/numpy by hand": (handwritten, (ref, cur)),
                "sort numeric columns once": (sort_once, (ref, cur)),
            }
        )
        if with_evidently:
            reps = 1 if n >= 1_000_000 else REPEATS
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
            f"built in {build:.3f} s, {len(profile_text(profile)) / 1024:.0f} KiB JSON; "
            f"load average {before} -> {load_average()}"
        )
        print(describe())
        sys.stdout.flush()
    if "--columns" in argv:
        print(f"cost per column, {n:,} rows, raw reference, numeric columns only:")
        for k in (5, 10, 20):
            cols = NUMERIC[:k]
            sec, peak = measure(mlgate_check, ref, cur, columns=cols)
            hand, _ = measure(handwritten, ref, cur, columns=cols)
            print(
                f"{k:>4} columns {sec:7.3f} s  {sec / k * 1000:6.1f} ms/column  "
                f"{peak / 2**20:6.1f} MiB  by hand {hand:6.3f} s ({hand / sec:.2f}x)  "
                f"load average {load_average()}"
            )


def profile_text(profile):
    import json

    return json.dumps(profile.to_json(), sort_keys=True, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
