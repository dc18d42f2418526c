"""Bootstrap of ROC AUC: pytest-mlgate's vectorised resampling against a loop of scikit-learn.

A 1,000-resample bootstrap on 10,000 and 100,000 rows of the synthetic benchmark data
(``make_data.py``: ``target`` and ``score`` columns). Prints seconds (median of 3) and the ratio
of the naive loop of ``sklearn.metrics.roc_auc_score`` calls (same resamples' sizes) to ours.

    python benchmarks/bench_bootstrap.py            # 10k and 100k
    python benchmarks/bench_bootstrap.py 100000     # one size
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

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


def timed(func, *args) -> tuple[float, np.ndarray]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(sizes: list[int]) -> None:
    print(f"bootstrap of ROC AUC, {N_BOOT} resamples, median of {REPEATS}")
    print(f"{'rows':>8} {'mlgate s':>9} {'sklearn loop s':>15} {'ratio':>7}  95% interval")
    for n in sizes:
        y, s = data(n)
        fast, values = timed(ours, y, s)
        slow, ref = timed(naive, y, s)
        low, high = np.quantile(values, [0.025, 0.975])
        rlow, rhigh = np.quantile(ref, [0.025, 0.975])
        print(
            f"{n:>8,} {fast:>9.3f} {slow:>15.2f} {slow / fast:>6.1f}x  "
            f"[{low:.4f}, {high:.4f}] (loop: [{rlow:.4f}, {rhigh:.4f}])"
        )


if __name__ == "__main__":
    main([int(a.replace("_", "")) for a in sys.argv[1:]] or [10_000, 100_000])
