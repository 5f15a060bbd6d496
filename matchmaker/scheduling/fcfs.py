"""First come, first served: what happens without a solver, the benchmarks' baseline.

Meetings are taken in the order given (the order the requests came), each into
the earliest slot where both participants are free and a table it may use is
free. Pinned meetings are placed first, where they are pinned.
"""
from __future__ import annotations

import time

from .check import metrics
from .domains import Domains
from .problem import Assignment, Problem, Schedule
from .reasons import reasons
from .starts import fcfs_placements


def build_schedule(problem: Problem, d: Domains, placements: dict[str, tuple[str, str]],
                   status: str, upper_bound: int, seconds: float,
                   lost: str = "lost_to_priority", extra: dict | None = None,
                   ) -> Schedule:
    order = {m.id: i for i, m in enumerate(problem.meetings)}
    assignments = tuple(
        Assignment(meeting=mid, slot=slot, table=table)
        for mid, (slot, table) in sorted(placements.items(),
                                         key=lambda kv: (d.slot_pos[kv[1][0]], kv[1][1], order[kv[0]])))
    measured = metrics(problem, placements, d)
    stats = {key: measured[key] for key in ("requested", "scheduled", "weighted_value")}
    stats["upper_bound"] = upper_bound
    stats.update((key, measured[key]) for key in ("idle_gaps", "idle_slots", "moved_from_previous"))
    stats["solve_seconds"] = round(seconds, 3)
    stats.update((key, measured[key]) for key in ("min_share", "table_changes"))
    if extra:
        stats.update(extra)
    return Schedule(status=status, assignments=assignments,
                    unscheduled=tuple(reasons(d, placements, lost)), stats=stats)


def fcfs(problem: Problem) -> Schedule:
    """The first-come-first-served schedule; its `upper_bound` is the trivial one
    (every meeting's priority), since the baseline proves nothing."""
    started = time.perf_counter()
    d = Domains(problem)
    placements = fcfs_placements(problem, domains=d)
    return build_schedule(problem, d, placements, "feasible",
                          sum(m.priority for m in problem.meetings),
                          time.perf_counter() - started, lost="lost_to_earlier")
