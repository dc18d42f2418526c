"""Issue 14: the raw-reference drift check with the sort-free bucket path against the sorting
path (``figures.BUCKETS`` forced on, then off), interleaved in one process, with the
hand-written scipy/numpy contender of ``bench_drift.py`` in the same rounds.

    cd benchmarks && python ab_drift_buckets.py [1000000] [--rounds 5]
    cd benchmarks && NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL" python ab_drift_buckets.py

Prints per contender the median wall seconds and the median CPU seconds of the process (both
threads; ``resource.getrusage``), so that the load of a shared machine can be told apart from
the work done, and the load average before and after.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

from bench_drift import handwritten, mlgate_check
from machine import describe, load_average
from make_data import FEATURES, load


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> None:
    from pytest_mlgate.checks.drift import figures

    rounds = 5
    if "--rounds" in argv:
        at = argv.index("--rounds")
        rounds = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    sizes = [int(a) for a in argv if a.isdigit()]
    n = sizes[0] if sizes else 1_000_000
    ref, cur = load(n)
    ref, cur = ref[FEATURES], cur[FEATURES]

    def sorting() -> object:
        figures.BUCKETS = False
        return mlgate_check(ref, cur)

    def buckets() -> object:
        figures.BUCKETS = True
        return mlgate_check(ref, cur)

    contenders = {
        "mlgate raw, buckets": buckets,
        "mlgate raw, sorting": sorting,
        "scipy/numpy by hand": lambda: handwritten(ref, cur),
    }
    mlgate_check(ref.iloc[:1000], cur.iloc[:1000])
    print(describe())
    before = load_average()
    wall: dict[str, list[float]] = {k: [] for k in contenders}
    used: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            c0, t0 = cpu(), time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - t0)
            used[name].append(cpu() - c0)
    hand = statistics.median(wall["scipy/numpy by hand"])
    hand_cpu = statistics.median(used["scipy/numpy by hand"])
    print(f"{n:,} rows, {rounds} rounds; load average {before} -> {load_average()}")
    for name in contenders:
        w, c = statistics.median(wall[name]), statistics.median(used[name])
        print(
            f"{name:<22} wall {w:7.3f} s ({hand / w:5.2f}x hand)  cpu {c:7.3f} s "
            f"({hand_cpu / c:5.2f}x hand)  walls {', '.join(f'{x:.2f}' for x in wall[name])}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
