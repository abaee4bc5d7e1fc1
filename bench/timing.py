"""Bounded timing loops and the statistics the report uses."""

import statistics
import time
from collections.abc import Callable


def timed(
    action: Callable[[], object],
    *,
    budget_seconds: float = 2.0,
    max_samples: int = 100,
    min_samples: int = 5,
    warmup: int = 2,
) -> list[float]:
    """Seconds taken by each call of `action`, after `warmup` untimed calls.

    Stops after `max_samples` calls or once `budget_seconds` have passed, whichever
    comes first, but never before `min_samples`: a slow page gets fewer samples, not an
    endless loop.
    """
    for _ in range(warmup):
        action()
    samples: list[float] = []
    deadline = time.perf_counter() + budget_seconds
    while len(samples) < max_samples and (
        len(samples) < min_samples or time.perf_counter() < deadline
    ):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def percentile(samples: list[float], percent: int) -> float:
    """The `percent`th percentile, interpolated between samples, never beyond the largest."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]
