"""Issue 14: is the raw-reference drift check linear in rows? Times ``expect_no_drift`` of
``make_data.py`` frames (25 feature columns) at each size, with the sort-free bucket path
(default) and the sorting path, in one process, and prints per size and path: wall seconds,
CPU seconds of the process (both threads, user + system), minor page faults, and the peak
resident memory added during the check (``/proc/self/clear_refs`` resets the peak first).

    cd benchmarks && python linearity_drift.py 1000000 5000000 10000000 [--runs 2]
        [--profile]   # also a cProfile of one bucket-path check (threads off) at the largest size

Frames are generated in memory by ``make_data.generate`` (no parquet files), the
non-feature columns dropped.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time

from bench_drift import mlgate_check
from machine import describe, load_average
from make_data import FEATURES, generate


def usage() -> tuple[float, float, int]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime, r.ru_minflt


def rss_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def main(argv: list[str]) -> None:
    from pytest_mlgate.checks.drift import figures

    runs = 2
    if "--runs" in argv:
        at = argv.index("--runs")
        runs = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    sizes = [int(a) for a in argv if a.isdigit()] or [1_000_000, 5_000_000, 10_000_000]
    print(describe())
    for n in sizes:
        t0 = time.perf_counter()
        ref = generate(n, "ref")[FEATURES]
        cur = generate(n, "cur")[FEATURES]
        gc.collect()
        built = time.perf_counter() - t0
        mlgate_check(ref.iloc[:1000], cur.iloc[:1000])
        for path, forced in (("buckets", True), ("sorting", False)):
            figures.BUCKETS = forced
            rows = []
            for _ in range(runs):
                gc.collect()
                base = rss_kib("VmRSS")
                peak_ok = reset_peak()
                u0, s0, f0 = usage()
                w0 = time.perf_counter()
                result = mlgate_check(ref, cur)
                wall = time.perf_counter() - w0
                u1, s1, f1 = usage()
                peak = rss_kib("VmHWM") - base if peak_ok else -1
                rows.append((wall, u1 - u0, s1 - s0, f1 - f0, peak))
                assert sorted(result.details["drifted"]) == sorted(
                    ["num_00", "num_03", "num_09", "num_15", "cat_2"]
                ), result.details["drifted"]
            figures.BUCKETS = None
            wall = statistics.median(r[0] for r in rows)
            user = statistics.median(r[1] for r in rows)
            system = statistics.median(r[2] for r in rows)
            faults = statistics.median(r[3] for r in rows)
            peak = max(r[4] for r in rows)
            print(
                f"{n:>11,} {path:<8} wall {wall:7.3f} s ({wall / n * 1e6:.3f} s/M)  "
                f"cpu {user + system:7.3f} s (user {user:.3f}, sys {system:.3f}; "
                f"{(user + system) / n * 1e6:.3f} s/M)  faults {faults:,.0f}  "
                f"peak +{peak / 1024:,.0f} MiB  load {load_average()}"
            )
            sys.stdout.flush()
        print(f"{n:>11,} frames built in {built:.1f} s; RSS {rss_kib('VmRSS') / 1024:,.0f} MiB")
        if "--profile" in argv and n == sizes[-1]:
            import cProfile
            import pstats

            figures.PARALLEL_MIN_ROWS = 1 << 62
            cProfile.runctx("mlgate_check(ref, cur)", globals(), locals(), "/tmp/lin14.prof")
            pstats.Stats("/tmp/lin14.prof").sort_stats("tottime").print_stats(15)
        del ref, cur
        gc.collect()
    print(describe())


if __name__ == "__main__":
    main(sys.argv[1:])
