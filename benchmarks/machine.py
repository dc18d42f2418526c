"""The machine line every benchmark prints beside its figures: CPU model, numpy's active SIMD
features (which sort and arithmetic kernels numpy dispatched to), core count and load.

numpy picks its kernels once per process from the CPU (``NPY_DISABLE_CPU_FEATURES`` can turn
some off), and on AMD Zen 4 its AVX-512 sort is several times slower than its AVX2 one, so a
figure without these facts cannot be compared with another.
"""

from __future__ import annotations

import os
import platform


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def simd_features() -> str:
    """numpy's SIMD extensions found on this CPU and enabled (``numpy.show_runtime()``)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as features
    found = [name for name, on in features.items() if on]
    wanted = ("X86_V2", "X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR", "ASIMD", "SVE")
    shown = [name for name in wanted if name in found] or found[:8]
    disabled = os.environ.get("NPY_DISABLE_CPU_FEATURES")
    return ", ".join(shown) + (f" (NPY_DISABLE_CPU_FEATURES={disabled})" if disabled else "")


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def describe() -> str:
    import numpy
    import pandas

    return (
        f"CPU: {cpu_model()}, {os.cpu_count()} cores; numpy {numpy.__version__} SIMD: "
        f"{simd_features()}; pandas {pandas.__version__}; load average {load_average()}"
    )


if __name__ == "__main__":
    print(describe())


def local_spark(shuffle_partitions: int | None = None):
    """The benchmarks' Spark session: ``local[2]``, a 1 GiB driver (in local mode the whole
    engine), no UI or progress bars, errors only in the log."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
