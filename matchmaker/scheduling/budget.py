"""The time a solve may use, in one place instead of deadline arithmetic everywhere."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


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
