"""What `solve()` tells its caller while it runs.

`progress(elapsed, value, bound)` comes from every stage: the weighted value of
the best schedule so far and its proven upper bound. The keywords say more where
the stage knows it: `phase` (`PLACING` while the value is sought, `COMPACTING`
while idle gaps are closed at that value), and in the second phase `idle_gaps`,
the idle gaps of the best schedule so far, and `idle_gaps_bound`, a proven lower
bound on them (once computed). A keyword left at None is not part of that call:
the caller keeps what it was last told.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

PLACING = "placing"
COMPACTING = "compacting"
PHASES = (PLACING, COMPACTING)


class Progress(Protocol):
    def __call__(self, elapsed: float, value: float, bound: float, *,
                 idle_gaps: int | None = None, idle_gaps_bound: int | None = None,
                 phase: str | None = None) -> None: ...


class DaysProgress:
    """The progress of an event solved day by day, from the progress of its days.

    Value and idle gaps are the sums over the days' latest reports (idle gaps once
    every day has reported them); the bound is the whole event's. No bound on idle
    gaps is given: the days' meetings may still move between days afterwards.
    """

    def __init__(self, progress: Progress, days: int, started: float, bound: float) -> None:
        self.progress, self.started, self.bound = progress, started, bound
        self.values: list[float] = [0.0] * days
        self.gaps: list[int | None] = [None] * days
        self.lock = threading.Lock()

    def day(self, index: int) -> Progress:
        """The progress callback of day `index`."""

        def report(elapsed: float, value: float, bound: float, *, idle_gaps: int | None = None,
                   idle_gaps_bound: int | None = None, phase: str | None = None) -> None:
            self.update(index, value, idle_gaps)

        return report

    def update(self, index: int, value: float, idle_gaps: int | None) -> None:
        with self.lock:
            self.values[index] = value
            if idle_gaps is not None:
                self.gaps[index] = idle_gaps
            gaps = self.gaps
            total_gaps = None if any(g is None for g in gaps) else sum(g or 0 for g in gaps)
            value = sum(self.values)
        self.progress(time.perf_counter() - self.started, value, self.bound,
                      idle_gaps=total_gaps, phase=PLACING)


ROUND_REPORT_S = 0.5


def gaps_reporter(progress: Progress, count: Callable[[Mapping[str, int]], int], started: float,
                  value: float, bound: float, every: float = ROUND_REPORT_S
                  ) -> Callable[[int, Mapping[str, int]], None]:
    """An `on_round(best_cost, best)` for the hole search (`holes.reduce_holes`) that
    reports the idle gaps of its best slots, `count`ed at most every `every` seconds,
    at an unchanged value and bound."""
    last = float("-inf")

    def on_round(_cost: int, best: Mapping[str, int]) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last < every:
            return
        last = now
        progress(now - started, value, bound, idle_gaps=count(best), phase=COMPACTING)

    return on_round


def bound_reporter(progress: Progress, started: float, value: float, bound: float,
                   every: float = ROUND_REPORT_S) -> Callable[[int, int], None]:
    """An `on_bound(idle_gaps, idle_gaps_bound)` for the idle-gap searches: reports at
    once when the bound moves, otherwise at most every `every` seconds (an exact
    search may improve many times a second)."""
    last, told = float("-inf"), None

    def on_bound(gaps: int, gaps_bound: int) -> None:
        nonlocal last, told
        now = time.perf_counter()
        if gaps_bound == told and now - last < every:
            return
        last, told = now, gaps_bound
        progress(now - started, value, bound, idle_gaps=gaps, idle_gaps_bound=gaps_bound,
                 phase=COMPACTING)

    return on_bound
