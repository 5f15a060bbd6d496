"""Local search on slot assignments: insert meetings by Kempe-chain swaps and ejections.

A slot assignment is an edge colouring of the meeting graph (participants are
nodes, meetings edges, slots colours). To fit an unscheduled meeting u-v when
u is free in slot a and v in slot b, swap a and b along the chain of meetings
alternating between the two slots from v: afterwards v is free in a too. The
classic move of edge colouring, checked here against availability, pins,
table counts and caps. Ejection places a meeting by removing lower-priority ones
and tries to re-insert them. Both only ever raise the weighted value, fast
enough to polish a greedy start before CP-SAT (which on its own needs seconds
for what these moves find at once) and to give it a better hint.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping

from .domains import Domains
from .problem import Meeting

MAX_CHAIN = 60


class SlotState:
    """Meetings in slots, with the occupancy needed to test moves quickly."""

    def __init__(self, d: Domains, slots: Mapping[str, int]) -> None:
        self.d = d
        self.slot: dict[str, int] = {}
        self.person: dict[tuple[str, int], str] = {}
        self.count: Counter[str] = Counter()
        self.pooled: Counter[int] = Counter()
        self.stand: dict[tuple[str, int], str] = {}
        self.at: dict[int, dict[str, None]] = {pos: {} for pos in range(len(d.slot_ids))}
        self.capacity = len(d.pooled)
        self.total = 0
        self.journal: list[tuple[Meeting, int | None]] | None = None
        self.simple: dict[str, bool] = {}
        self.allowed: dict[str, frozenset[int]] = {}
        for m in d.problem.meetings:
            own = d.own_tables(m)
            self.simple[m.id] = m.fixed is None and (
                not own or (len(own) == 1 and len(d.owners[own[0]]) == 1))
            self.allowed[m.id] = frozenset(d.allowed_slots(m)) if d.allowed_tables(m) \
                else frozenset()
        for mid, pos in slots.items():
            self.add(d.meeting[mid], pos)

    def value(self) -> int:
        return self.total

    def add(self, m: Meeting, pos: int) -> None:
        self.slot[m.id] = pos
        self.total += m.priority
        if self.journal is not None:
            self.journal.append((m, None))
        self.at[pos][m.id] = None
        for p in m.participants:
            self.person[(p, pos)] = m.id
            self.count[p] += 1
        own = self.d.own_tables(m)
        if not own:
            self.pooled[pos] += 1
        elif len(own) == 1:
            self.stand[(own[0], pos)] = m.id

    def remove(self, m: Meeting) -> int:
        pos = self.slot.pop(m.id)
        self.total -= m.priority
        if self.journal is not None:
            self.journal.append((m, pos))
        del self.at[pos][m.id]
        for p in m.participants:
            del self.person[(p, pos)]
            self.count[p] -= 1
        own = self.d.own_tables(m)
        if not own:
            self.pooled[pos] -= 1
        elif len(own) == 1:
            self.stand.pop((own[0], pos), None)
        return pos

    def table_ok(self, m: Meeting, pos: int) -> bool:
        own = self.d.own_tables(m)
        if not own:
            return self.pooled[pos] < self.capacity
        if len(own) == 1:
            return (own[0], pos) not in self.stand
        return False

    def can_add(self, m: Meeting, pos: int) -> bool:
        d = self.d
        return (pos in self.allowed[m.id]
                and all((p, pos) not in self.person and self.count[p] < d.cap(p)
                        for p in m.participants)
                and self.table_ok(m, pos))

    def chain(self, start: str, a: int, b: int, avoid: str) -> list[str] | None:
        """Meetings on the a/b alternating chain from `start`'s meeting in slot a."""
        out: list[str] = []
        node, colour = start, a
        seen: set[str] = set()
        while True:
            mid = self.person.get((node, colour))
            if mid is None:
                return out
            if mid in seen or len(out) >= MAX_CHAIN or not self.simple[mid]:
                return None
            seen.add(mid)
            out.append(mid)
            m = self.d.meeting[mid]
            node = m.participants[1] if m.participants[0] == node else m.participants[0]
            if node == avoid:
                return None
            colour = b if colour == a else a

    def swap(self, chain: list[str], a: int, b: int) -> bool:
        """Swap slots a and b on a chain if every meeting may move; False leaves it unchanged."""
        d = self.d
        moves = []
        for mid in chain:
            new = b if self.slot[mid] == a else a
            if new not in self.allowed[mid]:
                return False
            moves.append((d.meeting[mid], new))
        pooled_delta: Counter[int] = Counter()
        for m, new in moves:
            if not d.own_tables(m):
                pooled_delta[new] += 1
                pooled_delta[a if new == b else b] -= 1
        for pos in (a, b):
            if self.pooled[pos] + pooled_delta[pos] > self.capacity:
                return False
        for m, _ in moves:
            self.remove(m)
        for m, new in moves:
            self.add(m, new)
        return True

    def insert(self, m: Meeting) -> bool:
        """Place an unscheduled meeting directly or through one Kempe swap."""
        d = self.d
        allowed = self.allowed[m.id]
        if not allowed or any(self.count[p] >= d.cap(p) for p in m.participants):
            return False
        u, v = m.participants
        for pos in d.allowed_slots(m):
            if self.can_add(m, pos):
                self.add(m, pos)
                return True
        if not d.own_tables(m):
            for pos in d.allowed_slots(m):
                if (u, pos) not in self.person and (v, pos) not in self.person \
                        and self._free_a_table(pos):
                    self.add(m, pos)
                    return True
        free_u = [pos for pos in allowed if (u, pos) not in self.person]
        free_v = [pos for pos in allowed if (v, pos) not in self.person]
        for first, second, free_first, free_second in ((u, v, free_u, free_v),
                                                       (v, u, free_v, free_u)):
            for a in free_first:
                for b in free_second:
                    if b == a:
                        continue
                    chain = self.chain(second, a, b, avoid=first)
                    if not chain:
                        continue
                    if not self.swap(chain, a, b):
                        continue
                    if self.can_add(m, a):
                        self.add(m, a)
                        return True
                    self.swap(chain, a, b)
        return False

    def _free_a_table(self, pos: int) -> bool:
        """Move one meeting off the full shared tables of slot `pos` to a slot where
        both its participants are free and a shared table is left."""
        d = self.d
        if self.pooled[pos] < self.capacity:
            return True
        for mid in list(self.at[pos]):
            e = d.meeting[mid]
            if not self.simple[mid] or d.own_tables(e):
                continue
            for c in d.allowed_slots(e):
                if c != pos and self.pooled[c] < self.capacity and all(
                        (q, c) not in self.person for q in e.participants):
                    self.remove(e)
                    self.add(e, c)
                    return True
        return False

    def eject_insert(self, m: Meeting) -> bool:
        """Place m by removing the meetings in its way when they weigh less, then try
        to put them back elsewhere. Keeps the change only if the value rises."""
        d = self.d
        if not self.allowed[m.id] or not self.simple[m.id]:
            return False
        best_gain, best = 0, None
        for pos in d.allowed_slots(m):
            in_way = {self.person[(p, pos)] for p in m.participants if (p, pos) in self.person}
            if any(not self.simple[b] for b in in_way):
                continue
            if any(self.count[p] >= d.cap(p) and (p, pos) not in self.person for p in m.participants):
                continue
            blockers = sorted(in_way)
            if not d.own_tables(m) and self.pooled[pos] - sum(
                    1 for b in blockers if not d.own_tables(d.meeting[b])) >= self.capacity:
                if m.priority - sum(d.meeting[b].priority for b in blockers) - 1 < best_gain:
                    continue
                lightest = min((mid for mid in self.at[pos] if self.simple[mid]
                                and not d.own_tables(d.meeting[mid]) and mid not in blockers),
                               key=lambda mid: (d.meeting[mid].priority, mid), default=None)
                if lightest is None:
                    continue
                blockers.append(lightest)
            weight = sum(d.meeting[b].priority for b in blockers)
            own = d.own_tables(m)
            if own and (own[0], pos) in self.stand and self.stand[(own[0], pos)] not in blockers:
                continue
            if m.priority - weight > best_gain or (best is None and m.priority - weight >= 0
                                                   and blockers):
                best_gain, best = m.priority - weight, (pos, blockers)
        if best is None:
            return False
        pos, blockers = best
        before = self.value()
        self.journal = []
        for b in blockers:
            self.remove(d.meeting[b])
        if self.can_add(m, pos):
            self.add(m, pos)
            for b in sorted(blockers, key=lambda b: -d.meeting[b].priority):
                self.insert(d.meeting[b])
            if self.value() > before:
                self.journal = None
                return True
        self._rollback()
        return False

    def _rollback(self) -> None:
        """Undo every add and remove since the journal was opened, newest first."""
        journal, self.journal = self.journal or [], None
        for m, pos in reversed(journal):
            if pos is None:
                self.remove(m)
            else:
                self.add(m, pos)


def insert_in_order(d: Domains, slots: Mapping[str, int], order: list[Meeting], *,
                    compact: bool = False) -> dict[str, int]:
    """`slots` with the meetings of `order` added one by one where they fit, directly
    or through one Kempe swap (`SlotState.insert`); meetings that do not fit stay
    out, and so do pins and meetings that may use two stands (place them first).

    Given the meetings an LP picks first, this places a value-optimal set where a
    greedy that only takes common free slots leaves some of it out. `compact`
    puts each meeting, among the slots where it fits directly, where it fills a
    hole in its participants' agendas or extends them (`_placement_cost`) rather
    than in the earliest slot: the agendas start with fewer idle gaps.
    """
    state = SlotState(d, slots)
    for m in order:
        if m.id in state.slot or not state.simple[m.id]:
            continue
        pos = _compact_slot(state, m) if compact else None
        if pos is not None:
            state.add(m, pos)
        else:
            state.insert(m)
    return dict(state.slot)


def _compact_slot(state: SlotState, m: Meeting) -> int | None:
    """The slot where m fits directly and leaves its participants' agendas most compact."""
    d = state.d
    spans = {p: _spans(state, p) for p in m.participants}
    best: tuple[float, int] | None = None
    for pos in d.allowed_slots(m):
        if not state.can_add(m, pos):
            continue
        cost = sum(_placement_cost(state, spans[p], pos) for p in m.participants)
        if best is None or cost < best[0]:
            best = (cost, pos)
    return None if best is None else best[1]


def _spans(state: SlotState, p: str) -> dict[int, tuple[int, int]]:
    """Per day, the first and last slot where p meets."""
    d = state.d
    out: dict[int, tuple[int, int]] = {}
    for day, positions in enumerate(d.days):
        busy = [pos for pos in positions if (p, pos) in state.person]
        if busy:
            out[day] = (busy[0], busy[-1])
    return out


def _placement_cost(state: SlotState, spans: dict[int, tuple[int, int]], pos: int) -> float:
    """What a meeting at `pos` does to one participant's agenda: filling a hole is
    best, extending it next, starting the day in a slot whose shared tables are
    less used after that, and leaving a gap last (the wider the worse)."""
    span = spans.get(state.d.slot_day[pos])
    if span is None:
        return state.pooled[pos] / 1000.0
    first, last = span
    if first <= pos <= last:
        return -2.0
    distance = first - pos if pos < first else pos - last
    return 0.0 if distance == 1 else 3.0 + distance


def improve_value(d: Domains, slots: Mapping[str, int], *, deadline: float,
                  target: int | None = None, rounds: int = 6) -> dict[str, int]:
    """Raise the weighted value of a slot assignment by insertions and ejections.

    Stops at the deadline, at the target value (a proven bound) or after `rounds`
    passes over the unscheduled meetings.
    """
    state = SlotState(d, slots)
    order = sorted(d.problem.meetings, key=lambda m: (-m.priority, len(d.allowed_slots(m))))
    for _ in range(rounds):
        changed = False
        for m in order:
            if time.perf_counter() > deadline or (target is not None and state.value() >= target):
                return dict(state.slot)
            if m.id in state.slot:
                continue
            if state.insert(m) or state.eject_insert(m):
                changed = True
        if not changed:
            break
    return dict(state.slot)


def improve_fairness(d: Domains, slots: Mapping[str, int], *, deadline: float,
                     rounds: int = 4) -> dict[str, int]:
    """Raise the lowest shares of requests met without lowering the value.

    For the participants with the lowest share first, a meeting of theirs takes
    the place of one of no higher priority whose other participant keeps a
    higher share even after losing it; the displaced meeting is put back
    elsewhere when it fits.
    """
    state = SlotState(d, slots)
    requested = {p: len(mids) for p, mids in d.meetings_of.items() if mids}

    def share(p: str, extra: int = 0) -> float:
        return (state.count[p] + extra) / requested[p]

    for _ in range(rounds):
        changed = False
        for p in sorted(requested, key=lambda p: (share(p), p)):
            if time.perf_counter() > deadline:
                return dict(state.slot)
            if state.count[p] >= d.cap(p):
                continue
            waiting = [d.meeting[mid] for mid in d.meetings_of[p] if mid not in state.slot]
            for m in sorted(waiting, key=lambda m: (-m.priority, m.id)):
                if _swap_in(state, m, p, share):
                    changed = True
                    break
        if not changed:
            break
    return dict(state.slot)


def _swap_in(state: SlotState, m: Meeting, p: str, share) -> bool:
    d = state.d
    if not state.simple[m.id] or not state.allowed[m.id]:
        return False
    q = m.participants[1] if m.participants[0] == p else m.participants[0]
    for pos in d.allowed_slots(m):
        if (p, pos) in state.person:
            continue
        e_id = state.person.get((q, pos))
        if e_id is None or not state.simple[e_id]:
            continue
        e = d.meeting[e_id]
        if e.priority > m.priority or e.previous is not None:
            continue
        w = e.participants[1] if e.participants[0] == q else e.participants[0]
        if share(w, -1) <= share(p):
            continue
        state.remove(e)
        if state.can_add(m, pos):
            state.add(m, pos)
            state.insert(e)
            return True
        state.add(e, pos)
    return False
