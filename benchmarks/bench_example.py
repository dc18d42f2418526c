"""Wall time of the README's first command, ``pytest examples/adult``, serial and ``-n 2``.

    python benchmarks/bench_example.py                  # this checkout, 5 runs each
    python benchmarks/bench_example.py --runs 7 --checkout /tmp/before   # another checkout

Each run is a fresh ``python -m pytest`` process (imports included, as a user types it), writing
its report into a temporary folder. With several ``--checkout`` folders the runs interleave,
so a machine that other jobs share loads them alike; medians are reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def once(checkout: Path, extra: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "examples/adult",
                "-q",
                "-p",
                "no:cacheprovider",
                "--mlgate-report-dir",
                out,
                *extra,
            ],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: exit {done.returncode}\n{done.stdout[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkout", type=Path, action="append")
    args = parser.parse_args()
    checkouts = args.checkout or [ROOT]
    modes = {"serial": [], "-n 2": ["-n", "2"]}
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for checkout in checkouts:
            for mode, extra in modes.items():
                times.setdefault((str(checkout), mode), []).append(once(checkout, extra))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, 1-minute load average at the end {load:.1f}")
    for (checkout, mode), values in times.items():
        shown = ", ".join(f"{v:.1f}" for v in values)
        print(f"{checkout:<30} {mode:<7} median {statistics.median(values):5.1f} s  ({shown})")


if __name__ == "__main__":
    main()
