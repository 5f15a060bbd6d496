"""Where each meeting may go: the slots and tables the rules allow.

Every other module (validation, checking, the baseline, the solver, the
reasons) asks this one, so the placement and availability rules live in one
place.
"""
from __future__ import annotations

from collections import defaultdict

from .problem import Meeting, Participant, Problem


class Domains:
    """Precomputed look-ups over a problem: slot order, days, owners, allowed places."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.slot_ids: list[str] = [s.id for s in problem.slots]
        self.slot_pos: dict[str, int] = {s.id: i for i, s in enumerate(problem.slots)}
        day_of_date: dict = {}
        self.slot_day: list[int] = []
        for s in problem.slots:
            self.slot_day.append(day_of_date.setdefault(s.start.date(), len(day_of_date)))
        self.days: list[list[int]] = [[] for _ in day_of_date]
        for pos, day in enumerate(self.slot_day):
            self.days[day].append(pos)
        self.table_ids: list[str] = [t.id for t in problem.tables]
        self.participant: dict[str, Participant] = {p.id: p for p in problem.participants}
        self.meeting: dict[str, Meeting] = {m.id: m for m in problem.meetings}
        owners: dict[str, set[str]] = defaultdict(set)
        for p in problem.participants:
            if p.table is not None:
                owners[p.table].add(p.id)
        self.owners: dict[str, frozenset[str]] = {t: frozenset(o) for t, o in owners.items()}
        self.pooled: tuple[str, ...] = tuple(t for t in self.table_ids if t not in self.owners)
        self.meetings_of: dict[str, list[str]] = defaultdict(list)
        for m in problem.meetings:
            for pid in m.participants:
                if pid in self.participant:
                    self.meetings_of[pid].append(m.id)
        self.table_pos: dict[str, int] = {t: i for i, t in enumerate(self.table_ids)}
        self._own: dict[str, tuple[str, ...]] = {}
        self._slots: dict[str, tuple[int, ...]] = {}
        self._tables: dict[str, tuple[str, ...]] = {}

    def own_tables(self, meeting: Meeting) -> tuple[str, ...]:
        """The tables owned by the meeting's participants, in table order."""
        cached = self._own.get(meeting.id)
        if cached is None:
            mine = {self.participant[p].table for p in meeting.participants
                    if p in self.participant and self.participant[p].table is not None}
            cached = tuple(sorted((t for t in mine if t in self.table_pos),
                                  key=self.table_pos.__getitem__))
            self._own[meeting.id] = cached
        return cached

    def allowed_tables(self, meeting: Meeting) -> tuple[str, ...]:
        """A meeting with a table owner sits at an owner's table; others at pooled tables."""
        cached = self._tables.get(meeting.id)
        if cached is None:
            cached = self.own_tables(meeting) or self.pooled
            self._tables[meeting.id] = cached
        return cached

    def is_pooled(self, meeting: Meeting) -> bool:
        return not self.own_tables(meeting)

    def available(self, participant_id: str, slot_id: str) -> bool:
        p = self.participant[participant_id]
        return p.available is None or slot_id in p.available

    def allowed_slots(self, meeting: Meeting) -> tuple[int, ...]:
        """Slot positions where both participants and the meeting itself are available."""
        cached = self._slots.get(meeting.id)
        if cached is None:
            cached = tuple(
                i for i, sid in enumerate(self.slot_ids)
                if (meeting.available is None or sid in meeting.available)
                and all(self.available(p, sid) for p in meeting.participants)
            )
            self._slots[meeting.id] = cached
        return cached

    def cap(self, participant_id: str) -> int:
        p = self.participant[participant_id]
        n = len(self.slot_ids)
        return n if p.max_meetings is None else min(n, p.max_meetings)
