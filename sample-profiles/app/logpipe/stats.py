"""Small statistics toolkit: percentiles, histograms, running moments, top-k.

Everything here is dependency-free on purpose: the pipeline runs on hosts
where installing numpy is not an option.  Percentiles use quickselect
(expected linear time) rather than sorting each group, because the latency
report asks for several quantiles of many groups.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from typing import Callable, Hashable, Iterable, Sequence

DEFAULT_QUANTILES = (0.5, 0.9, 0.95, 0.99)


def _partition(values: list[float], low: int, high: int, pivot_index: int) -> int:
    """Lomuto partition of ``values[low:high+1]`` around ``values[pivot_index]``."""
    pivot = values[pivot_index]
    values[pivot_index], values[high] = values[high], values[pivot_index]
    store = low
    for index in range(low, high):
        if values[index] < pivot:
            values[store], values[index] = values[index], values[store]
            store += 1
    values[store], values[high] = values[high], values[store]
    return store


def select(values: list[float], k: int) -> float:
    """Return the k-th smallest element (0-based); reorders ``values``.

    Uses median-of-three pivots, which behaves well on the partially sorted
    latency series we feed it.
    """
    if not 0 <= k < len(values):
        raise IndexError("k out of range")
    low, high = 0, len(values) - 1
    while True:
        if low == high:
            return values[low]
        middle = (low + high) // 2
        a, b, c = values[low], values[middle], values[high]
        if a < b:
            pivot_index = middle if b < c else (high if a < c else low)
        else:
            pivot_index = low if a < c else (high if b < c else middle)
        pivot_index = _partition(values, low, high, pivot_index)
        if k == pivot_index:
            return values[k]
        if k < pivot_index:
            high = pivot_index - 1
        else:
            low = pivot_index + 1


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in [0, 1]) of ``values``."""
    if not values:
        raise ValueError("percentile of empty sequence")
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be within [0, 1]")
    work = list(values)
    position = q * (len(work) - 1)
    lower = int(math.floor(position))
    fraction = position - lower
    low_value = select(work, lower)
    if fraction == 0.0 or lower + 1 >= len(work):
        return low_value
    # After select(), everything right of ``lower`` is >= low_value, so the
    # next order statistic is the minimum of that tail.
    high_value = min(work[lower + 1:])
    return low_value + (high_value - low_value) * fraction


def percentiles(values: Sequence[float], quantiles: Iterable[float] = DEFAULT_QUANTILES) -> dict[str, float]:
    """Several percentiles at once, keyed like ``"p95"``."""
    return {f"p{round(q * 100):d}": round(percentile(values, q), 6) for q in quantiles}


class RunningStats:
    """Welford's online mean/variance with min and max."""

    __slots__ = ("count", "mean", "_m2", "minimum", "maximum")

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self._m2 = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf

    def add(self, value: float) -> None:
        self.count += 1
        delta = value - self.mean
        self.mean += delta / self.count
        self._m2 += delta * (value - self.mean)
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value

    def merge(self, other: "RunningStats") -> None:
        """Combine with another accumulator (Chan et al.)."""
        if other.count == 0:
            return
        total = self.count + other.count
        delta = other.mean - self.mean
        self._m2 += other._m2 + delta * delta * self.count * other.count / total
        self.mean += delta * other.count / total
        self.count = total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    @property
    def variance(self) -> float:
        return self._m2 / (self.count - 1) if self.count > 1 else 0.0

    @property
    def stddev(self) -> float:
        return math.sqrt(self.variance)

    def as_dict(self) -> dict[str, float]:
        return {
            "count": self.count,
            "mean": round(self.mean, 6),
            "stddev": round(self.stddev, 6),
            "min": self.minimum if self.count else 0.0,
            "max": self.maximum if self.count else 0.0,
        }


class Histogram:
    """Histogram with exponentially growing bucket bounds.

    Bucket ``i`` covers ``[start * factor**(i-1), start * factor**i)``; bucket
    0 holds everything below ``start``.
    """

    def __init__(self, start: float = 0.001, factor: float = 2.0, buckets: int = 20) -> None:
        self.bounds = [start * factor ** index for index in range(buckets)]
        self.counts = [0] * (buckets + 1)

    def bucket_index(self, value: float) -> int:
        """Binary search for the bucket of ``value``."""
        bounds = self.bounds
        low, high = 0, len(bounds)
        while low < high:
            middle = (low + high) // 2
            if value < bounds[middle]:
                high = middle
            else:
                low = middle + 1
        return low

    def add(self, value: float) -> None:
        self.counts[self.bucket_index(value)] += 1

    def extend(self, values: Iterable[float]) -> None:
        for value in values:
            self.add(value)

    def as_rows(self) -> list[dict[str, object]]:
        """Non-empty buckets as ``{"lt": bound, "count": n}`` rows."""
        rows = []
        for index, count in enumerate(self.counts):
            if not count:
                continue
            bound = self.bounds[index] if index < len(self.bounds) else None
            rows.append({"lt": bound, "count": count})
        return rows


class TopK:
    """Count hashable items and report the ``k`` most frequent."""

    def __init__(self, k: int = 10) -> None:
        self.k = k
        self.counter: Counter[Hashable] = Counter()

    def add(self, item: Hashable, weight: int = 1) -> None:
        self.counter[item] += weight

    def update(self, items: Iterable[Hashable]) -> None:
        self.counter.update(items)

    def top(self) -> list[tuple[Hashable, int]]:
        """Most frequent items, ties broken by item for determinism."""
        return heapq.nsmallest(self.k, self.counter.items(), key=lambda kv: (-kv[1], str(kv[0])))


def group_latency_report(groups: dict[str, list[float]], min_count: int = 5,
                         histogram_factory: Callable[[], Histogram] = Histogram,
                         ) -> dict[str, dict[str, object]]:
    """Percentiles, moments and histogram per group of duration samples.

    ``histogram_factory`` builds the per-group histogram; the default suits
    request latencies (1 ms .. ~9 min buckets).
    """
    report: dict[str, dict[str, object]] = {}
    for name in sorted(groups):
        samples = groups[name]
        if len(samples) < min_count:
            continue
        moments = RunningStats()
        histogram = histogram_factory()
        for value in samples:
            moments.add(value)
            histogram.add(value)
        report[name] = {
            "stats": moments.as_dict(),
            "percentiles": percentiles(samples),
            "histogram": histogram.as_rows(),
        }
    return report
