"""When a search has stopped gaining: the idle-gap searches end on it, so that a run
whose schedule stopped improving does not go on to its time limit."""
from __future__ import annotations

from collections.abc import Callable

# The local hole search gives up when it found nothing better for STALL_S seconds, or
# for STALL_SHARE of its time so far when that is longer.
STALL_S = 5.0
STALL_SHARE = 0.5
# The exact portfolio (`portfolio.py`) waits longer: its annealing finds the last holes
# late on the published instances; it never gives up while a MaxSAT proof runs.
EXACT_STALL_S = 15.0


class Stall:
    """Whether a search has stopped gaining: nothing better for `wait` seconds, or
    for `share` of its time so far when that is longer (a search that needed long
    for its last gain gets longer before it gives up). `clock` gives the time."""

    def __init__(self, clock: Callable[[], float], wait: float = STALL_S,
                 share: float = STALL_SHARE) -> None:
        self.clock, self.wait, self.share = clock, wait, share
        self.started = self.last = clock()

    def gained(self) -> None:
        self.last = self.clock()

    def stalled(self) -> bool:
        now = self.clock()
        return now - self.last > max(self.wait, self.share * (now - self.started))
