"""Why a meeting stayed unscheduled, in words an organiser or participant understands."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from .domains import Domains
from .problem import Meeting, Unscheduled

_MAX_LISTED = 6


class Occupancy:
    """Who and what is busy in each slot of a (partial) schedule."""

    def __init__(self, d: Domains, placements: Mapping[str, tuple[str, str]]) -> None:
        self.d = d
        self.person: dict[tuple[str, int], str] = {}
        self.table: dict[tuple[str, int], str] = {}
        self.count: Counter[str] = Counter()
        self.pooled_used: Counter[int] = Counter()
        self._next_pooled: Counter[int] = Counter()
        for mid, (slot, table) in placements.items():
            self.add(d.meeting[mid], d.slot_pos[slot], table)

    def add(self, m: Meeting, pos: int, table: str) -> None:
        for p in m.participants:
            self.person[(p, pos)] = m.id
            self.count[p] += 1
        self.table[(table, pos)] = m.id
        if self.d.is_pooled(m):
            self.pooled_used[pos] += 1

    def free_table(self, m: Meeting, pos: int) -> str | None:
        """The first free table the meeting may use in slot `pos`, if any."""
        d = self.d
        if not d.is_pooled(m):
            for t in d.allowed_tables(m):
                if (t, pos) not in self.table:
                    return t
            return None
        if self.pooled_used[pos] >= len(d.pooled):
            return None
        # Tables are only ever added here, so the first free one never moves back.
        i = self._next_pooled[pos]
        while (d.pooled[i], pos) in self.table:
            i += 1
        self._next_pooled[pos] = i
        return d.pooled[i]


def _slots_text(d: Domains, items: list[tuple[int, str | None]]) -> str:
    parts = [d.slot_ids[pos] + (f" ({mid})" if mid else "") for pos, mid in items[:_MAX_LISTED]]
    if len(items) > _MAX_LISTED:
        parts.append(f"{len(items) - _MAX_LISTED} more")
    return ", ".join(parts)


def explain(d: Domains, m: Meeting, occ: Occupancy,
            lost: str = "lost to meetings of higher total priority") -> str:
    a, b = m.participants
    if not d.allowed_tables(m):
        return "no table allowed: every table is a stand of another participant"
    if not d.allowed_slots(m):
        if m.available is not None:
            return f"no slot in the meeting's own availability suits both {a} and {b}"
        return f"{a} and {b} have no common available slot"
    full = [p for p in m.participants if d.participant[p].max_meetings is not None
            and occ.count[p] >= d.participant[p].max_meetings]
    if full:
        return "; ".join(f"{p} reached its max_meetings ({d.participant[p].max_meetings})"
                         for p in full)
    busy: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    tables_full: list[tuple[int, str | None]] = []
    free: list[int] = []
    for pos in d.allowed_slots(m):
        blocked = False
        for p in m.participants:
            other = occ.person.get((p, pos))
            if other is not None:
                busy[p].append((pos, other))
                blocked = True
        if not blocked:
            if occ.free_table(m, pos) is None:
                tables_full.append((pos, None))
            else:
                free.append(pos)
    if free:
        return (f"not placed although slot {d.slot_ids[free[0]]} has room; "
                "the search stopped before it found this improvement")
    parts = [f"{p} is busy at {_slots_text(d, busy[p])}" for p in m.participants if busy[p]]
    if tables_full:
        own = d.own_tables(m)
        what = ("table " + "/".join(own)) if own else "every shared table"
        parts.append(f"{what} is taken at {_slots_text(d, tables_full)}")
    return f"{lost}: " + "; ".join(parts)


def reasons(d: Domains, placements: Mapping[str, tuple[str, str]],
            lost: str = "lost to meetings of higher total priority") -> list[Unscheduled]:
    occ = Occupancy(d, placements)
    return [Unscheduled(meeting=m.id, reason=explain(d, m, occ, lost))
            for m in d.problem.meetings if m.id not in placements]
