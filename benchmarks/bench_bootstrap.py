"""Bootstrap of ROC AUC: pytest-mlgate's vectorised resampling against a loop of scikit-learn.

A 1,000-resample bootstrap on 10,000 and 100,000 rows of the synthetic benchmark data
(``make_data.py``: ``target`` and ``score`` columns). Prints the machine (CPU model, numpy's
SIMD features, load), then seconds (medians of 3) of ours in a fresh process (a child that
loads the two columns and runs one bootstrap: what a test session's first interval costs) and
warm (the same call again in this process), and the ratio of the naive loop of
``sklearn.metrics.roc_auc_score`` calls (same resamples' sizes) to ours fresh. The three run in
turn, so load hits them alike.

    python benchmarks/bench_bootstrap.py            # 10k and 100k
    python benchmarks/bench_bootstrap.py 100000     # one size
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

N_BOOT = 1000
REPEATS = 3


def data(n: int) -> tuple[np.ndarray, np.ndarray]:
    from make_data import SCORE, TARGET, generate

    frame = generate(n, "ref")  # the same bytes as make_data.py's ref_<n>.parquet
    return frame[TARGET].to_numpy(), frame[SCORE].to_numpy()


def ours(y: np.ndarray, s: np.ndarray) -> np.ndarray:
    from pytest_mlgate.stats.bootstrap import AUCStatistic, bootstrap_values

    return bootstrap_values(AUCStatistic(y, s), N_BOOT, np.random.SeedSequence(0))


def naive(y: np.ndarray, s: np.ndarray) -> np.ndarray:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    out = np.empty(N_BOOT)
    for b in range(N_BOOT):
        rows = rng.integers(0, len(y), len(y))
        out[b] = roc_auc_score(y[rows], s[rows])
    return out


def child(path: str) -> None:
    """Fresh process: load the two columns (small arrays only), run one bootstrap, print its
    seconds and minor page faults."""
    saved = np.load(path)
    y, s = saved["y"], saved["s"]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    ours(y, s)
    seconds = time.perf_counter() - start
    print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)


def fresh(path: str) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", path], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1])


def main(sizes: list[int]) -> None:
    print(describe())
    print(f"bootstrap of ROC AUC, {N_BOOT} resamples, medians of {REPEATS}, run in turn")
    print(
        f"{'rows':>8} {'fresh s':>8} {'faults':>8} {'warm s':>7} {'sklearn loop s':>15} "
        f"{'ratio':>7}  95% interval"
    )
    for n in sizes:
        y, s = data(n)
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "ys.npz")
            np.savez(path, y=y, s=s)
            cold, faults, warm, slow = [], [], [], []
            ours(y, s)
            for _ in range(REPEATS):
                seconds, flt = fresh(path)
                cold.append(seconds)
                faults.append(flt)
                w, values = timed_once(ours, y, s)
                warm.append(w)
                t, ref = timed_once(naive, y, s)
                slow.append(t)
        fast = statistics.median(cold)
        low, high = np.quantile(values, [0.025, 0.975])
        rlow, rhigh = np.quantile(ref, [0.025, 0.975])
        print(
            f"{n:>8,} {fast:>8.3f} {int(statistics.median(faults)):>8,} "
            f"{statistics.median(warm):>7.3f} {statistics.median(slow):>15.2f} "
            f"{statistics.median(slow) / fast:>6.1f}x  "
            f"[{low:.4f}, {high:.4f}] (loop: [{rlow:.4f}, {rhigh:.4f}])"
        )
    print(describe())


def timed_once(func, *args) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main([int(a.replace("_", "")) for a in sys.argv[1:]] or [10_000, 100_000])
