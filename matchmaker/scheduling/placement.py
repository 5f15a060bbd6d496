"""A placement of a `MeetingSet`: a slot index per meeting plus the stand chosen
by meetings of two stand owners. Reading one from ids and checking it, scoring
it, and giving it concrete tables.

No OR-Tools here: solver children import this module.
"""
from __future__ import annotations

from collections import defaultdict

from .gaps import Agendas, DayBits
from .meetingset import MeetingSet


def bits_of(data: MeetingSet) -> DayBits:
    return DayBits(data.days, len(data.slots))


def occupancy(data: MeetingSet, assign: list[int], bits: DayBits | None = None) -> Agendas:
    """Each participant's busy slots under `assign` (participants by index)."""
    return Agendas.of(bits or bits_of(data),
                      ((p, s) for k, s in enumerate(assign) for p in data.mparts[k]))


def score(data: MeetingSet, assign: list[int]) -> tuple[int, int, int]:
    """(idle gaps, idle slots, meetings moved from their previous slot)."""
    holes, idle = occupancy(data, assign).total()
    moved = sum(1 for k, s in enumerate(assign)
                if data.meetings[k].previous is not None and data.prev_slot[k] != s)
    return holes, idle, moved


def from_start(data: MeetingSet, start: dict[str, tuple[str, str]]) -> tuple[list[int] | None, dict[int, str]]:
    """The start placement as slot indices, or None when it misses a meeting or breaks a rule."""
    assign: list[int] = []
    choice: dict[int, str] = {}
    for k, m in enumerate(data.meetings):
        got = start.get(m.id)
        if got is None or got[0] not in data.sidx:
            return None, {}
        s = data.sidx[got[0]]
        if s not in data.allowed[k]:
            return None, {}
        assign.append(s)
        if len(data.tables[k]) > 1:
            if got[1] not in data.tables[k]:
                return None, {}
            choice[k] = got[1]
    return (assign, choice) if _obeys_capacities(data, assign, choice) else (None, {})


def _obeys_capacities(data: MeetingSet, assign: list[int], choice: dict[int, str]) -> bool:
    """One meeting per participant and slot, the pool's size and one meeting per stand."""
    occ: set[tuple[int, int]] = set()
    pool_load: dict[int, int] = defaultdict(int)
    stand_load: dict[tuple[str, int], int] = defaultdict(int)
    for k, s in enumerate(assign):
        for p in data.mparts[k]:
            if (p, s) in occ:
                return False
            occ.add((p, s))
        cands = data.tables[k]
        if not cands:
            pool_load[s] += 1
        else:
            stand_load[(choice.get(k, cands[0]), s)] += 1
    return all(v <= len(data.pool) for v in pool_load.values()) \
        and all(v <= 1 for v in stand_load.values())


def as_ids(data: MeetingSet, assign: list[int], choice: dict[int, str]) -> dict[str, tuple[str, str]]:
    """Meeting id -> (slot id, chosen stand or "")."""
    return {data.meetings[k].id: (data.slots[s].id, choice.get(k, "")) for k, s in enumerate(assign)}


def assign_tables(data: MeetingSet, assign: list[int], choice: dict[int, str]) -> dict[int, str]:
    """Concrete tables: stands as chosen; pooled tables slot by slot, keeping people seated."""
    table: dict[int, str] = {}
    last_table: dict[int, str] = {}
    by_slot: dict[int, list[int]] = defaultdict(list)
    for k, s in enumerate(assign):
        by_slot[s].append(k)
    for s in sorted(by_slot):
        ks = by_slot[s]
        taken: set[str] = set()
        pooled: list[int] = []
        for k in ks:
            cands = data.tables[k]
            pinned = data.pin_table[k]
            if pinned is not None:
                table[k] = pinned
                taken.add(pinned)
            elif len(cands) == 1:
                table[k] = cands[0]
            elif len(cands) > 1:
                table[k] = choice[k]
            else:
                pooled.append(k)
        _seat_pooled(data, s, pooled, table, taken, last_table)
        for k in ks:
            for p in data.mparts[k]:
                last_table[p] = table[k]
    return table


def _seat_pooled(data: MeetingSet, s: int, pooled: list[int], table: dict[int, str],
                 taken: set[str], last_table: dict[int, str]) -> None:
    """Pooled tables for the meetings of slot `s`: the busier participant stays where it
    sat last (the other one moves), then the other participant, then the previous
    placement; the rest take the free tables in order."""
    wishes: list[tuple[tuple[int, int], int, str]] = []
    for k in pooled:
        for p in data.mparts[k]:
            t = last_table.get(p)
            if t is not None:
                wishes.append(((0, -len(data.by_part[p])), k, t))
        prev = data.meetings[k].previous
        if prev is not None and prev.table is not None and data.prev_slot[k] == s:
            wishes.append(((1, 0), k, prev.table))
    wishes.sort(key=lambda w: w[0])
    pool_set = set(data.pool)
    for _, k, t in wishes:
        if k not in table and t in pool_set and t not in taken:
            table[k] = t
            taken.add(t)
    rest = [t for t in data.pool if t not in taken]
    for k in pooled:
        if k not in table:
            table[k] = rest.pop(0)


def table_changes(data: MeetingSet, assign: list[int], table: dict[int, str]) -> int:
    changes = 0
    for ks in data.by_part:
        seq = sorted(ks, key=lambda k: assign[k])
        changes += sum(1 for a, b in zip(seq, seq[1:]) if table[a] != table[b])
    return changes
