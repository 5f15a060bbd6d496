"""Validity rules and quality metrics of a schedule, per the contract.

`check()` is the single judge of validity: the solver re-checks its own result
with it, the CLI's `check` command prints its list, tests rely on it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from .domains import Domains
from .problem import Assignment, Problem, Schedule


def check(problem: Problem, schedule: Schedule) -> list[str]:
    """Every violation of the contract's validity rules, in words; empty when valid."""
    d = Domains(problem)
    out: list[str] = []
    seen: Counter[str] = Counter()
    placed: dict[str, Assignment] = {}
    for i, a in enumerate(schedule.assignments):
        where = f'assignments[{i}] (meeting "{a.meeting}")'
        seen[a.meeting] += 1
        m = d.meeting.get(a.meeting)
        if m is None:
            out.append(f"{where}: meeting is unknown")
            continue
        bad = False
        if a.slot not in d.slot_pos:
            out.append(f'{where}: slot "{a.slot}" is unknown')
            bad = True
        if a.table not in d.table_ids:
            out.append(f'{where}: table "{a.table}" is unknown')
            bad = True
        if bad:
            continue
        placed.setdefault(a.meeting, a)
        for p in m.participants:
            if not d.available(p, a.slot):
                out.append(f'{where}: participant "{p}" is not available in slot "{a.slot}"')
        if m.available is not None and a.slot not in m.available:
            out.append(f'{where}: slot "{a.slot}" is not in the meeting\'s "available"')
        allowed = d.allowed_tables(m)
        if a.table not in allowed:
            own = d.own_tables(m)
            if own:
                rule = "it must be at " + " or ".join(f'"{t}"' for t in own)
            else:
                owners = ", ".join(f'"{p}"' for p in sorted(d.owners.get(a.table, ())))
                rule = f"that table is reserved for {owners}"
            out.append(f'{where}: table "{a.table}" is not allowed: {rule}')
    for i, u in enumerate(schedule.unscheduled):
        seen[u.meeting] += 1
        if u.meeting not in d.meeting:
            out.append(f'unscheduled[{i}] (meeting "{u.meeting}"): meeting is unknown')
    for m in problem.meetings:
        if seen[m.id] == 0:
            out.append(f'meeting "{m.id}" is neither in assignments nor in unscheduled')
        elif seen[m.id] > 1:
            out.append(f'meeting "{m.id}" appears {seen[m.id]} times in assignments and unscheduled')

    by_person_slot: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_table_slot: dict[tuple[str, str], list[str]] = defaultdict(list)
    count: Counter[str] = Counter()
    for a in schedule.assignments:
        m = d.meeting.get(a.meeting)
        if m is None or a.slot not in d.slot_pos or a.table not in d.table_ids:
            continue
        by_table_slot[(a.table, a.slot)].append(m.id)
        for p in m.participants:
            by_person_slot[(p, a.slot)].append(m.id)
            count[p] += 1
    for (p, s), ms in by_person_slot.items():
        if len(ms) > 1:
            out.append(f'participant "{p}" has {len(ms)} meetings in slot "{s}": {", ".join(ms)}')
    for (t, s), ms in by_table_slot.items():
        if len(ms) > 1:
            out.append(f'table "{t}" hosts {len(ms)} meetings in slot "{s}": {", ".join(ms)}')
    for part in problem.participants:
        if part.max_meetings is not None and count[part.id] > part.max_meetings:
            out.append(f'participant "{part.id}" has {count[part.id]} meetings, '
                       f"more than max_meetings ({part.max_meetings})")
    for m in problem.meetings:
        if m.fixed is None:
            continue
        at = placed.get(m.id)
        pin = f'slot "{m.fixed.slot}"' + (f', table "{m.fixed.table}"' if m.fixed.table else "")
        if at is None:
            out.append(f'meeting "{m.id}" is pinned to {pin} but not scheduled')
        elif at.slot != m.fixed.slot or (m.fixed.table is not None and at.table != m.fixed.table):
            out.append(f'meeting "{m.id}" is pinned to {pin} but placed at slot "{at.slot}", '
                       f'table "{at.table}"')
    return out


def agendas(d: Domains, placements: Mapping[str, tuple[str, str]]) -> dict[str, list[tuple[int, str]]]:
    """Per participant, its meetings as (slot position, table), in time order."""
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for mid, (slot, table) in placements.items():
        for p in d.meeting[mid].participants:
            out[p].append((d.slot_pos[slot], table))
    for items in out.values():
        items.sort()
    return out


def idle(d: Domains, positions: Iterable[int]) -> tuple[int, int]:
    """(idle gaps, idle slots) of one participant's busy slot positions, per day."""
    gaps = slots = 0
    last_by_day: dict[int, int] = {}
    for pos in sorted(positions):
        day = d.slot_day[pos]
        last = last_by_day.get(day)
        if last is not None and pos > last + 1:
            gaps += 1
            slots += pos - last - 1
        last_by_day[day] = pos
    return gaps, slots


def metrics(problem: Problem, placements: Mapping[str, tuple[str, str]],
            domains: Domains | None = None) -> dict:
    """The contract's stats plus table changes and the lowest share of requests met.

    `placements` maps meeting id to (slot id, table id) and must name known ids.
    A meeting with a `previous` placement counts as moved when it is now elsewhere
    or unscheduled.
    """
    d = domains or Domains(problem)
    gaps = idle_slots = changes = 0
    for items in agendas(d, placements).values():
        g, s = idle(d, (pos for pos, _ in items))
        gaps += g
        idle_slots += s
        changes += sum(1 for (_, t1), (_, t2) in zip(items, items[1:]) if t1 != t2)
    moved = 0
    for m in problem.meetings:
        if m.previous is None:
            continue
        now = placements.get(m.id)
        if now is None or now[0] != m.previous.slot or (
                m.previous.table is not None and now[1] != m.previous.table):
            moved += 1
    shares = []
    for p, mids in d.meetings_of.items():
        if mids:
            shares.append(sum(1 for mid in mids if mid in placements) / len(mids))
    return {
        "requested": len(problem.meetings),
        "scheduled": len(placements),
        "weighted_value": sum(d.meeting[mid].priority for mid in placements),
        "idle_gaps": gaps,
        "idle_slots": idle_slots,
        "moved_from_previous": moved,
        "table_changes": changes,
        "min_share": round(min(shares), 4) if shares else 1.0,
    }


def schedule_metrics(problem: Problem, schedule: Schedule) -> dict:
    """`metrics()` of the known, well-formed assignments of a schedule."""
    d = Domains(problem)
    placements = {a.meeting: (a.slot, a.table) for a in schedule.assignments
                  if a.meeting in d.meeting and a.slot in d.slot_pos and a.table in d.table_ids}
    return metrics(problem, placements, d)
