"""Fewer idle gaps at the same value: local search with Kempe-chain swaps.

Swapping slots a and b along the chain of meetings that alternate between
them keeps every participant inside the chain busy in both slots; only the two
ends change. So a swap started at a participant's meeting in slot a, with b a
free slot in one of its holes, fills that hole and touches exactly one other
agenda: cheap to evaluate, and it keeps every meeting scheduled (the value does
not change). Moves from a previous placement are charged, so a re-solve keeps
published meetings where they are unless a hole is worth more.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping

from .domains import Domains
from .gaps import Agendas, DayBits
from .improve import MAX_CHAIN, SlotState
from .model import W_GAP, W_MOVED

W_IDLE_SLOT = 1
KICK_PEOPLE = 8
KICK_MOVES = 3
# Kicks in a row without a better schedule after which the search gives up.
KICK_PATIENCE = 300


class HoleSearch:
    def __init__(self, d: Domains, slots: Mapping[str, int], seed: int = 0) -> None:
        self.d = d
        self.state = SlotState(d, slots)
        # who is busy when, as bit masks: the idle-gap count shared with compact()
        self.agendas = Agendas.of(DayBits(d.days, len(d.slot_ids)), self.state.person)
        self.rng = random.Random(seed)
        self.previous: dict[str, int] = {
            m.id: d.slot_pos[m.previous.slot] for m in d.problem.meetings
            if m.previous is not None and m.fixed is None}
        self.people = sorted(d.meetings_of)
        self.evals = 0

    def day_cost(self, p: str, day: int) -> int:
        gaps, idle = self.agendas.day_gaps(p, day)
        return W_GAP * gaps + W_IDLE_SLOT * idle

    def swap(self, chain: list[str], a: int, b: int) -> bool:
        """`SlotState.swap`, keeping the busy masks in step: every meeting of a chain's
        participants in slots a and b is on the chain, so clearing both slots' bits and
        setting the new ones is exact."""
        if not self.state.swap(chain, a, b):
            return False
        people = [p for mid in chain for p in self.d.meeting[mid].participants]
        for p in people:
            self.agendas.discard(p, a)
            self.agendas.discard(p, b)
        for mid in chain:
            pos = self.state.slot[mid]
            for p in self.d.meeting[mid].participants:
                self.agendas.add(p, pos)
        return True

    def cost(self) -> int:
        total = sum(self.day_cost(p, day) for p in self.people for day in range(len(self.d.days)))
        return total + W_MOVED * sum(1 for mid, pos in self.previous.items()
                                     if self.state.slot.get(mid) != pos)

    def _chain(self, start: str, a: int, b: int) -> tuple[list[str], str] | None:
        state = self.state
        out: list[str] = []
        node, colour = start, a
        seen: set[str] = set()
        while True:
            mid = state.person.get((node, colour))
            if mid is None:
                return out, node
            if mid in seen or len(out) >= MAX_CHAIN or not state.simple[mid]:
                return None
            seen.add(mid)
            out.append(mid)
            m = self.d.meeting[mid]
            node = m.participants[1] if m.participants[0] == node else m.participants[0]
            colour = b if colour == a else a

    def _moved_delta(self, chain: list[str], a: int, b: int) -> int:
        delta = 0
        for mid in chain:
            prev = self.previous.get(mid)
            if prev is None:
                continue
            old = self.state.slot[mid]
            new = b if old == a else a
            delta += (new != prev) - (old != prev)
        return W_MOVED * delta

    def try_move(self, p: str, a: int, b: int, accept_equal: bool) -> bool:
        person = self.state.person
        if (p, a) not in person or (p, b) in person:
            return False
        found = self._chain(p, a, b)
        if found is None or not found[0]:
            return False
        chain, end = found
        d = self.d
        days = {d.slot_day[a], d.slot_day[b]}
        touched = {p, end}
        before = sum(self.day_cost(q, day) for q in touched for day in days)
        moved = self._moved_delta(chain, a, b)
        if not self.swap(chain, a, b):
            return False
        delta = sum(self.day_cost(q, day) for q in touched for day in days) - before + moved
        if delta < 0 or (accept_equal and delta == 0):
            return True
        self.swap(chain, a, b)
        return False

    def candidates(self, p: str) -> list[tuple[int, int]]:
        """(a, b) pairs worth trying for p: a meeting slot and a free slot in or next to
        its span that day."""
        d, person = self.d, self.state.person
        out = []
        for positions in d.days:
            busy = [pos for pos in positions if (p, pos) in person]
            if len(busy) < 1:
                continue
            first, last = busy[0], busy[-1]
            holes = [pos for pos in range(first, last + 1) if (p, pos) not in person]
            edges = [pos for pos in (first - 1, last + 1) if pos in positions and
                     (p, pos) not in person]
            for b in holes + edges:
                for a in busy:
                    out.append((a, b))
        return out

    def run(self, deadline: float, max_rounds: int = 50, max_evals: int | None = None,
            should_stop: Callable[[], bool] | None = None) -> dict[str, int]:
        people = list(self.people)
        evals = self.evals = 0
        for round_ in range(max_rounds):
            improved = False
            self.rng.shuffle(people)
            for p in people:
                if time.perf_counter() > deadline or (should_stop is not None and should_stop()):
                    return dict(self.state.slot)
                if not self._has_hole(p):
                    continue
                pairs = self.candidates(p)
                self.rng.shuffle(pairs)
                for a, b in pairs:
                    evals += 1
                    self.evals = evals
                    if max_evals is not None and evals > max_evals:
                        return dict(self.state.slot)
                    if self.try_move(p, a, b, accept_equal=round_ % 2 == 1):
                        improved = True
                        if not self._has_hole(p):
                            break
            if not improved:
                break
        return dict(self.state.slot)

    def kick(self, people: int) -> None:
        """Random swaps, whatever they cost, around a few participants with holes."""
        holed = [p for p in self.people if self._has_hole(p)]
        for p in self.rng.sample(holed, min(people, len(holed))):
            pairs = self.candidates(p)
            self.rng.shuffle(pairs)
            done = 0
            for a, b in pairs:
                person = self.state.person
                if done >= KICK_MOVES or (p, a) not in person or (p, b) in person:
                    continue
                found = self._chain(p, a, b)
                if found and found[0] and self.swap(found[0], a, b):
                    done += 1

    def _has_hole(self, p: str) -> bool:
        return self.agendas.gaps(p) != (0, 0)


def reduce_holes(d: Domains, slots: Mapping[str, int], *, deadline: float, seed: int = 0,
                 max_rounds: int = 50, max_evals: int | None = None, perturb: bool = True,
                 should_stop: Callable[[], bool] | None = None,
                 on_round: Callable[[int, dict[str, int]], None] | None = None
                 ) -> dict[str, int]:
    """The same meetings in slots with fewer idle gaps (never more).

    Descends to a local optimum, then, while time is left, kicks the agendas of
    a few participants that still have holes with random swaps and descends
    again, keeping the best (an iterated local search). Stops at the wall-clock
    deadline or after `max_evals` tried moves (the latter makes a run
    reproducible) or when `should_stop()` says so. `on_round` gets the best cost
    and slots after each descent.
    """
    search = HoleSearch(d, slots, seed)
    best_cost = search.cost()
    best = dict(slots)
    evals_left = max_evals
    stale = 0
    while True:
        result = search.run(deadline, max_rounds, evals_left, should_stop)
        cost = search.cost()
        stale = 0 if cost < best_cost else stale + 1
        if cost <= best_cost:
            best, best_cost = result, cost
        if on_round is not None:
            on_round(best_cost, best)
        if should_stop is not None and should_stop():
            break
        if evals_left is not None:
            evals_left -= search.evals
            if evals_left <= 0:
                break
        if not perturb or time.perf_counter() > deadline or search.evals == 0 \
                or stale >= KICK_PATIENCE:
            break
        search = HoleSearch(d, best, seed=search.rng.randrange(1 << 30))
        search.kick(KICK_PEOPLE)
    return best
