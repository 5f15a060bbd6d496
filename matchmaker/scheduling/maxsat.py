"""Fewest idle gaps for a fixed set of meetings, as a weighted MaxSAT problem.

`compact()` places a fixed set of meetings with the fewest holes (a hole is a
maximal run of free slots of a participant between two of its meetings on one
day). On crowded days that objective defeats both a plain CP-SAT model and local
search, while a core-guided MaxSAT solver (RC2, from the PySAT library) proves the
optimum in seconds: its cores say "one of these participants must have a hole",
which is exactly the reasoning the problem needs.

The encoding, over the slot indices of `compact._Data`:

- `x[k, s]`: meeting k is at slot s, exactly one per meeting over its allowed
  slots; a meeting between two stand owners also chooses one of the two stands;
- at most `len(pool)` pooled meetings per slot and one meeting per stand and slot;
- `y[p, s]`: participant p meets at s (exactly when one of its meetings is there;
  at most one is), and p meets in exactly as many slots as it has meetings;
- `z[p, s]`: p has met at or before s on that day; a hole of p ends at s when p
  meets at s, not at the slot before, and has met earlier that day;
- each participant's holes are counted in unary (a totalizer); every "p has at
  least j holes" output is one soft clause of weight 1, so the cost is the number
  of holes;
- each participant is held to at most `caps[p]` holes. The cap keeps the search
  small (no one absorbs all the holes); `proven_bound` turns the capped optimum
  into a bound on the uncapped problem;
- optionally (`redundant`), at most twice the number of tables participants meet
  per slot: implied by the rest, and it shortens the proofs on some instances
  and lengthens them on others, so `compact()` runs both variants in turn.

This module knows nothing of Flask and nothing of the rest of `compact()` beyond
the attributes of its instance data it reads.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Callable, Protocol, Sequence

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.examples.rc2 import RC2
from pysat.formula import WCNF

# past this many (meeting, slot) pairs the clause set grows too large to be worth it:
# the published B2B-forum instances have at most 5,926; the 2,000-attendee demo's
# 2,987 meetings (about 38,000 pairs) took 2.6 GB in the MaxSAT child, and its proof
# did not end within a minute, where the local hole search gives as few idle gaps
# (125 against 122) in 0.2 GB
MAX_PAIRS = 15_000


class _Instance(Protocol):
    pool: list[str]
    days: list[list[int]]
    mparts: list[tuple[int, int]]
    by_part: list[list[int]]
    allowed: list[list[int]]
    tables: list[list[str]]
    pin_table: list[str | None]


@dataclass(frozen=True)
class Variant:
    """One way to state and solve the problem: with the implied per-slot count or not,
    the SAT solver, and RC2's core exhaustion and core minimisation."""

    redundant: bool
    solver: str
    exhaust: bool = False
    minz: bool = False

    @property
    def name(self) -> str:
        extras = "".join(f"-{o}" for o in ("exhaust", "minz") if getattr(self, o))
        return f"maxsat-{'redundant-' if self.redundant else ''}{self.solver}{extras}"


# the two variants that, between them, solve every instance of the published
# benchmark quickly (each alone stalls on a few)
VARIANTS = (Variant(redundant=False, solver="glucose3"), Variant(redundant=True, solver="cadical153"))


@dataclass(frozen=True)
class Outcome:
    """A placement with the fewest holes under the caps: slot per meeting, stand choices, holes."""

    assign: list[int]
    choice: dict[int, str]
    holes: int


def applicable(data: _Instance) -> bool:
    """Whether the instance is small enough for the clause set to be built quickly."""
    return sum(len(a) for a in data.allowed) <= MAX_PAIRS


class Encoding:
    def __init__(self, data: _Instance, caps: Sequence[int], redundant: bool) -> None:
        self.data = data
        self.top = 0  # highest variable number in use
        self.wcnf = WCNF()
        self.x: list[dict[int, int]] = []
        self.first_stand: dict[int, int] = {}  # meeting -> "at its first candidate stand"
        self._meetings()
        self._tables()
        y = self._participants(redundant)
        self._holes(y, caps)

    def _hard(self, clauses) -> None:
        for c in clauses:
            self.wcnf.append(c)

    def _new(self) -> int:
        self.top += 1
        return self.top

    def _card(self, lits: list[int], bound: int, kind: str) -> None:
        make = {"atmost": CardEnc.atmost, "equals": CardEnc.equals}[kind]
        enc = make(lits, bound, top_id=self.top, encoding=EncType.seqcounter)
        self.top = max(self.top, enc.nv)
        self._hard(enc.clauses)

    def _meetings(self) -> None:
        d = self.data
        for k, slots in enumerate(d.allowed):
            xs = {s: self._new() for s in slots}
            self.x.append(xs)
            self._card(list(xs.values()), 1, "equals")
            if len(d.tables[k]) > 1 and d.pin_table[k] is None:
                self.first_stand[k] = self._new()

    def _tables(self) -> None:
        d = self.data
        pooled: dict[int, list[int]] = {}
        stand: dict[tuple[str, int], list[int]] = {}
        for k, xs in enumerate(self.x):
            cands = d.tables[k]
            for s, v in xs.items():
                if not cands:
                    pooled.setdefault(s, []).append(v)
                elif k not in self.first_stand:
                    stand.setdefault((d.pin_table[k] or cands[0], s), []).append(v)
                else:
                    c = self.first_stand[k]
                    for t, sign in zip(cands[:2], (1, -1)):
                        u = self._new()
                        self.wcnf.append([-v, -sign * c, u])
                        stand.setdefault((t, s), []).append(u)
        for lits in pooled.values():
            if len(lits) > len(d.pool):
                self._card(lits, len(d.pool), "atmost")
        for lits in stand.values():
            if len(lits) > 1:
                self._hard(CardEnc.atmost(lits, 1, encoding=EncType.pairwise).clauses)
        self.n_tables = len(d.pool) + len({t for t, _ in stand})

    def _participants(self, redundant: bool) -> list[dict[int, int]]:
        d = self.data
        y: list[dict[int, int]] = []
        for ks in d.by_part:
            at: dict[int, list[int]] = {}
            for k in ks:
                for s, v in self.x[k].items():
                    at.setdefault(s, []).append(v)
            ys: dict[int, int] = {}
            for s, lits in at.items():
                yv = self._new()
                ys[s] = yv
                for v in lits:
                    self.wcnf.append([-v, yv])
                self.wcnf.append([-yv] + lits)
                if len(lits) > 1:
                    self._hard(CardEnc.atmost(lits, 1, encoding=EncType.pairwise).clauses)
            if len(ys) > len(ks):
                self._card(list(ys.values()), len(ks), "equals")
            y.append(ys)
        if redundant:
            per_slot: dict[int, list[int]] = {}
            for ys in y:
                for s, v in ys.items():
                    per_slot.setdefault(s, []).append(v)
            for lits in per_slot.values():
                if len(lits) > 2 * self.n_tables:
                    self._card(lits, 2 * self.n_tables, "atmost")
        return y

    def _holes(self, y: list[dict[int, int]], caps: Sequence[int]) -> None:
        for p, ys in enumerate(y):
            ends: list[int] = []
            for day in self.data.days:
                met = None  # "p has met at or before the previous slot of this day"
                prev = None  # p meets at the previous slot (None: cannot)
                for s in day:
                    cur = ys.get(s)
                    if cur is not None and met is not None:
                        h = self._new()
                        self.wcnf.append([-cur, -met, h] + ([prev] if prev is not None else []))
                        ends.append(h)
                    if cur is not None:
                        z = self._new()
                        self.wcnf.append([-cur, z])
                        if met is not None:
                            self.wcnf.append([-met, z])
                        met = z
                    prev = cur
            if not ends:
                continue
            cap = caps[p]
            tot = ITotalizer(ends, ubound=cap, top_id=self.top)
            self.top = max(self.top, tot.top_id)
            self._hard(tot.cnf.clauses)
            for j, out in enumerate(tot.rhs):
                if j < cap:
                    self.wcnf.append([-out], weight=1)
                else:
                    self.wcnf.append([-out])
            tot.delete()

    def decode(self, model: list[int]) -> tuple[list[int], dict[int, str]]:
        true = {v for v in model if v > 0}
        assign = [next(s for s, v in xs.items() if v in true) for xs in self.x]
        choice = {k: self.data.tables[k][0 if c in true else 1] for k, c in self.first_stand.items()}
        return assign, choice


class _RC2(RC2):
    """RC2 that tells `on_cost` each cost it has proven: after every core, the cost
    so far is a lower bound on the optimum under the caps."""

    def __init__(self, formula: WCNF, on_cost: Callable[[int], None] | None, **options) -> None:
        super().__init__(formula, **options)
        self.on_cost = on_cost

    def process_core(self) -> None:
        super().process_core()
        if self.on_cost is not None:
            self.on_cost(self.cost)


def solve(data: _Instance, caps: Sequence[int], variant: Variant,
          on_cost: Callable[[int], None] | None = None) -> Outcome | None:
    """The placement with the fewest holes with participant p at most `caps[p]` holes.

    None when no placement keeps everyone under their cap. Runs until it has
    proven the optimum: call it where it can be stopped from outside (a child
    process). `on_cost` hears each lower bound on that optimum as the proof
    raises it: on the crowded instances the bound reaches the optimum long before
    the last SAT call finds a placement (`forum-13crafb`: 6 holes proven after
    11 s, the placement 28 s later), so a stopped run still leaves its bound.
    """
    enc = Encoding(data, caps, variant.redundant)
    with _RC2(enc.wcnf, on_cost, solver=variant.solver, exhaust=variant.exhaust,
              minz=variant.minz) as rc2:
        model = rc2.compute()
        if model is None:
            return None
        assign, choice = enc.decode(model)
        return Outcome(assign, choice, rc2.cost)


def proven_bound(holes: int, caps: Sequence[int], own: Sequence[int]) -> int:
    """A lower bound on holes without the caps, from the optimum `holes` under them.

    A placement with fewer holes either keeps every cap (impossible: `holes` is
    the optimum there) or gives some participant p more than `caps[p]` holes,
    while every other participant q has at least its own minimum `own[q]`.
    """
    total = sum(own)
    over = min((cap + 1 + total - mine for cap, mine in zip(caps, own)), default=holes)
    return min(holes, over)


def _exit_with_parent(conn: Connection) -> None:
    """In a MaxSAT child: end at once when the parent says so or is gone (the solver
    cannot be interrupted, and an orphan would hold a core until its proof ends)."""
    try:
        conn.recv()
    except (EOFError, OSError):
        pass
    os._exit(0)


def child(conn: Connection) -> None:
    """A MaxSAT child: says "ready" once imported, waits for a task (instance, caps,
    variant; None: nothing to do), sends ("bound", cost) each time the proof raises
    its lower bound, then (slots, stand choices, holes), or "infeasible" when nobody
    can stay within their cap. Started before the caps are known, so that its
    start-up overlaps the parent's work."""
    conn.send("ready")
    try:
        task = conn.recv()
    except (EOFError, OSError):
        return
    if task is None:
        return
    data, caps, variant = task
    threading.Thread(target=_exit_with_parent, args=(conn,), daemon=True).start()
    out = solve(data, caps, variant, on_cost=lambda cost: conn.send(("bound", cost)))
    conn.send("infeasible" if out is None else (out.assign, out.choice, out.holes))
    conn.close()
