"""The time a solve may use, in one place instead of deadline arithmetic everywhere,
and the signal that ends it early."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias


class _Event(Protocol):
    def is_set(self) -> bool: ...


# a `threading.Event` (or anything with `is_set()`) or a callable returning True to stop
StopSignal: TypeAlias = "_Event | Callable[[], bool]"


def stopped(stop: StopSignal | None) -> bool:
    if stop is None:
        return False
    is_set = getattr(stop, "is_set", None)
    if is_set is not None:
        return bool(is_set())
    assert callable(stop)
    return bool(stop())


@dataclass
class Budget:
    """`limit` seconds from now, of which `reserve` (a share) is kept for the finish.

    A deterministic budget (one worker, reproducible runs) hands out no wall-clock
    deadlines: `until_*` then return infinity and each stage counts its own work.
    """

    limit: float
    reserve: float = 0.05
    deterministic: bool = False
    started: float = field(default_factory=time.perf_counter)

    @property
    def deadline(self) -> float:
        return self.started + self.limit * (1 - self.reserve)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def left(self) -> float:
        return max(0.0, self.deadline - time.perf_counter())

    def until_share(self, share: float) -> float:
        """The moment `share` of the time left has passed."""
        if self.deterministic:
            return float("inf")
        now = time.perf_counter()
        return now + max(0.0, self.deadline - now) * share

    def until_seconds(self, seconds: float) -> float:
        return float("inf") if self.deterministic else time.perf_counter() + seconds
