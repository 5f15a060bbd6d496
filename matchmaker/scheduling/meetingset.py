"""The meetings of a hole search as integer indices, with their allowed slots and
tables: what `compact()` searches over and what its solver children receive.

Kept apart from the searches (and from OR-Tools) so that a spawned child that
unpickles it imports little.
"""
from __future__ import annotations

from typing import Callable, Hashable, Iterable

from .problem import Meeting, Participant, Problem, Slot


def default_day_key(slot: Slot) -> Hashable:
    """Slots on the same calendar date form one day (holes never span days)."""
    return slot.start.date()


class Infeasible(Exception):
    """No placement of these meetings can obey the hard rules."""


class MeetingSet:
    """The meetings to place, as integer indices, with their allowed slots and tables.

    Slots are sorted by start time and grouped into days by `day_key`;
    participants are the ones the meetings name, sorted by id. Raises
    `Infeasible` when some meeting cannot be placed at all.
    """

    def __init__(self, problem: Problem, meeting_ids: Iterable[str],
                 day_key: Callable[[Slot], Hashable]) -> None:
        self._slots_and_days(problem, day_key)
        by_id = {m.id: m for m in problem.meetings}
        ids = list(dict.fromkeys(meeting_ids))
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ValueError(f"unknown meeting ids: {unknown[:5]}")
        # in the problem's order, whatever order the ids come in: MaxSAT's running time
        # depends on the order of its clauses (seconds against minutes), so one
        # problem always gets one clause set
        wanted = set(ids)
        self.meetings: list[Meeting] = [m for m in problem.meetings if m.id in wanted]
        owners = {p.table for p in problem.participants if p.table is not None}
        self.pool: list[str] = [t.id for t in problem.tables if t.id not in owners]
        self.pids: list[str] = sorted({p for m in self.meetings for p in m.participants})
        self.pidx = {p: i for i, p in enumerate(self.pids)}
        self.by_part: list[list[int]] = [[] for _ in self.pids]
        self.mparts: list[tuple[int, int]] = []
        self.allowed: list[list[int]] = []
        self.tables: list[list[str]] = []  # candidate tables; empty list = the pool
        self.pin_table: list[str | None] = []
        parts = {p.id: p for p in problem.participants}
        for k, m in enumerate(self.meetings):
            self._add(k, m, parts)
        self._check_caps_and_pins(parts)
        # previous placement, as slot index (None: none or no longer a slot)
        self.prev_slot: list[int | None] = [
            self.sidx.get(m.previous.slot) if m.previous is not None else None for m in self.meetings
        ]
        self.n_prev = sum(1 for m in self.meetings if m.previous is not None)

    def _slots_and_days(self, problem: Problem, day_key: Callable[[Slot], Hashable]) -> None:
        order = sorted(range(len(problem.slots)), key=lambda i: (problem.slots[i].start, i))
        self.slots: list[Slot] = [problem.slots[i] for i in order]
        self.sidx = {s.id: i for i, s in enumerate(self.slots)}
        days: dict[Hashable, list[int]] = {}
        for i, s in enumerate(self.slots):
            days.setdefault(day_key(s), []).append(i)
        self.days: list[list[int]] = list(days.values())
        self.day_of = [0] * len(self.slots)
        for d, members in enumerate(self.days):
            for i in members:
                self.day_of[i] = d

    def _add(self, k: int, m: Meeting, parts: dict[str, Participant]) -> None:
        """Meeting k's participants, allowed slots and candidate tables."""
        a, b = m.participants
        if a == b or a not in parts or b not in parts:
            raise Infeasible(f"{m.id}: needs two distinct known participants")
        ia, ib = self.pidx[a], self.pidx[b]
        self.mparts.append((ia, ib))
        self.by_part[ia].append(k)
        self.by_part[ib].append(k)
        ok = set(range(len(self.slots)))
        for pid in (a, b):
            av = parts[pid].available
            if av is not None:
                ok &= {self.sidx[s] for s in av if s in self.sidx}
        if m.available is not None:
            ok &= {self.sidx[s] for s in m.available if s in self.sidx}
        own = [t for t in (parts[a].table, parts[b].table) if t is not None]
        cands = sorted(set(own)) if own else []
        pin_table = None
        if m.fixed is not None:
            if m.fixed.slot not in self.sidx:
                raise Infeasible(f"{m.id}: pinned to unknown slot {m.fixed.slot}")
            ok = {self.sidx[m.fixed.slot]}
            if m.fixed.table is not None:
                pin_table = m.fixed.table
                cands = [] if m.fixed.table in self.pool else [m.fixed.table]
        if not ok:
            raise Infeasible(f"{m.id}: no slot where both participants and the meeting are available")
        if not cands and not self.pool:
            raise Infeasible(f"{m.id}: no table nobody owns")
        self.allowed.append(sorted(ok))
        self.tables.append(cands)
        self.pin_table.append(pin_table)

    def _check_caps_and_pins(self, parts: dict[str, Participant]) -> None:
        for pid, ks in zip(self.pids, self.by_part):
            cap = parts[pid].max_meetings
            if cap is not None and len(ks) > cap:
                raise Infeasible(f"{pid} has {len(ks)} meetings, above its max_meetings {cap}")
        pins: dict[tuple[int, str], str] = {}
        for k, t in enumerate(self.pin_table):
            if t is not None:
                key = (self.allowed[k][0], t)
                if key in pins:
                    raise Infeasible(f"{pins[key]} and {self.meetings[k].id} are pinned to one table and slot")
                pins[key] = self.meetings[k].id

    @property
    def n(self) -> int:
        return len(self.meetings)
