"""The one thread pool: numpy and pandas release the GIL in the loops that cost (sorts,
hashes, cumulative sums), so two threads pay on the 2-core machines CI runs on."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_THREADS = 2


def threads_for(work: int, minimum: int) -> int:
    """How many threads ``work`` elements deserve: one below ``minimum`` (a pool costs more
    than it saves), else up to :data:`MAX_THREADS`, never more than the CPUs."""
    return min(MAX_THREADS, os.cpu_count() or 1) if work >= minimum else 1


def map_threads(function: Callable[[T], R], items: Iterable[T], threads: int) -> list[R]:
    """``[function(item) for item in items]``, on ``threads`` threads when more than one; the
    results keep the items' order and the first exception is raised, as in the serial loop."""
    todo = list(items)
    if threads <= 1 or len(todo) <= 1:
        return [function(item) for item in todo]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(function, todo))
