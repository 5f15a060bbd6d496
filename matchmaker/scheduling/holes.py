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
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from .domains import Domains
from .gaps import Agendas, DayBits
from .improve import MAX_CHAIN, SlotState
from .model import W_GAP, W_MOVED
from .stall import Stall

W_IDLE_SLOT = 1
KICK_PEOPLE = 3
KICK_MOVES = 3
# Longer chains tried, at most, to take a meeting out of a slot whose shared tables are full
PATH_TRIES = 20
PATH_SAMPLE = 3 * PATH_TRIES  # meetings drawn to find them among
EVALS_PER_SECOND = 20_000
MAX_KNOWN_COSTS = 1 << 20  # tried moves standing for a second in a reproducible run


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
        # meetings at a shared table that a swap may move
        self.movable = {mid: self.state.simple[mid] and not d.own_tables(d.meeting[mid])
                        for mid in self.state.simple}
        self.parts = {m.id: m.participants for m in d.problem.meetings}
        # the meetings of `movable` in each slot, kept in step by `swap`
        self.shared_at: list[dict[str, None]] = [{} for _ in d.slot_ids]
        for mid, pos in self.state.slot.items():
            if self.movable[mid]:
                self.shared_at[pos][mid] = None
        self.known_costs: dict[int, int] = {}  # busy mask -> its cost (`mask_cost`)
        self.end = ""  # the other end of the chain of the last move made
        # the swaps made since it was set, to undo them (`undo`)
        self.journal: list[tuple[list[str], int, int]] | None = None
        # each participant's cost as of the last `settle()`, and who has moved since
        self.own_cost = {p: self.person_cost(p) for p in self.people}
        self.total = sum(self.own_cost.values())
        self.holed = {p for p in self.people if self.has_hole(p)}
        self.dirty: set[str] = set()

    def mask_cost(self, mask: int) -> int:
        """The cost of a busy mask, remembered: the same few masks recur all the time."""
        cost = self.known_costs.get(mask)
        if cost is None:
            if len(self.known_costs) >= MAX_KNOWN_COSTS:
                self.known_costs.clear()
            gaps, idle = self.agendas.bits.gaps(mask)
            cost = self.known_costs[mask] = W_GAP * gaps + W_IDLE_SLOT * idle
        return cost

    def swap(self, chain: list[str], a: int, b: int) -> bool:
        """`SlotState.swap`, keeping the busy masks in step: every meeting of a chain's
        participants in slots a and b is on the chain, so clearing both slots' bits and
        setting the new ones is exact."""
        if not self.state.swap(chain, a, b):
            return False
        if self.journal is not None:
            self.journal.append((chain, a, b))
        people = [p for mid in chain for p in self.d.meeting[mid].participants]
        self.dirty.update(people)
        for p in people:
            self.agendas.discard(p, a)
            self.agendas.discard(p, b)
        for mid in chain:
            pos = self.state.slot[mid]
            for p in self.d.meeting[mid].participants:
                self.agendas.add(p, pos)
            if self.movable[mid]:
                del self.shared_at[b if pos == a else a][mid]
                self.shared_at[pos][mid] = None
        return True

    def undo(self) -> None:
        """Swap back every chain swapped since `journal` was set, newest first."""
        journal, self.journal = self.journal or [], None
        with self._loose():
            for chain, a, b in reversed(journal):
                self.swap(chain, a, b)

    def person_cost(self, p: str) -> int:
        return self.mask_cost(self.agendas.mask.get(p, 0))

    def settle(self) -> None:
        """Bring the costs and the participants with holes up to date with the swaps."""
        for p in self.dirty:
            cost = self.person_cost(p)
            self.total += cost - self.own_cost.get(p, 0)
            self.own_cost[p] = cost
            if self.has_hole(p):
                self.holed.add(p)
            else:
                self.holed.discard(p)
        self.dirty.clear()

    def cost(self) -> int:
        self.settle()
        return self.total + W_MOVED * sum(1 for mid, pos in self.previous.items()
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
        """Swap slots a and b on the chain from p's meeting in a, where it lowers the
        cost; where that overfills a slot's shared tables, together with the meeting
        of that slot that moves to the other at the least cost (`_cheapest_out`)."""
        person = self.state.person
        if (p, a) not in person or (p, b) in person:
            return False
        found = self._chain(p, a, b)
        if found is None or not found[0]:
            return False
        chain, end = found
        last = a if len(chain) % 2 else b
        delta = self._moved_delta(chain, a, b) + self._shift_cost(p, a, b) \
            + self._shift_cost(end, last, b if last == a else a)
        if delta > 0 or (delta == 0 and not accept_equal):
            return False
        if self.swap(chain, a, b):
            self.end = end
            return True
        full = self._overfull(chain, a, b)
        if full is None:
            return False
        with self._loose():
            self.swap(chain, a, b)
        other = a if full == b else b
        pick = self._cheapest_out(full, other, set(chain), -delta + accept_equal)
        if pick is None:
            self._revert([(chain, a, b)])
            return False
        self.swap(pick, full, other)
        self.end = end
        return True

    def _shift_cost(self, p: str, old: int, new: int) -> int:
        """What moving one of p's meetings from slot `old` to the free slot `new` does
        to p's agenda."""
        bit = self.agendas.bits.bit
        mask = self.agendas.mask.get(p, 0)
        return self.mask_cost((mask & ~bit[old]) | bit[new]) - self.mask_cost(mask)

    def _revert(self, swaps: list[tuple[list[str], int, int]]) -> None:
        """Undo the swaps of a move just tried, leaving the journal as it was before."""
        with self._loose():
            for chain, a, b in reversed(swaps):
                self.swap(chain, a, b)
        if self.journal is not None:
            del self.journal[-2 * len(swaps):]

    @contextmanager
    def _loose(self) -> Iterator[None]:
        """Shared tables without a limit, for the steps of a move that together keep it."""
        capacity, self.state.capacity = self.state.capacity, 1 << 30
        try:
            yield
        finally:
            self.state.capacity = capacity

    def _overfull(self, chain: list[str], a: int, b: int) -> int | None:
        """The slot of a and b whose shared tables the chain swap would overfill by
        one, if that alone stops it."""
        d, state = self.d, self.state
        net = 0
        for mid in chain:
            old = state.slot[mid]
            if (b if old == a else a) not in state.allowed[mid]:
                return None
            if not d.own_tables(d.meeting[mid]):
                net += 1 if old == a else -1
        full = b if net == 1 else a if net == -1 else None
        return full if full is not None and state.pooled[full] >= state.capacity else None

    def _cheapest_out(self, full: int, other: int, chain: set[str], below: int
                      ) -> list[str] | None:
        """The chain of meetings alternating between slots `full` and `other`, off
        `chain`, whose swap takes one shared-table meeting out of `full` (one meeting
        whose participants are free in `other`, or a longer chain) at the least cost
        to its ends' agendas and published places, if that cost is below `below`."""
        out = self._cheapest_single(full, other, chain, below)
        if out is not None:
            return out
        d, state, best = self.d, self.state, below
        at = list(state.at[full])
        tries = PATH_TRIES
        for mid in self.rng.sample(at, min(len(at), PATH_SAMPLE)):
            if mid in chain or not state.simple[mid]:
                continue
            tries -= 1
            if tries < 0:
                break
            u, v = d.meeting[mid].participants
            side_u = self._chain(u, other, full)
            side_v = self._chain(v, other, full) if side_u is not None else None
            if side_u is None or side_v is None:
                continue
            path = side_u[0][::-1] + [mid] + side_v[0]
            if len(path) > MAX_CHAIN or len(set(path)) < len(path) \
                    or not self._takes_one_out(path, full, other):
                continue
            cost = self._moved_delta(path, full, other)
            for side, end in (side_u, side_v):
                lost = other if len(side) % 2 else full
                cost += self._shift_cost(end, lost, full if lost == other else other)
            if cost < best:
                out, best = path, cost
                if cost <= 0:
                    break
        return out

    def _cheapest_single(self, full: int, other: int, chain: set[str], below: int
                         ) -> list[str] | None:
        """The shared-table meeting of slot `full` whose participants are both free in
        `other` that moves there at the least cost, if below `below`: on busy masks and
        remembered mask costs, as this runs over a whole slot."""
        mask, bit, cost_of = self.agendas.mask, self.agendas.bits.bit, self.mask_cost
        clear, set_other = ~bit[full], bit[other]
        allowed, parts = self.state.allowed, self.parts
        out, best = None, below
        for mid in self.shared_at[full]:
            u, v = parts[mid]
            mu, mv = mask[u], mask[v]
            if (mu | mv) & set_other or mid in chain or other not in allowed[mid]:
                continue
            cost = cost_of((mu & clear) | set_other) - cost_of(mu) \
                + cost_of((mv & clear) | set_other) - cost_of(mv)
            if self.previous:
                cost += self._moved_delta([mid], full, other)
            if cost < best:
                out, best = [mid], cost
                if cost <= 0:
                    break
        return out

    def _takes_one_out(self, path: list[str], full: int, other: int) -> bool:
        """Whether swapping the path's slots is allowed and leaves one shared-table
        meeting fewer in `full`."""
        state, net = self.state, 0
        for mid in path:
            old = state.slot[mid]
            if (other if old == full else full) not in state.allowed[mid]:
                return False
            if self.movable[mid]:
                net += 1 if old == full else -1
        return net == 1

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

    def descend(self, people: list[str], limits: _Limits) -> None:
        """Improving moves for `people` with holes, then for the other end of every
        move made, until none is left: a local optimum around those agendas."""
        order = list(dict.fromkeys(people))
        self.rng.shuffle(order)
        todo, queued = deque(order), set(order)
        while todo:
            p = todo.popleft()
            queued.discard(p)
            if not self.has_hole(p):
                continue
            pairs = self.candidates(p)
            self.rng.shuffle(pairs)
            for a, b in pairs:
                if limits.reached(self.evals):
                    return
                self.evals += 1
                if self.try_move(p, a, b, accept_equal=False):
                    for q in (self.end, p):
                        if q not in queued:
                            queued.add(q)
                            todo.append(q)
                    break

    def kick(self, people: int) -> list[str]:
        """Random swaps, whatever they cost, around a few participants with holes;
        returns the participants whose agendas changed."""
        self.settle()
        self.evals += 1  # a kick is work too, even one that finds no swap to make
        holed = sorted(self.holed)
        touched: list[str] = []
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
                    touched += [p, found[1]]
        return list(dict.fromkeys(touched))

    def has_hole(self, p: str) -> bool:
        return self.agendas.gaps(p) != (0, 0)


def reduce_holes(d: Domains, slots: Mapping[str, int], *, deadline: float, seed: int = 0,
                 max_evals: int | None = None, perturb: bool = True,
                 should_stop: Callable[[], bool] | None = None,
                 on_round: Callable[[int, dict[str, int]], None] | None = None,
                 clock: Callable[[], float] | None = None) -> dict[str, int]:
    """The same meetings in slots with fewer idle gaps (never more).

    Descends to a local optimum, then, while time is left, kicks the agendas of
    a few participants that still have holes with random swaps and descends
    again around what the kick touched, undoing it when it made things worse (an
    iterated local search). Stops at the wall-clock deadline or after `max_evals`
    tried moves (the latter makes a run reproducible), when `should_stop()` says
    so, or once it stopped gaining (`Stall`, on `clock`: wall time, or in a
    reproducible run tried moves at `EVALS_PER_SECOND`). `on_round` gets the best
    cost and slots after each descent.
    """
    search = HoleSearch(d, slots, seed)
    if clock is None:
        clock = time.perf_counter if max_evals is None else \
            (lambda: search.evals / EVALS_PER_SECOND)
    stall = Stall(clock)
    limits = _Limits(deadline, max_evals, should_stop)
    search.descend(search.people, limits)
    stall.gained()
    best_cost = search.cost()
    if on_round is not None:
        on_round(best_cost, dict(search.state.slot))
    while perturb and search.holed and not limits.reached(search.evals) \
            and not stall.stalled():
        search.journal = []
        search.descend(search.kick(KICK_PEOPLE), limits)
        cost = search.cost()
        if cost > best_cost:
            search.undo()
        elif cost < best_cost:
            best_cost = cost
            stall.gained()
            if on_round is not None:
                on_round(best_cost, dict(search.state.slot))
    search.journal = None
    return dict(search.state.slot)


class _Limits:
    """The deadline, the budget of tried moves and the stop signal of one search."""

    def __init__(self, deadline: float, max_evals: int | None,
                 should_stop: Callable[[], bool] | None) -> None:
        self.deadline, self.max_evals, self.should_stop = deadline, max_evals, should_stop

    def reached(self, evals: int) -> bool:
        return time.perf_counter() > self.deadline \
            or (self.max_evals is not None and evals >= self.max_evals) \
            or (self.should_stop is not None and self.should_stop())
