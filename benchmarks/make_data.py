"""(Copied from the team's shared benchmark kit so that figures compare with the peers' ones.)

Deterministic synthetic reference/current data for peer-tool benchmarks.

Each frame has N rows and these columns:
  num_00..num_07  float64, normal (varied mean/scale)
  num_08..num_13  float64, lognormal
  num_14..num_19  int64, integer-valued (Poisson / uniform integers / binomial)
  cat_0..cat_4    string, cardinality 3, 5, 10, 20, 50 (skewed Zipf-like frequencies)
  sensitive       string, 4 groups (g0..g3, unequal sizes)
  target          int64 0/1
  score           float64 in (0, 1)  (model probability)
  prediction      int64 0/1 (score >= 0.5)

Known shifts injected in `current` only (5 columns):
  num_00  mean shift +0.5 sd                      (normal)
  num_03  scale x1.5                              (normal)
  num_09  lognormal sigma 0.5 -> 0.8              (lognormal)
  num_15  Poisson lambda 4 -> 5.5                 (integer)
  cat_2   frequencies of the 10 levels reversed   (categorical)
All other feature columns have identical generating distributions.

The score depends on features and on the sensitive group (so fairness
metrics have a non-trivial gap).  Determinism: every column is drawn from its
own child of SeedSequence(20241130 + N, which), so a given (N, which) gives
identical bytes regardless of library versions (NumPy's Generator/PCG64 is
stream-stable for the distributions used).

Usage:
  python make_data.py 10000 100000 1000000     # writes data/{ref,cur}_N.parquet
In code:
  from make_data import load, FEATURES, NUMERIC, CATEGORICAL
  ref, cur = load(10000)
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.environ.get("BENCH_DATA_DIR", os.path.join(HERE, "data"))

NUMERIC = [f"num_{i:02d}" for i in range(20)]
CAT_CARD = [3, 5, 10, 20, 50]
CATEGORICAL = [f"cat_{i}" for i in range(5)]
FEATURES = NUMERIC + CATEGORICAL
SENSITIVE = "sensitive"
TARGET = "target"
SCORE = "score"
PREDICTION = "prediction"
SHIFTED = ["num_00", "num_03", "num_09", "num_15", "cat_2"]

# value ranges guaranteed by construction (used by schema-validation benches)
NUMERIC_RANGES = {}
for _i in range(8):
    NUMERIC_RANGES[f"num_{_i:02d}"] = (-1e6, 1e6)
for _i in range(8, 14):
    NUMERIC_RANGES[f"num_{_i:02d}"] = (0.0, 1e9)
for _i in range(14, 20):
    NUMERIC_RANGES[f"num_{_i:02d}"] = (0, 10_000)


def cat_levels(i: int) -> list[str]:
    return [f"c{i}_{k:02d}" for k in range(CAT_CARD[i])]


SENSITIVE_LEVELS = ["g0", "g1", "g2", "g3"]


def _zipf_p(k: int, a: float = 1.1) -> np.ndarray:
    p = 1.0 / np.arange(1, k + 1) ** a
    return p / p.sum()


def generate(n: int, which: str):
    """Return a pandas DataFrame (which = 'ref' or 'cur')."""
    import pandas as pd

    assert which in ("ref", "cur")
    shifted = which == "cur"
    ss = np.random.SeedSequence([20241130, n, 0 if which == "ref" else 1])
    children = ss.spawn(40)
    rng = lambda j: np.random.Generator(np.random.PCG64(children[j]))  # noqa: E731

    cols: dict[str, np.ndarray] = {}
    # normal
    for i in range(8):
        mu, sd = 10.0 * i - 20.0, 1.0 + 0.5 * i
        if shifted and i == 0:
            mu += 0.5 * sd
        if shifted and i == 3:
            sd *= 1.5
        cols[f"num_{i:02d}"] = rng(i).normal(mu, sd, n)
    # lognormal
    for i in range(8, 14):
        sigma = 0.5 + 0.1 * (i - 8)
        if shifted and i == 9:
            sigma = 0.8
        cols[f"num_{i:02d}"] = rng(i).lognormal(mean=1.0, sigma=sigma, size=n)
    # integer-valued
    for i in range(14, 20):
        g = rng(i)
        if i in (14, 15, 16):
            lam = 1.0 + 3.0 * (i - 14)  # 1, 4, 7
            if shifted and i == 15:
                lam = 5.5
            cols[f"num_{i:02d}"] = g.poisson(lam, n).astype(np.int64)
        elif i in (17, 18):
            cols[f"num_{i:02d}"] = g.integers(0, 100 * (i - 16), n, dtype=np.int64)
        else:
            cols[f"num_{i:02d}"] = g.binomial(20, 0.3, n).astype(np.int64)
    # categorical
    for i, k in enumerate(CAT_CARD):
        p = _zipf_p(k)
        if shifted and i == 2:
            p = p[::-1].copy()
        codes = rng(20 + i).choice(k, size=n, p=p)
        cols[f"cat_{i}"] = np.array(cat_levels(i), dtype=object)[codes]
    # sensitive attribute: 4 groups, unequal sizes
    gp = np.array([0.45, 0.30, 0.15, 0.10])
    gcodes = rng(30).choice(4, size=n, p=gp)
    cols[SENSITIVE] = np.array(SENSITIVE_LEVELS, dtype=object)[gcodes]
    # target / score / prediction
    z = (
        0.8 * (cols["num_01"] - (-10.0)) / 1.5
        - 0.6 * (np.log(cols["num_10"]) - 1.0) / 0.7
        + 0.3 * (cols["num_16"] - 7.0) / np.sqrt(7.0)
        + np.where(cols["cat_0"] == "c0_00", 0.5, -0.3)
        + np.array([0.0, -0.3, 0.2, -0.6])[gcodes]
    )
    latent = z + rng(31).logistic(0.0, 1.0, n)
    target = (latent > 0).astype(np.int64)
    # score = noisy calibrated-ish probability (imperfect model)
    noisy = z + rng(32).normal(0.0, 0.8, n) + np.array([0.0, 0.2, -0.1, 0.4])[gcodes]
    score = 1.0 / (1.0 + np.exp(-noisy))
    cols[TARGET] = target
    cols[SCORE] = score
    cols[PREDICTION] = (score >= 0.5).astype(np.int64)
    df = pd.DataFrame(cols)
    return df


def path_for(n: int, which: str) -> str:
    return os.path.join(DATA_DIR, f"{which}_{n}.parquet")


def ensure(n: int) -> None:
    os.makedirs(DATA_DIR, exist_ok=True)
    for which in ("ref", "cur"):
        p = path_for(n, which)
        if not os.path.exists(p):
            t0 = time.perf_counter()
            df = generate(n, which)
            tmp = p + ".tmp"
            df.to_parquet(tmp, index=False)
            os.replace(tmp, p)
            print(
                f"wrote {p} ({os.path.getsize(p) / 2**20:.1f} MiB) "
                f"in {time.perf_counter() - t0:.1f}s",
                file=sys.stderr,
            )


def load(n: int):
    """Load (ref, cur) pandas DataFrames for size n (generating them if absent)."""
    import pandas as pd

    ensure(n)
    return pd.read_parquet(path_for(n, "ref")), pd.read_parquet(path_for(n, "cur"))


if __name__ == "__main__":
    sizes = [int(a.replace("_", "")) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    for n in sizes:
        ensure(n)
