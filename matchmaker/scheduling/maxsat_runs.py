"""MaxSAT in spawned children, seen from the parent: started before their task is
known (so that their start-up overlaps the parent's work), given a variant and a
time, polled, and ended when their time is up or the search is settled.

RC2 cannot be stopped mid-proof and gives no placement before its proof, so a
run that has not answered by its deadline is terminated.
"""
from __future__ import annotations

import math
import time

from . import children, maxsat
from .maxsat import Variant
from .meetingset import MeetingSet

# what a child answers: a placement (slots, stand choices, holes) or "infeasible";
# the parent adds "stopped" (deadline) and "died". Before it, the child reports the
# lower bounds its proof reaches (`MaxsatRun.bound`).
Answer = str | tuple[list[int], dict[int, str], int]


class MaxsatRun:
    """One child: `give()` it a task, `poll()` it until it answers, `close()` it."""

    def __init__(self, child: children.Child) -> None:
        self.child = child
        self.variant: Variant | None = None
        self.ready_at: float | None = None
        self.given_at = math.inf
        self.seconds = 0.0
        self.until = math.inf
        self.started = time.monotonic()
        self.bound = 0  # the proof's lower bound on the holes under the caps, so far

    @classmethod
    def spawn(cls) -> MaxsatRun | None:
        child = children.start(maxsat.child)
        return None if child is None else cls(child)

    def give(self, data: MeetingSet, caps: list[int], variant: Variant, seconds: float,
             until: float) -> None:
        """Solve with `variant` for `seconds` counted from the child's start-up (never past
        `until`)."""
        self.variant, self.seconds, self.until = variant, seconds, until
        self.given_at = time.monotonic()
        self.child.conn.send((data, caps, variant))

    @property
    def deadline(self) -> float:
        if self.ready_at is None:
            return self.until
        return min(self.until, max(self.ready_at, self.given_at) + self.seconds)

    def poll(self) -> Answer | None:
        """The answer, "stopped" once past the deadline, "died", or None while it works
        (`bound` then says how far its proof got)."""
        conn = self.child.conn
        try:
            while conn.poll():
                got = conn.recv()
                if got == "ready":
                    self.ready_at = time.monotonic()
                    continue
                if isinstance(got, tuple) and got[0] == "bound":
                    self.bound = max(self.bound, got[1])
                    continue
                return got
        except (EOFError, OSError):
            return "died"
        if not self.child.alive():
            return "died"
        if self.variant is not None and time.monotonic() >= self.deadline:
            return "stopped"
        return None

    def close(self) -> None:
        self.child.close(grace=0.0)
