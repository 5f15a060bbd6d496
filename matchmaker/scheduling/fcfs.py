"""First come, first served: what happens without a solver, the benchmarks' baseline.

Meetings are taken in the order given (the order the requests came), each into
the earliest slot where both participants are free and a table it may use is
free. Pinned meetings are placed first, where they are pinned.
"""
from __future__ import annotations

import time

from .check import metrics
from .domains import Domains
from .problem import Assignment, Meeting, Problem, Schedule
from .reasons import Occupancy, reasons


def place_pins(d: Domains, occ: Occupancy, placements: dict[str, tuple[str, str]]) -> None:
    """Place every fixed meeting where it is pinned (tables named in pins first)."""
    pins = [m for m in d.problem.meetings if m.fixed is not None]
    for m in sorted(pins, key=lambda m: m.fixed.table is None):
        pos = d.slot_pos[m.fixed.slot]
        table = m.fixed.table or occ.free_table(m, pos)
        if table is None:
            raise ValueError(f'meeting "{m.id}": no free table left for its pin at "{m.fixed.slot}"')
        occ.add(m, pos, table)
        placements[m.id] = (m.fixed.slot, table)


def fits(d: Domains, occ: Occupancy, m: Meeting) -> tuple[int, str] | None:
    """The earliest (slot position, table) where the meeting can still go, if any."""
    if any(occ.count[p] >= d.cap(p) for p in m.participants):
        return None
    a, b = m.participants
    for pos in d.allowed_slots(m):
        if (a, pos) in occ.person or (b, pos) in occ.person:
            continue
        table = occ.free_table(m, pos)
        if table is not None:
            return pos, table
    return None


def fcfs_placements(problem: Problem, order: list[Meeting] | None = None,
                    domains: Domains | None = None) -> dict[str, tuple[str, str]]:
    d = domains or Domains(problem)
    occ = Occupancy(d, {})
    placements: dict[str, tuple[str, str]] = {}
    place_pins(d, occ, placements)
    for m in order if order is not None else problem.meetings:
        if m.id in placements:
            continue
        spot = fits(d, occ, m)
        if spot is not None:
            pos, table = spot
            occ.add(m, pos, table)
            placements[m.id] = (d.slot_ids[pos], table)
    return placements


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
