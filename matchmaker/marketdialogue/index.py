"""Lookups derived once from a problem, shared by the solver, the greedy and the reasons."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from .problem import DialogueParticipant, DialogueProblem, DialogueTable, Session

TableKey = tuple[int, int]  # (session index, table index)
Option = tuple[int, int, str]  # (session index, table index, side)


@dataclass
class Index:
    problem: DialogueProblem

    @cached_property
    def sessions(self) -> tuple[Session, ...]:
        return self.problem.sessions

    @cached_property
    def people(self) -> tuple[DialogueParticipant, ...]:
        return self.problem.participants

    @cached_property
    def person_index(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.people)}

    @cached_property
    def session_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.sessions)}

    @cached_property
    def table_index(self) -> dict[tuple[str, str], TableKey]:
        return {(s.id, t.id): (i, j) for i, s in enumerate(self.sessions) for j, t in enumerate(s.tables)}

    def table(self, key: TableKey) -> DialogueTable:
        return self.sessions[key[0]].tables[key[1]]

    @cached_property
    def table_keys(self) -> list[TableKey]:
        return [(i, j) for i, s in enumerate(self.sessions) for j in range(len(s.tables))]

    @cached_property
    def by_group(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.sessions):
            groups[s.product_group].append(i)
        return groups

    @cached_property
    def overlapping(self) -> list[set[int]]:
        """For each session, the sessions overlapping it, itself included."""
        result: list[set[int]] = [set() for _ in self.sessions]
        for i, a in enumerate(self.sessions):
            for j in range(i, len(self.sessions)):
                if a.overlaps(self.sessions[j]):
                    result[i].add(j)
                    result[j].add(i)
        return result

    @cached_property
    def cliques(self) -> list[frozenset[int]]:
        """Maximal sets of sessions that share a moment; intervals need no more."""
        found: list[frozenset[int]] = []
        for s in self.sessions:
            moment = s.start
            clique = frozenset(i for i, o in enumerate(self.sessions) if o.start <= moment < o.end)
            found.append(clique)
        unique = set(found)
        return sorted((c for c in unique if not any(c < other for other in unique)), key=sorted)

    @cached_property
    def moderated(self) -> list[list[int]]:
        """For each participant, the sessions it moderates a table in."""
        result: list[list[int]] = [[] for _ in self.people]
        for i, s in enumerate(self.sessions):
            for t in s.tables:
                if t.moderator is not None and t.moderator in self.person_index:
                    result[self.person_index[t.moderator]].append(i)
        return result

    @cached_property
    def blocked(self) -> list[set[int]]:
        """For each participant, the sessions it cannot attend because it moderates at that time."""
        result = []
        for led in self.moderated:
            blocked: set[int] = set()
            for s in led:
                blocked |= self.overlapping[s]
            result.append(blocked)
        return result

    @cached_property
    def options(self) -> list[list[Option]]:
        """For each participant, every (session, table, side) the rules allow it on its own."""
        result = []
        for p, person in enumerate(self.people):
            mine: list[Option] = []
            for group in person.interests:
                for s in self.by_group.get(group, []):
                    if s in self.blocked[p]:
                        continue
                    for t, table in enumerate(self.sessions[s].tables):
                        for side in person.sides():
                            seats = table.buyer_seats if side == "buyer" else table.supplier_seats
                            if seats > 0:
                                mine.append((s, t, side))
            result.append(mine)
        return result

    @cached_property
    def candidates(self) -> dict[TableKey, dict[str, set[int]]]:
        """For each table, who could sit there by role: buyers, suppliers, facilitators."""
        result: dict[TableKey, dict[str, set[int]]] = {
            key: {"buyer": set(), "supplier": set(), "facilitator": set()} for key in self.table_keys}
        for p, mine in enumerate(self.options):
            for s, t, _side in mine:
                result[(s, t)][self.people[p].role].add(p)
        return result

    def closed_cause(self, key: TableKey) -> tuple[str, dict] | None:
        """Why a table can never open (a reason code and its parameters, see
        `reasons.describe`), or None if it could."""
        rules = self.problem.rules
        table = self.table(key)
        cand = self.candidates[key]
        for role, seats, needed in (("buyer", table.buyer_seats, rules.min_buyers),
                                    ("supplier", table.supplier_seats, rules.min_suppliers)):
            if seats < needed:
                return "too_few_seats", {"role": role, "seats": seats, "needed": needed}
            if len(cand[role]) < needed:
                return "too_few_can_attend", {"role": role, "count": len(cand[role]),
                                              "needed": needed}
        if not any(cand.values()):
            return "nobody_can_attend", {}
        return None

    @cached_property
    def live_tables(self) -> frozenset[TableKey]:
        """Tables that could open at all."""
        return frozenset(key for key in self.table_keys if self.closed_cause(key) is None)

    @cached_property
    def main_groups(self) -> list[frozenset[str]]:
        """A participant's main product groups: those of its highest interest weight."""
        result: list[frozenset[str]] = []
        for person in self.people:
            if not person.interests:
                result.append(frozenset())
                continue
            top = max(person.interests.values())
            result.append(frozenset(g for g, w in person.interests.items() if w == top))
        return result

    def weight(self, p: int, s: int) -> int:
        return self.people[p].interests.get(self.sessions[s].product_group, 0)
