"""Fewer idle gaps by SAT neighbourhood search from a placement.

MaxSAT (`maxsat.py`) proves the fewest holes on the crowded B2B days within
seconds, but its last SAT call, the one that finds a placement at that cost,
can take longer than the whole search is given, and the annealing levels off a
few holes above. This search takes the MaxSAT clause set (every hard rule, each
participant within its cap) plus a count of all holes, and asks one
incremental SAT solver, again and again, for a placement with fewer holes than
the incumbent while every meeting outside a neighbourhood keeps its slot. The
kept slots are assumptions, so one solver, and what it has learnt, serves every
call; a conflict budget keeps each call short: a placement (adopted at once),
a proof that the neighbourhood holds none, or nothing, and another
neighbourhood is tried. Its size adapts: it grows while calls end within the
budget and shrinks when they do not.

A neighbourhood is the meetings of a participant with holes above its own
minimum, of the people it meets, of the people they meet..., up to the size;
or the meetings of a run of consecutive slots of one day.

No OR-Tools here.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from pysat.card import ITotalizer
from pysat.solvers import Solver

from .maxsat import Encoding
from .meetingset import MeetingSet
from .placement import occupancy

# the SAT solver (its conflict budget works with assumptions) and the conflicts one
# neighbourhood may take
SOLVER = "glucose4"
CONFLICTS = 300
# meetings freed by one neighbourhood: the first size and the smallest; the share of
# neighbourhoods built around a participant (the others: a run of slots)
START_SIZE = 24
MIN_SIZE = 8
AROUND_SHARE = 0.7

Placement = tuple[list[int], dict[int, str]]


class HoleSearch:
    """One incremental solver over the hard rules, the caps and a count of all holes
    (up to `most`, the most the incumbent will ever have)."""

    def __init__(self, data: MeetingSet, caps: Sequence[int], own: Sequence[int],
                 most: int, seed: int = 0) -> None:
        self.data, self.own = data, list(own)
        self.enc = Encoding(data, caps, redundant=True)
        at_least = [-c[0] for c in self.enc.wcnf.soft]  # "p has at least j holes", each a hole
        self.solver = Solver(name=SOLVER, bootstrap_with=self.enc.wcnf.hard)
        self.exceeds: list[int] = []  # exceeds[j] true: more than j holes
        if at_least and most > 0:
            count = ITotalizer(at_least, ubound=most, top_id=self.enc.top)
            self.exceeds = list(count.rhs)
            self.solver.append_formula(count.cnf.clauses)
            count.delete()
        self.rng = random.Random(seed)
        self.size = START_SIZE
        self.calls = 0

    def close(self) -> None:
        self.solver.delete()

    def try_once(self, assign: list[int], holes: int) -> Placement | None:
        """A placement with fewer than `holes` holes that keeps every meeting outside one
        neighbourhood at its slot in `assign`, or None (none there, or not within the
        conflict budget)."""
        self.calls += 1
        if not 0 < holes <= len(self.exceeds):
            return None
        free = self.neighbourhood(assign)
        x = self.enc.x
        assumptions = [x[k][s] for k, s in enumerate(assign) if k not in free]
        assumptions.append(-self.exceeds[holes - 1])
        self.solver.conf_budget(CONFLICTS)
        got = self.solver.solve_limited(assumptions=assumptions)
        if got is None:
            self.size = max(MIN_SIZE, int(self.size * 0.9))
            return None
        self.size = min(self.data.n, int(self.size * 1.05) + 1)
        model = self.solver.get_model() if got else None
        return None if model is None else self.enc.decode(model)

    def neighbourhood(self, assign: list[int]) -> set[int]:
        """Meetings to free: around a participant above its own minimum, or a run of slots."""
        data, rng = self.data, self.rng
        gaps = occupancy(data, assign)
        over = [p for p in range(len(data.pids)) if gaps.gaps(p)[0] > self.own[p]]
        if over and rng.random() < AROUND_SHARE:
            return self.around(rng.choice(over))
        day = rng.choice(data.days)
        width = max(2, min(len(day), self.size * len(day) // max(1, data.n)))
        first = rng.randrange(len(day) - width + 1)
        slots = set(day[first:first + width])
        return {k for k, s in enumerate(assign) if s in slots}

    def around(self, p: int) -> set[int]:
        """The meetings of p, then of the people p meets, and so on (breadth first, each
        circle in random order) until there are `size` of them."""
        data, rng = self.data, self.rng
        free: set[int] = set()
        queue, seen = [p], {p}
        while queue and len(free) < self.size:
            q = queue.pop(0)
            free.update(data.by_part[q])
            met = [r for k in data.by_part[q] for r in data.mparts[k] if r not in seen]
            rng.shuffle(met)
            for r in met:
                if r not in seen:
                    seen.add(r)
                    queue.append(r)
        return free


def improve(search: HoleSearch, assign: list[int], holes: int, stop: Callable[[], bool],
            better: Callable[[list[int], dict[int, str]], None], target: int = 0) -> int:
    """Neighbourhood calls from `assign` until `stop()` or `target` holes; `better` hears
    each placement with fewer holes. The holes reached."""
    while holes > target and not stop():
        got = search.try_once(assign, holes)
        if got is not None:
            assign = got[0]
            holes = occupancy(search.data, assign).total()[0]
            better(*got)
    return holes
