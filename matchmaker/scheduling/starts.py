"""Greedy starts: first come, first served, priority first, least-used slot first,
and on a re-solve the previous schedule completed greedily.

Every placement here obeys the hard rules; `solve()` keeps the best as its start
and FCFS is also the benchmarks' baseline (`fcfs.py`).
"""
from __future__ import annotations

from .domains import Domains
from .problem import Meeting, Problem
from .reasons import Occupancy


def place_pins(d: Domains, occ: Occupancy, placements: dict[str, tuple[str, str]]) -> None:
    """Place every fixed meeting where it is pinned (tables named in pins first)."""
    pins = [(m, m.fixed) for m in d.problem.meetings if m.fixed is not None]
    for m, fixed in sorted(pins, key=lambda pin: pin[1].table is None):
        pos = d.slot_pos[fixed.slot]
        table = fixed.table or occ.free_table(m, pos)
        if table is None:
            raise ValueError(f'meeting "{m.id}": no free table left for its pin at "{fixed.slot}"')
        occ.add(m, pos, table)
        placements[m.id] = (fixed.slot, table)


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


def previous_first(d: Domains) -> dict[str, tuple[str, str]]:
    """Meetings back at their previous places where they still fit, then the rest by priority."""
    index = {m.id: i for i, m in enumerate(d.problem.meetings)}
    occ = Occupancy(d, {})
    placements: dict[str, tuple[str, str]] = {}
    place_pins(d, occ, placements)
    for m in d.problem.meetings:
        prev = m.previous
        if m.id in placements or prev is None:
            continue
        pos = d.slot_pos[prev.slot]
        if pos not in d.allowed_slots(m) or any(
                (p, pos) in occ.person or occ.count[p] >= d.cap(p) for p in m.participants):
            continue
        table = prev.table if prev.table in d.allowed_tables(m) and (prev.table, pos) \
            not in occ.table else occ.free_table(m, pos)
        if table is not None:
            occ.add(m, pos, table)
            placements[m.id] = (prev.slot, table)
    for m in sorted(d.problem.meetings,
                    key=lambda m: (-m.priority, len(d.allowed_slots(m)), index[m.id])):
        if m.id not in placements:
            spot = fits(d, occ, m)
            if spot is not None:
                occ.add(m, *spot)
                placements[m.id] = (d.slot_ids[spot[0]], spot[1])
    return placements


def spread_placements(d: Domains, order: list[Meeting]) -> dict[str, tuple[str, str]]:
    """Greedy in the given order, each meeting on shared tables into the slot whose
    shared tables are least used (earliest on ties): keeps room in every slot when
    tables are scarce."""
    occ = Occupancy(d, {})
    placements: dict[str, tuple[str, str]] = {}
    place_pins(d, occ, placements)
    for m in order:
        if m.id in placements or any(occ.count[p] >= d.cap(p) for p in m.participants):
            continue
        pooled = d.is_pooled(m)
        best: tuple[tuple[int, int], str] | None = None
        for pos in d.allowed_slots(m):
            if any((p, pos) in occ.person for p in m.participants):
                continue
            key = (occ.pooled_used[pos] if pooled else 0, pos)
            if best is not None and key >= best[0]:
                continue
            table = occ.free_table(m, pos)
            if table is not None:
                best = (key, table)
        if best is not None:
            pos = best[0][1]
            occ.add(m, pos, best[1])
            placements[m.id] = (d.slot_ids[pos], best[1])
    return placements


def greedy_start(d: Domains) -> dict[str, tuple[str, str]]:
    """The better of first-come-first-served and a priority-first greedy; on a
    re-solve, the previous schedule completed greedily (the value polish that
    follows recovers what it lacks with far fewer moves)."""
    if any(m.previous is not None for m in d.problem.meetings):
        return previous_first(d)
    index = {m.id: i for i, m in enumerate(d.problem.meetings)}
    by_priority = sorted(d.problem.meetings,
                         key=lambda m: (-m.priority, len(d.allowed_slots(m)), index[m.id]))
    candidates = [spread_placements(d, by_priority), fcfs_placements(d.problem, by_priority, d),
                  fcfs_placements(d.problem, list(d.problem.meetings), d)]
    return max(candidates, key=lambda c: sum(d.meeting[mid].priority for mid in c))
