"""What importing the plugin adds to ``import pytest`` (it loads in every pytest run).

    python benchmarks/bench_import.py

Runs 15 fresh interpreters and prints the median cost of ``import pytest_mlgate.plugin`` after
``import pytest`` (goal: under 30 ms), and checks that no heavy library came along.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

CODE = """
import sys, time
import pytest
t = time.perf_counter()
import pytest_mlgate.plugin
dt = time.perf_counter() - t
heavy = [m for m in ("pandas", "numpy", "scipy", "sklearn", "fairlearn", "jinja2")
         if m in sys.modules]
print(dt * 1000, ",".join(heavy))
"""


def main() -> None:
    costs, heavy = [], set()
    for _ in range(15):
        out = subprocess.run(
            [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
        ).stdout.split()
        costs.append(float(out[0]))
        heavy.update(out[1].split(",") if len(out) > 1 else [])
    print(
        "import pytest_mlgate.plugin after import pytest: "
        f"median {statistics.median(costs):.1f} ms "
        f"(min {min(costs):.1f}, max {max(costs):.1f}; goal < 30 ms)"
    )
    print(f"heavy libraries loaded: {', '.join(sorted(heavy)) or 'none'}")


if __name__ == "__main__":
    main()
