"""Place a fixed set of meetings into slots and tables with the fewest idle gaps.

`compact()` is the second phase of scheduling: every given meeting must be placed
(all hard rules of the `matchmaker-instance/1` contract hold), and among those
schedules it minimises, lexicographically,

1. idle gaps ("holes": a maximal run of free slots of a participant between two of
   its meetings on the same day),
2. idle slots (the free slots inside those gaps),
3. table changes (a participant moving to another table between two consecutive
   meetings), and
4. meetings moved from their `previous` placement.

How it works, and why:

- Pooled tables (those nobody owns) are interchangeable, so the models only
  choose a slot per meeting, with a per-slot capacity on the pool and capacity 1
  per stand; concrete pooled tables are assigned afterwards, slot by slot,
  keeping participants at the table they already sit at. Table changes are
  therefore optimised only in that greedy step.
- Holes are counted per participant and day as the number of runs of meetings
  minus one; idle slots as the slots between the first and last meeting of the
  day that hold none. `day_key` decides what a day is.
- A plain CP-SAT model of that objective stalls on real instances, so phase 1
  (holes) is a portfolio, each part good at a different kind of instance:
  per-participant bounds (the fewest holes each participant could have on its
  own: their sum is a proven lower bound, often the optimum); core-guided
  MaxSAT (`maxsat.py`, each participant held to its own minimum plus two
  holes), which proves the optimum of crowded days in seconds where it
  finishes, in a spawned child process that is stopped when its time is up; a
  short full CP-SAT solve (settles small cases and proves them optimal); and
  simulated annealing over Kempe chains (exchange two slots on one connected
  group of meetings, which keeps everyone at one meeting per slot) and
  whole-slot moves, which always has a placement to give and does the work
  on instances too large for MaxSAT. With two workers MaxSAT starts at once
  on the second core, and when it ends without a proof that core runs a
  second annealing chain in a spawned process; both share the best placement.
  Without MaxSAT (too large) a CP-SAT model holding everyone
  to their own minimum takes its place.
- Phase 2 (idle slots, then moves from `previous`) holds holes at their best and
  runs CP-SAT large-neighbourhood search: sub-models free the meetings of a few
  participants or slots and fix the rest.
"""
from __future__ import annotations

import enum
import math
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Final, Hashable, Iterable, Protocol, TypeAlias

from ortools.sat.python import cp_model

from . import children, maxsat
from .cpsat import solve_stoppable
from .meetingset import Infeasible as _Infeasible
from .meetingset import MeetingSet as _Data
from .maxsat import Variant as _MaxsatVariant
from .meetingset import default_day_key
from .problem import Problem, Slot


class _Event(Protocol):
    def is_set(self) -> bool: ...


StopSignal = _Event | Callable[[], bool]


@dataclass
class CompactResult:
    """Outcome of `compact()`.

    `status` is "optimal" when no valid placement of the meetings has a better
    (idle gaps, idle slots, moved-from-previous) value, table changes excepted
    (they are optimised greedily), "feasible" when a placement was found
    without that proof, "infeasible" when none exists and "unknown" when none
    was found in time. `lower_bound` is a proven lower bound on idle gaps.
    """

    placements: dict[str, tuple[str, str]]
    status: str
    idle_gaps: int
    idle_slots: int
    lower_bound: int
    table_changes: int
    moved_from_previous: int = 0
    solve_seconds: float = 0.0
    reason: str = ""
    stats: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Scoring a placement in plain Python (also used to build complete hints)


def _occupancy(data: _Data, assign: list[int]) -> list[set[int]]:
    occ: list[set[int]] = [set() for _ in data.pids]
    for k, s in enumerate(assign):
        a, b = data.mparts[k]
        occ[a].add(s)
        occ[b].add(s)
    return occ


def _gaps(data: _Data, occ_p: set[int]) -> tuple[int, int]:
    holes = idle = 0
    for day in data.days:
        pos = [i for i, s in enumerate(day) if s in occ_p]
        if not pos:
            continue
        runs = 1 + sum(1 for a, b in zip(pos, pos[1:]) if b > a + 1)
        holes += runs - 1
        idle += pos[-1] - pos[0] + 1 - len(pos)
    return holes, idle


def _score(data: _Data, assign: list[int]) -> tuple[int, int, int]:
    occ = _occupancy(data, assign)
    holes = idle = 0
    for o in occ:
        h, i = _gaps(data, o)
        holes += h
        idle += i
    moved = sum(1 for k, s in enumerate(assign) if data.meetings[k].previous is not None and data.prev_slot[k] != s)
    return holes, idle, moved


# ---------------------------------------------------------------------------
# The CP-SAT model


# CP-SAT neighbourhood search: first size (meetings freed), seconds per sub-problem,
# and how often a whole day's slots are reordered instead
LNS_START_SIZE = 30
LNS_SUB_LIMIT = 0.5
LNS_WORKERS = 2
PERMUTE_EVERY = 10

# MaxSAT: each participant held to its own minimum plus this many holes; the share
# of the time the first variant gets (counted from its start-up) before the next one
# takes over
MAXSAT_CAP_ABOVE_OWN = 2
MAXSAT_FIRST_SHARE = 0.25

class _Held(enum.Enum):
    ONE = 1


_ONE: Final = _Held.ONE  # a participant's slot taken by a meeting held in place
# a participant's slot: held in place, or the literal of the meetings that may take it
_Cell: TypeAlias = "cp_model.IntVar | _Held"


class _Model:
    """CP-SAT model over the `free` meetings, the others held where `assign` puts them.

    With every meeting free it is the full model. x[k][s] chooses a slot per free
    meeting; participant occupancy, run starts (holes = runs - 1 per day) and,
    when asked, first/last-meeting markers for idle slots are built only for the
    participants the free meetings touch; the rest of the schedule is constant.
    """

    def __init__(self, data: _Data, assign: list[int] | None, choice: dict[int, str],
                 free: Iterable[int] | None, *, idle: bool, windows: bool = True) -> None:
        self.data = data
        self.ok = True
        m = self.model = cp_model.CpModel()
        free_set = set(range(data.n)) if free is None else set(free)
        self.free = sorted(free_set)
        fixed = [k for k in range(data.n) if k not in free_set]
        busy: list[set[int]] = [set() for _ in data.pids]
        pool_load: dict[int, int] = defaultdict(int)
        stand_taken: set[tuple[str, int]] = set()
        for k in fixed:
            assert assign is not None
            s = assign[k]
            for p in data.mparts[k]:
                busy[p].add(s)
            cands = data.tables[k]
            if not cands:
                pool_load[s] += 1
            else:
                stand_taken.add((choice.get(k, cands[0]), s))
        cap = len(data.pool)
        self.x: dict[int, dict[int, cp_model.IntVar]] = {}
        self.w: dict[tuple[int, int, str], cp_model.IntVar] = {}
        uses: dict[tuple[str, int], list] = defaultdict(list)
        pool_use: dict[int, list] = defaultdict(list)
        for k in self.free:
            a, b = data.mparts[k]
            cands = data.tables[k]
            xs: dict[int, cp_model.IntVar] = {}
            for s in data.allowed[k]:
                if s in busy[a] or s in busy[b]:
                    continue
                if not cands and pool_load[s] >= cap:
                    continue
                open_tables = [t for t in cands if (t, s) not in stand_taken]
                if cands and not open_tables:
                    continue
                v = xs[s] = m.new_bool_var(f"x{k}_{s}")
                if not cands:
                    pool_use[s].append(v)
                elif len(cands) == 1:
                    uses[(cands[0], s)].append(v)
                else:
                    ws = []
                    for t in open_tables:
                        wv = self.w[(k, s, t)] = m.new_bool_var(f"w{k}_{s}_{t}")
                        uses[(t, s)].append(wv)
                        ws.append(wv)
                    m.add(sum(ws) == v)
            if not xs:
                self.ok = False
                return
            m.add_exactly_one(xs.values())
            self.x[k] = xs
        for vs in uses.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
        for s, vs in pool_use.items():
            if len(vs) > cap - pool_load[s]:
                m.add(sum(vs) <= cap - pool_load[s])
        # occupancy of the touched participants: 1 (held meeting), a literal, or absent (0)
        self.parts = sorted({p for k in self.free for p in data.mparts[k]})
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}
        occ: dict[int, dict[int, _Cell]] = {}
        for p in self.parts:
            at: dict[int, list] = defaultdict(list)
            for k in data.by_part[p]:
                for s, v in self.x.get(k, {}).items():
                    at[s].append(v)
            row: dict[int, _Cell] = {s: _ONE for s in busy[p]}
            for s, vs in at.items():
                if len(vs) == 1:
                    row[s] = vs[0]
                else:
                    yv = self.y[(p, s)] = m.new_bool_var(f"y{p}_{s}")
                    m.add(sum(vs) == yv)
                    row[s] = yv
            occ[p] = row
        # holes: starts of runs minus days with a meeting
        self.starts: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.has: list[tuple[cp_model.IntVar, int, int]] = []
        self.windows: list[tuple[cp_model.IntVar, int, list[int]]] = []
        self.p_holes: dict[int, tuple[list, int]] = {}
        self.row = occ
        terms: list = []
        const = 0
        for p in self.parts:
            row = occ[p]
            days_used = sorted({data.day_of[s] for s in row})
            single_day = len(days_used) == 1
            pterms: list = []
            pconst = 0
            for d in days_used:
                prev: _Cell | None = None
                prev_s = -1
                for s in data.days[d]:
                    cur = row.get(s)
                    if cur is _ONE:
                        if prev is None:
                            pconst += 1
                        elif prev is not _ONE:
                            pterms.append(prev.Not())
                    elif cur is not None:
                        if prev is None:
                            pterms.append(cur)
                        elif prev is not _ONE:
                            st = m.new_bool_var(f"st{p}_{s}")
                            m.add(st >= cur - prev)
                            m.add_implication(st, cur)
                            m.add_implication(st, prev.Not())
                            self.starts.append((st, p, s, prev_s))
                            pterms.append(st)
                    prev, prev_s = cur, s
                if single_day or any(row.get(s) is _ONE for s in data.days[d]):
                    pconst -= 1
                else:
                    hv = m.new_bool_var(f"has{p}_{d}")
                    m.add_max_equality(hv, [cell for s in data.days[d]
                                            if (cell := row.get(s)) is not None and cell is not _ONE])
                    self.has.append((hv, p, d))
                    pterms.append(-hv)
            terms.extend(pterms)
            const += pconst
            self.p_holes[p] = (pterms, pconst)
            if single_day and windows:
                self._windows(p, row, data.days[days_used[0]], pterms, pconst)
        self.holes = sum(terms) + const
        # idle slots: slots between a participant's first and last meeting of a day
        self.before: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.after: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.inside: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.idle: cp_model.LinearExpr | int = 0
        if idle:
            iterms: list = []
            iconst = 0
            for p in self.parts:
                row = occ[p]
                iconst -= len(data.by_part[p])
                for d in sorted({data.day_of[s] for s in row}):
                    day = data.days[d]
                    idx = [i for i, s in enumerate(day) if s in row]
                    lo, hi = idx[0], idx[-1]
                    bef: dict[int, _Cell] = {}
                    aft: dict[int, _Cell] = {}
                    for i in range(lo, hi + 1):
                        cur = row.get(day[i])
                        left = bef[i - 1] if i > lo else None
                        if cur is _ONE or left is _ONE:
                            bef[i] = _ONE
                            continue
                        bf = m.new_bool_var(f"bf{p}_{day[i]}")
                        if cur is not None:
                            m.add_implication(cur, bf)
                        if left is not None:
                            m.add_implication(left, bf)
                        bef[i] = bf
                        self.before.append((bf, p, d, i))
                    for i in range(hi, lo - 1, -1):
                        cur = row.get(day[i])
                        right = aft[i + 1] if i < hi else None
                        if cur is _ONE or right is _ONE:
                            aft[i] = _ONE
                            continue
                        af = m.new_bool_var(f"af{p}_{day[i]}")
                        if cur is not None:
                            m.add_implication(cur, af)
                        if right is not None:
                            m.add_implication(right, af)
                        aft[i] = af
                        self.after.append((af, p, d, i))
                    for i in range(lo, hi + 1):
                        bi, ai = bef[i], aft[i]
                        if bi is _ONE and ai is _ONE:
                            iconst += 1
                        elif bi is _ONE:
                            iterms.append(ai)
                        elif ai is _ONE:
                            iterms.append(bi)
                        else:
                            iv = m.new_bool_var(f"in{p}_{day[i]}")
                            m.add(iv >= bi + ai - 1)
                            self.inside.append((iv, p, d, i))
                            iterms.append(iv)
            self.idle = sum(iterms) + iconst
        # moved from previous (the slot; tables are assigned afterwards)
        mterms: list = []
        for k in self.free:
            if data.meetings[k].previous is None:
                continue
            ps = data.prev_slot[k]
            if ps is not None and ps in self.x[k]:
                mterms.append(self.x[k][ps].Not())
            else:
                mterms.append(1)
        self.moved = sum(mterms)

    def _windows(self, p: int, row: dict[int, _Cell], day: list[int], pterms: list, pconst: int) -> None:
        """Redundant structure for a participant meeting on one day only.

        With no hole, its n meetings fill one window of n consecutive slots: one
        Boolean per feasible window, at most one true, implying the window's
        slots; no window true means at least one hole. Choosing a window fixes
        the participant's whole row, which propagates far better than run
        starts alone.
        """
        m = self.model
        n = len(self.data.by_part[p])
        lits = [v for v in row.values() if v is not _ONE]
        held = sum(1 for v in row.values() if v is _ONE)
        if lits:
            m.add(sum(lits) == n - held)
        us = []
        for b in range(len(day) - n + 1):
            win = day[b:b + n]
            if any(row.get(s) is None for s in win):
                continue
            inside = set(win)
            if any(v is _ONE and s not in inside for s, v in row.items()):
                continue
            u = m.new_bool_var(f"u{p}_{b}")
            for s in win:
                cell = row[s]
                if cell is not _ONE:
                    m.add_implication(u, cell)
            self.windows.append((u, p, win))
            us.append(u)
        if len(us) > 1:
            m.add_at_most_one(us)
        # holes of p >= 1 - (a window is used)
        m.add(sum(pterms) + pconst >= 1 - sum(us))

    def values(self, assign: list[int], choice: dict[int, str]) -> dict[int, int]:
        """Every variable's value for a placement: a complete hint."""
        data = self.data
        vals: dict[int, int] = {}
        for k, xs in self.x.items():
            for s, v in xs.items():
                vals[v.index] = int(assign[k] == s)
        for (k, s, t), v in self.w.items():
            vals[v.index] = int(assign[k] == s and choice.get(k) == t)
        occ = _occupancy(data, assign)
        for (p, s), v in self.y.items():
            vals[v.index] = int(s in occ[p])
        for v, p, s, prev in self.starts:
            vals[v.index] = int(s in occ[p] and prev not in occ[p])
        for v, p, d in self.has:
            vals[v.index] = int(any(s in occ[p] for s in data.days[d]))
        for v, p, win in self.windows:
            vals[v.index] = int(occ[p] == set(win))
        span: dict[tuple[int, int], tuple[int, int]] = {}
        for p in self.parts:
            for d, day in enumerate(data.days):
                pos = [i for i, s in enumerate(day) if s in occ[p]]
                if pos:
                    span[(p, d)] = (pos[0], pos[-1])
        for v, p, d, i in self.before:
            vals[v.index] = int((p, d) in span and span[(p, d)][0] <= i)
        for v, p, d, i in self.after:
            vals[v.index] = int((p, d) in span and span[(p, d)][1] >= i)
        for v, p, d, i in self.inside:
            vals[v.index] = int((p, d) in span and span[(p, d)][0] <= i <= span[(p, d)][1])
        return vals

    def set_hint(self, assign: list[int], choice: dict[int, str]) -> None:
        hint = self.model.proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        vals = self.values(assign, choice)
        hint.vars.extend(vals.keys())
        hint.values.extend(vals.values())

    def read(self, solver: cp_model.CpSolver, assign: list[int], choice: dict[int, str]) -> None:
        for k, xs in self.x.items():
            for s, v in xs.items():
                if solver.boolean_value(v):
                    assign[k] = s
                    break
            cands = self.data.tables[k]
            if len(cands) > 1:
                for t in cands:
                    wv = self.w.get((k, assign[k], t))
                    if wv is not None and solver.boolean_value(wv):
                        choice[k] = t


# ---------------------------------------------------------------------------
# Search


def _set_domain(proto, index: int, domain: list[int]) -> None:
    dom = proto.variables[index].domain
    dom.clear()
    dom.extend(domain)


_STATUS_NAMES = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
                 cp_model.INFEASIBLE: "infeasible", cp_model.MODEL_INVALID: "invalid",
                 cp_model.UNKNOWN: "unknown"}


def _stopped(stop: StopSignal | None) -> bool:
    if stop is None:
        return False
    is_set = getattr(stop, "is_set", None)
    if is_set is not None:
        return bool(is_set())
    assert callable(stop)
    return bool(stop())


class _Search:
    def __init__(self, data: _Data, *, deadline: float, num_workers: int,
                 seed: int, stop: StopSignal | None) -> None:
        self.data = data
        self.deadline = deadline
        self.workers = max(1, num_workers)
        self.rng = random.Random(seed)
        self.stop = stop
        self.assign: list[int] | None = None
        self.choice: dict[int, str] = {}
        self.score: tuple[int, int, int] | None = None
        self.lb_holes = 0
        self.lb_secondary = 0
        self.holes_cap: int | None = None
        self.proven_infeasible = False
        self.iterations = 0
        self.improvements = 0
        self.w_idle = data.n + 1
        self.t0 = time.monotonic()
        self.trace: list[tuple[float, str, tuple[int, int, int]]] = []
        self._move = "start"
        # a CP-SAT solve in a background thread shares the incumbent with the annealing
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.chain_rounds = 0
        self.on_improve: Callable[[int, int], None] | None = None

    def halted(self) -> bool:
        return self.halt.is_set() or _stopped(self.stop)

    def _solver(self, limit: float, workers: int | None = None) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, limit)
        if workers is None:
            workers = self.workers if limit > 1.5 else min(self.workers, LNS_WORKERS)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = self.rng.randrange(1 << 30)
        return solver

    def _run(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
        return solve_stoppable(solver, model, self.halted)

    def _key(self, score: tuple[int, int, int], phase: int) -> tuple[int, ...]:
        return (score[0],) if phase == 1 else (score[0], score[1] * self.w_idle + score[2])

    def accept(self, assign: list[int], choice: dict[int, str], phase: int) -> bool:
        """Keep a placement that is as good as the incumbent (sideways moves diversify)."""
        with self.lock:
            return self._accept(assign, choice, phase)

    def _accept(self, assign: list[int], choice: dict[int, str], phase: int) -> bool:
        score = _score(self.data, assign)
        better = self.score is None or self._key(score, phase) < self._key(self.score, phase)
        if self.score is None or self._key(score, phase) <= self._key(self.score, phase):
            self.assign, self.choice, self.score = list(assign), dict(choice), score
        if better:
            self.improvements += 1
            self.trace.append((round(time.monotonic() - self.t0, 2), self._move, score))
            if self.on_improve is not None:
                self.on_improve(score[0], self.lb_holes)
        return better

    def _objective(self, mm: _Model, phase: int, base: list[int] | None) -> None:
        """Phase 1: holes, never worse than `base`. Phase 2: idle slots then moves, holes capped."""
        assert mm.free is not None
        if base is not None:
            touched = _occupancy(self.data, base)
            now = sum(_gaps(self.data, touched[p])[0] for p in mm.parts)
            mm.model.add(mm.holes <= now)
        if phase == 1:
            mm.model.minimize(mm.holes)
        else:
            mm.model.minimize(mm.idle * self.w_idle + mm.moved)

    def _solve(self, mm: _Model, limit: float, phase: int, first: bool = False,
               workers: int | None = None) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        with self.lock:
            base, base_choice = self.assign, self.choice
        self._objective(mm, phase, base)
        if base is not None:
            mm.set_hint(base, base_choice)
        solver = self._solver(limit, workers)
        if first:
            solver.parameters.stop_after_first_solution = True
        status = self._run(solver, mm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            assign = list(base) if base is not None else [0] * self.data.n
            choice = dict(base_choice)
            mm.read(solver, assign, choice)
            self.accept(assign, choice, phase)
        return status, solver

    # -- full model ---------------------------------------------------------
    def full_solve(self, limit: float, phase: int, first: bool = False, workers: int | None = None) -> None:
        """Solve the whole model (incumbent as hint): a placement and a proven bound."""
        self._move = "full"
        t = time.monotonic()
        mm = _Model(self.data, self.assign, self.choice, None, idle=phase == 2)
        if not mm.ok:
            self.proven_infeasible = True
            return
        if phase == 2 and self.holes_cap is not None:
            mm.model.add(mm.holes <= self.holes_cap)
        status, solver = self._solve(mm, limit - (time.monotonic() - t), phase, first, workers)
        if status == cp_model.INFEASIBLE and self.assign is None:
            self.proven_infeasible = True
        if status == cp_model.OPTIMAL and not first:
            bound = round(solver.objective_value)
        elif status == cp_model.FEASIBLE and not first:
            bound = int(solver.best_objective_bound + 1 - 1e-6)
        else:
            return
        if phase == 1:
            self.lb_holes = max(self.lb_holes, bound)
        else:
            self.lb_secondary = max(self.lb_secondary, bound)

    # -- large-neighbourhood search ----------------------------------------
    def _holey(self, phase: int) -> list[int]:
        assert self.assign is not None
        occ = _occupancy(self.data, self.assign)
        which = 0 if phase == 1 else 1
        return [p for p in range(len(self.data.pids)) if _gaps(self.data, occ[p])[which] > 0]

    def _neighbourhood(self, size: int, phase: int) -> set[int]:
        data = self.data
        assert self.assign is not None
        kind = self.rng.random()
        free: set[int] = set()
        if kind < 0.45:
            # participants: one with holes, grown through its meeting partners
            self._move = "lns-participants"
            holey = self._holey(phase)
            first = self.rng.choice(holey) if holey and self.rng.random() < 0.8 \
                else self.rng.randrange(len(data.pids))
            chosen = [first]
            seen = {first}
            frontier = [first]
            load = len(data.by_part[first])
            while frontier and load < size:
                p = frontier.pop(self.rng.randrange(len(frontier)))
                partners = [q for k in data.by_part[p] for q in data.mparts[k] if q != p]
                self.rng.shuffle(partners)
                for q in partners:
                    if q not in seen:
                        seen.add(q)
                        chosen.append(q)
                        frontier.append(q)
                        load += len(data.by_part[q])
                        if load >= size:
                            break
            for p in chosen:
                free.update(data.by_part[p])
        elif kind < 0.8:
            # slots: a few slots of one day, with all their meetings
            self._move = "lns-slots"
            day = data.days[self.rng.randrange(len(data.days))]
            per_slot = max(1, data.n // max(1, len(data.slots)))
            want = max(2, min(len(day), round(size / per_slot)))
            if self.rng.random() < 0.5:
                lo = self.rng.randrange(max(1, len(day) - want + 1))
                picked = set(day[lo:lo + want])
            else:
                picked = set(self.rng.sample(day, min(want, len(day))))
            free = {k for k, s in enumerate(self.assign) if s in picked}
        else:
            # participants with holes plus random meetings
            self._move = "lns-random"
            holey = self._holey(phase)
            self.rng.shuffle(holey)
            for p in holey:
                if len(free) >= size // 2:
                    break
                free.update(data.by_part[p])
            rest = [k for k in range(data.n) if k not in free]
            free.update(self.rng.sample(rest, min(len(rest), max(0, size - len(free)))))
        return free

    def lns(self, until: float, phase: int) -> None:
        size = min(self.data.n, LNS_START_SIZE)
        sub_limit = LNS_SUB_LIMIT
        n_iter = 0
        while time.monotonic() < until - 0.02 and not _stopped(self.stop):
            if self._done(phase):
                return
            n_iter += 1
            self.iterations += 1
            if n_iter % PERMUTE_EVERY == 0:
                self.permute_days(min(1.0, until - time.monotonic()), phase)
                continue
            assert self.assign is not None
            free = self._neighbourhood(size, phase)
            mm = _Model(self.data, self.assign, self.choice, free, idle=phase == 2)
            if not mm.ok:
                continue
            status, _ = self._solve(mm, min(sub_limit, until - time.monotonic()), phase)
            # adapt the neighbourhood size: grow while sub-problems are solved to optimality
            if status == cp_model.OPTIMAL:
                size = min(self.data.n, int(size * 1.05) + 1)
            elif status in (cp_model.FEASIBLE, cp_model.UNKNOWN):
                size = max(8, int(size * 0.9))

    def capped_solve(self, limit: float, caps: dict[int, int], workers: int | None = None) -> None:
        """Full model with each participant held to at most `caps` holes.

        Where every participant can reach its own minimum at once, this strongly
        constrained model (most participants must fill one window of slots)
        finds it much faster than the open objective does.
        """
        self._move = "capped"
        t = time.monotonic()
        mm = _Model(self.data, self.assign, self.choice, None, idle=False)
        if not mm.ok:
            return
        for p, (terms, const) in mm.p_holes.items():
            mm.model.add(sum(terms) + const <= caps.get(p, 0))
        status, _ = self._solve(mm, limit - (time.monotonic() - t), 1, workers=workers)
        if status == cp_model.INFEASIBLE and mm.free == list(range(self.data.n)):
            # not everyone can be at their own minimum at once: one hole more at least
            self.lb_holes = max(self.lb_holes, sum(caps.values()) + 1)
        self.trace.append((round(time.monotonic() - self.t0, 2), "capped-" + _STATUS_NAMES.get(status, "?"),
                           self.score or (0, 0, 0)))

    def anneal(self, until: float, hot: bool) -> None:
        assert self.assign is not None
        self._move = "anneal"
        with self.lock:
            base, choice = self.assign, self.choice
        best = _anneal(self.data, base, choice, until, self.rng, lambda: self.halted() or self._done(1),
                       focus=0.5, t_hi=0.6 if hot else 0.3, column=0.02,
                       target=self.lb_holes)
        self.accept(best, choice, 1)

    def helper(self, until: float, caps: dict[int, int], runner: threading.Thread | None) -> None:
        """The second core's share of phase 1, run in a background thread.

        First the MaxSAT runner (already started) or, without one, CP-SAT (one
        worker) on "everyone at their own minimum"; then a second annealing
        chain in a child process (the annealing is Python, so a thread would
        not run in parallel), in rounds restarted from the shared best placement.
        """
        if runner is not None:
            runner.join()
        elif caps:
            self.capped_solve(min(until - time.monotonic(), (until - time.monotonic()) * 0.35 + 1.0),
                              caps, workers=1)
        if self.halted() or self._done(1) or until - time.monotonic() < 2.0:
            return
        child = children.start(_anneal_child, self.data, self.rng.randrange(1 << 30))
        if child is None:
            return
        try:
            hot = True
            while not self.halted() and not self._done(1):
                left = until - time.monotonic()
                if left < 0.5:
                    break
                chunk = left if left < 8 else max(8.0, left / 2)
                with self.lock:
                    base, choice = self.assign, self.choice
                child.conn.send((base, choice, chunk, hot, self.lb_holes))
                hot = False
                got, stopping = self._await_round(child)
                if got is not None:
                    self._move = "anneal-2"
                    self.chain_rounds += 1
                    self.accept(got, choice, 1)
                if stopping or got is None:
                    break
        finally:
            child.close()

    def _await_round(self, child: children.Child) -> tuple[list[int] | None, bool]:
        """The child's answer to one annealing round (None if it died), and whether
        this process asked it to stop early."""
        stopping = False
        while child.alive():
            if child.conn.poll(0.05):
                try:
                    return child.conn.recv(), stopping
                except (EOFError, OSError):  # the child died mid-round
                    return None, stopping
            if not stopping and (self.halted() or self._done(1)):
                child.conn.send(None)
                stopping = True
        return None, stopping

    def maxsat(self, until: float, own: list[int]) -> None:
        """Core-guided MaxSAT (see `maxsat.py`), each variant in a child process.

        The solver cannot be stopped from outside mid-proof, so each variant runs
        in a spawned child that is terminated when its share of the time is up:
        the first variant (quick where it succeeds) a share, the last one the
        rest. With two workers or more they run side by side, otherwise in turn.
        A result is the optimum with every participant at most two holes above
        its own minimum; `maxsat.proven_bound` turns it into a bound without caps.
        """
        caps = [o + MAXSAT_CAP_ABOVE_OWN for o in own]
        variants = list(maxsat.VARIANTS)
        batches = [variants] if self.workers >= 2 else [[v] for v in variants]
        for batch in batches:
            left = until - time.monotonic()
            if self.halted() or self._done(1) or left < 0.5:
                return
            runs = []
            for variant in batch:
                last = variant == variants[-1]
                child = children.start(maxsat.child, self.data, caps, variant)
                if child is not None:
                    runs.append([variant, child, until, left if last else left * MAXSAT_FIRST_SHARE])
            if not runs or self._await_maxsat(runs, until, caps, own):
                return

    def _await_maxsat(self, runs: list[list], until: float, caps: list[int], own: list[int]) -> bool:
        """Wait for the MaxSAT children; True once one settled the search (a result,
        or nobody within the caps). Each share counts from its child's start-up."""
        try:
            while runs and time.monotonic() < until and not self.halted() and not self._done(1):
                for run in list(runs):
                    variant, child, end, share = run
                    got = None
                    try:
                        if child.conn.poll():
                            got = child.conn.recv()
                    except (EOFError, OSError):
                        got = "died"
                    if got == "ready":
                        run[2] = min(until, time.monotonic() + share)
                    elif got is not None or not child.alive() or time.monotonic() >= end:
                        runs.remove(run)
                        child.close(grace=0.0)
                        if self._maxsat_outcome(variant, got, caps, own):
                            return True
                time.sleep(0.05)
            return False
        finally:
            for _variant, child, _end, _share in runs:
                child.close(grace=0.0)

    def _maxsat_outcome(self, variant: _MaxsatVariant,
                        got: str | tuple[list[int], dict[int, str], int] | None, caps: list[int],
                        own: list[int]) -> bool:
        name = f"maxsat-{'redundant-' if variant.redundant else ''}{variant.solver}"
        stamp = round(time.monotonic() - self.t0, 2)
        if got is None or got == "died":
            self.trace.append((stamp, name + "-stopped", self.score or (0, 0, 0)))
            return False
        if got == "infeasible":
            # nobody can stay within their cap: the other variants would say the same
            self.trace.append((stamp, name + "-over-caps", self.score or (0, 0, 0)))
            return True
        assert isinstance(got, tuple), got
        assign, choice, holes = got
        if _from_start(self.data, {self.data.meetings[k].id: (self.data.slots[s].id, choice.get(k, ""))
                                   for k, s in enumerate(assign)})[0] is None:
            return True  # never expected: the encoding states every hard rule
        self._move = name
        self.accept(assign, choice, 1)
        with self.lock:
            self.lb_holes = max(self.lb_holes, maxsat.proven_bound(holes, caps, own))
        if self._done(1):
            self.halt.set()  # proven: stop the CP-SAT solve under way (compact() clears it)
        return True

    def _done(self, phase: int) -> bool:
        if self.score is None:
            return False
        if phase == 1:
            return self.score[0] <= self.lb_holes
        return self.score[1] * self.w_idle + self.score[2] <= self.lb_secondary

    # -- reorder whole slots of a day --------------------------------------
    def permute_days(self, limit: float, phase: int) -> None:
        """Reorder the slots of each day as columns: every meeting of a slot moves together."""
        if limit <= 0.05 or self.assign is None:
            return
        self._move = "permute"
        data = self.data
        d = self.rng.randrange(len(data.days))
        day = data.days[d]
        if len(day) < 3:
            return
        cols: dict[int, list[int]] = defaultdict(list)
        for k, s in enumerate(self.assign):
            if data.day_of[s] == d:
                cols[s].append(k)
        allowed_sets = [set(a) for a in data.allowed]
        m = cp_model.CpModel()
        pi: dict[tuple[int, int], cp_model.IntVar] = {}
        for c in day:
            for t in day:
                if all(t in allowed_sets[k] for k in cols.get(c, ())):
                    pi[(c, t)] = m.new_bool_var(f"pi{c}_{t}")
            if not any((c, t) in pi for t in day):
                return
        for c in day:
            m.add_exactly_one(pi[(c, t)] for t in day if (c, t) in pi)
        for t in day:
            m.add_exactly_one(pi[(c, t)] for c in day if (c, t) in pi)
        # participants touched by this day
        pcols: dict[int, list[int]] = defaultdict(list)
        for c, ks in cols.items():
            for k in ks:
                for p in data.mparts[k]:
                    pcols[p].append(c)
        holes: list[cp_model.LinearExpr | int] = []
        idle: list[cp_model.LinearExpr | int] = []
        for p, cs in pcols.items():
            ys = []
            for t in day:
                terms = [pi[(c, t)] for c in cs if (c, t) in pi]
                ys.append(sum(terms) if terms else 0)
            prev = None
            for i, yv in enumerate(ys):
                if isinstance(yv, int):
                    prev = None
                    continue
                if prev is None:
                    holes.append(yv)
                else:
                    st = m.new_bool_var("")
                    m.add(st >= yv - prev)
                    holes.append(st)
                prev = yv
            holes.append(-1)
            if phase == 2:
                bef: list[cp_model.IntVar] = []
                for i, yv in enumerate(ys):
                    b = m.new_bool_var("")
                    if not isinstance(yv, int):
                        m.add(b >= yv)
                    if bef:
                        m.add_implication(bef[-1], b)
                    bef.append(b)
                aft: list = [None] * len(ys)
                for i in range(len(ys) - 1, -1, -1):
                    a = m.new_bool_var("")
                    if not isinstance(ys[i], int):
                        m.add(a >= ys[i])
                    if i + 1 < len(ys):
                        m.add_implication(aft[i + 1], a)
                    aft[i] = a
                for i in range(len(ys)):
                    iv = m.new_bool_var("")
                    m.add(iv >= bef[i] + aft[i] - 1)
                    idle.append(iv)
        h_expr = sum(holes)
        occ = _occupancy(data, self.assign)
        day_holes = sum(_gaps_day(data, occ[p], d)[0] for p in pcols)
        m.add(h_expr <= day_holes)
        moved = []
        for c, ks in cols.items():
            for k in ks:
                ps = data.prev_slot[k]
                if data.meetings[k].previous is not None and ps is not None and (c, ps) in pi:
                    moved.append(pi[(c, ps)].Not())
        if phase == 1:
            m.minimize(h_expr)
        else:
            m.minimize(sum(idle) * self.w_idle + sum(moved))
        for (c, t), v in pi.items():
            m.add_hint(v, int(c == t))
        solver = self._solver(limit)
        status = self._run(solver, m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return
        where = {c: t for (c, t), v in pi.items() if solver.boolean_value(v)}
        assign = list(self.assign)
        for c, ks in cols.items():
            for k in ks:
                assign[k] = where[c]
        self.accept(assign, dict(self.choice), phase)


def _gaps_day(data: _Data, occ_p: set[int], d: int) -> tuple[int, int]:
    pos = [i for i, s in enumerate(data.days[d]) if s in occ_p]
    if not pos:
        return 0, 0
    runs = 1 + sum(1 for a, b in zip(pos, pos[1:]) if b > a + 1)
    return runs - 1, pos[-1] - pos[0] + 1 - len(pos)


def _fits_window(data: _Data, ks: list[int]) -> bool:
    """True when the meetings fill some run of consecutive slots of one day exactly.

    A perfect matching between the meetings and the window's slots (each meeting
    to a slot it may use) is looked for with augmenting paths; the sizes here
    are tiny.
    """
    n = len(ks)
    allowed = [set(data.allowed[k]) for k in ks]
    for day in data.days:
        for b in range(len(day) - n + 1):
            window = day[b:b + n]
            match: dict[int, int] = {}  # slot -> meeting position

            def augment(i: int, seen: set[int]) -> bool:
                for s in window:
                    if s in allowed[i] and s not in seen:
                        seen.add(s)
                        if s not in match or augment(match[s], seen):
                            match[s] = i
                            return True
                return False

            if all(augment(i, set()) for i in range(n)):
                return True
    return False


def _participant_bounds(data: _Data, until: float, stop: StopSignal | None) -> dict[int, int]:
    """Per participant, the fewest holes it could have on its own (others ignored).

    Holes add up over participants, so the sum is a valid lower bound for the
    whole schedule; it is often tight when forbidden slots and session limits
    force a participant's gap. A participant not reached before `until` gets 0.
    """
    out: dict[int, int] = {}
    for q, ks in enumerate(data.by_part):
        if len(ks) < 2 or _fits_window(data, ks):
            out[q] = 0
    for q, ks in enumerate(data.by_part):
        if q in out:
            continue
        if time.monotonic() >= until or _stopped(stop):
            out[q] = 0
            continue
        m = cp_model.CpModel()
        at: dict[int, list] = defaultdict(list)
        for k in ks:
            xs = {s: m.new_bool_var("") for s in data.allowed[k]}
            m.add_exactly_one(xs.values())
            for s, v in xs.items():
                at[s].append(v)
        y: dict[int, cp_model.IntVar] = {}
        for s, vs in at.items():
            if len(vs) == 1:
                y[s] = vs[0]
            else:
                yv = m.new_bool_var("")
                m.add(sum(vs) == yv)
                y[s] = yv
        terms: list = []
        for day in data.days:
            used = [s for s in day if s in y]
            if not used:
                continue
            prev = None
            for s in day:
                cur = y.get(s)
                if cur is not None:
                    if prev is None:
                        terms.append(cur)
                    else:
                        st = m.new_bool_var("")
                        m.add(st >= cur - prev)
                        terms.append(st)
                prev = cur
            has = m.new_bool_var("")
            m.add_max_equality(has, [y[s] for s in used])
            terms.append(-has)
        m.minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.01, min(1.0, until - time.monotonic()))
        status = solver.solve(m)
        bound = 0
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
        out[q] = bound
    return out


# ---------------------------------------------------------------------------
# Simulated annealing over Kempe-chain moves


def _anneal(data: _Data, assign: list[int], choice: dict[int, str], until: float,
            rng: random.Random, stop: StopSignal | None, idle_weight: float = 0.1,
            focus: float = 0.0, t_hi: float = 0.6, t_lo: float = 0.03, column: float = 0.0,
            target: int = 0) -> list[int]:
    """Local search on slots: swap two slots along a Kempe chain.

    The meetings of two slots s1 and s2 form paths and cycles (a participant
    has at most one meeting per slot); exchanging s1 and s2 on one such
    component keeps everyone in one meeting per slot, so only the pool's and
    stands' capacities and availabilities need checking. Moving one meeting to
    a slot where both its participants are free is the component of size one.
    Cost: holes, plus a small weight on idle slots as a gradient towards
    compact days. Returns the best placement seen (by holes, then idle slots).
    """
    S = len(data.slots)
    P = len(data.pids)
    at = [[-1] * S for _ in range(P)]
    for k, s in enumerate(assign):
        a, b = data.mparts[k]
        at[a][s] = k
        at[b][s] = k
    allowed = [set(a) for a in data.allowed]
    cap = len(data.pool)
    pool_load = [0] * S
    stand: dict[tuple[str, int], int] = {}
    table_of: list[str | None] = []
    for k, s in enumerate(assign):
        cands = data.tables[k]
        t = None if not cands else (cands[0] if len(cands) == 1 else choice[k])
        table_of.append(t)
        if t is None:
            pool_load[s] += 1
        else:
            stand[(t, s)] = k
    stands = bool(stand) or any(t is not None for t in table_of)
    days = data.days

    # each participant's busy slots as bits, a zero bit between two days: runs of
    # ones are runs of meetings, so holes and idle slots are a few integer operations
    bit = [0] * S
    day_masks: list[int] = []
    off = 0
    for day in days:
        for j, s in enumerate(day):
            bit[s] = 1 << (off + j)
        day_masks.append(((1 << len(day)) - 1) << off)
        off += len(day) + 1
    mask = [0] * P
    for p in range(P):
        for s in range(S):
            if at[p][s] >= 0:
                mask[p] |= bit[s]
    one_day = len(days) == 1

    def mask_gaps(m: int) -> tuple[int, int]:
        if not m:
            return 0, 0
        runs = (m & ~(m << 1)).bit_count()
        if one_day:
            return runs - 1, m.bit_length() - (m & -m).bit_length() + 1 - m.bit_count()
        used = 0
        span = 0
        for dm in day_masks:
            x = m & dm
            if x:
                used += 1
                span += x.bit_length() - (x & -x).bit_length() + 1
        return runs - used, span - m.bit_count()

    ph = [mask_gaps(mask[p]) for p in range(P)]
    holey = {p for p in range(P) if ph[p][0]}
    day_index = [0] * S
    for d, day in enumerate(days):
        for s in day:
            day_index[s] = d
    holes = sum(h for h, _ in ph)
    idle = sum(i for _, i in ph)
    cur = list(assign)
    best = list(cur)
    best_key = (holes, idle)
    t_start = time.monotonic()
    span = max(1e-3, until - t_start)
    temp = t_hi
    n = data.n

    def relocate(group: list[int], to: dict[int, int]) -> None:
        for e in group:
            s = cur[e]
            for p in data.mparts[e]:
                if at[p][s] == e:
                    at[p][s] = -1
                    mask[p] &= ~bit[s]
        for e in group:
            s = cur[e] = to[e]
            for p in data.mparts[e]:
                at[p][s] = e
                mask[p] |= bit[s]

    mparts = data.mparts
    exp = math.exp
    rand = rng.random

    def attempt(group: list[int], dest: dict[int, int]) -> None:
        """Move every meeting e of `group` to slot dest[e]; keep it by the Metropolis rule.

        The new bit masks of the touched participants are scored before anything
        is changed, so a refused move (most of them) costs no undo.
        """
        nonlocal holes, idle, best, best_key
        new_mask: dict[int, int] = {}
        for e in group:
            b = bit[cur[e]]
            for p in mparts[e]:
                new_mask[p] = new_mask.get(p, mask[p]) & ~b
        for e in group:
            b = bit[dest[e]]
            for p in mparts[e]:
                new_mask[p] |= b
        dh = 0
        di = 0
        new = {}
        for p, m in new_mask.items():
            v = new[p] = mask_gaps(m)
            old = ph[p]
            dh += v[0] - old[0]
            di += v[1] - old[1]
        delta = dh + idle_weight * di
        if delta > 0 and rand() >= exp(-delta / temp):
            return
        back = {e: cur[e] for e in group}
        relocate(group, dest)
        for p, v in new.items():
            ph[p] = v
            if v[0]:
                holey.add(p)
            else:
                holey.discard(p)
        holes += dh
        idle += di
        for e in group:
            t = table_of[e]
            if t is None:
                pool_load[back[e]] -= 1
                pool_load[cur[e]] += 1
            elif stand.get((t, back[e])) == e:
                del stand[(t, back[e])]
        for e in group:
            t = table_of[e]
            if t is not None:
                stand[(t, cur[e])] = e
        if (holes, idle) < best_key:
            best_key = (holes, idle)
            best = list(cur)

    it = 0
    while True:
        it += 1
        if it & 255 == 0:
            now = time.monotonic()
            if now >= until or _stopped(stop) or best_key[0] <= target and (target > 0 or best_key[1] == 0):
                break
            frac = (now - t_start) / span
            temp = t_hi * (t_lo / t_hi) ** frac
        if column and rand() < column:
            # move one slot's meetings, all together, elsewhere in its day (a rotation)
            day = days[int(rand() * len(days))]
            if len(day) < 2:
                continue
            i1 = int(rand() * len(day))
            i2 = int(rand() * len(day))
            if i1 == i2:
                continue
            if i1 < i2:
                new_order = day[i1 + 1:i2 + 1] + [day[i1]]
                span_slots = day[i1:i2 + 1]
            else:
                new_order = [day[i1]] + day[i2:i1]
                span_slots = day[i2:i1 + 1]
            # the column now at span_slots[j] comes from new_order[j]
            moves = {src: dst for dst, src in zip(span_slots, new_order) if dst != src}
            group = [e for e in range(n) if cur[e] in moves]
            if any(moves[cur[e]] not in allowed[e] for e in group):
                continue
            attempt(group, {e: moves[cur[e]] for e in group})
            continue
        k = int(rand() * n)
        opts = data.allowed[k]
        if focus and holey and rand() < focus:
            # a meeting of a participant with a hole, sent into or next to that
            # participant's span of the day half of the time
            p = rng.choice(tuple(holey))
            ks = data.by_part[p]
            k = ks[int(rand() * len(ks))]
            opts = data.allowed[k]
            if rand() < 0.5:
                m = mask[p] & day_masks[day_index[cur[k]]]
                lo = (m & -m) >> 1
                hi = 1 << m.bit_length()
                near = [s for s in opts if at[p][s] < 0 and lo <= bit[s] <= hi]
                if near:
                    opts = near
        s1 = cur[k]
        if len(opts) < 2 and opts[0] == s1:
            continue
        s2 = opts[int(rand() * len(opts))]
        if s2 == s1:
            continue
        # the Kempe component of k in slots s1/s2
        comp = [k]
        dest = {k: s2}
        ok = True
        d1 = 0
        i = 0
        while i < len(comp):
            e = comp[i]
            i += 1
            other = dest[e]
            if other not in allowed[e]:
                ok = False
                break
            if table_of[e] is None:
                d1 += 1 if other == s1 else -1
            back_to = cur[e]
            for p in mparts[e]:
                f = at[p][other]
                if f >= 0 and f not in dest:
                    dest[f] = back_to
                    comp.append(f)
            if len(comp) > 40:
                ok = False
                break
        if not ok:
            continue
        # capacities (d1: pooled meetings gained by s1)
        if pool_load[s1] + d1 > cap or pool_load[s2] - d1 > cap:
            continue
        if stands and any((stand_t := table_of[e]) is not None and stand.get((stand_t, dest[e]), e) not in dest
                          for e in comp):
            continue
        attempt(comp, dest)
    return best


def _anneal_child(conn, data: _Data, seed: int) -> None:
    """A second annealing chain in its own process: rounds on request until told to stop."""
    rng = random.Random(seed)
    while True:
        msg = conn.recv()
        if msg is None:
            return
        assign, choice, seconds, hot, target = msg
        best = _anneal(data, assign, choice, time.monotonic() + seconds, rng, conn.poll,
                       focus=0.5, t_hi=0.6 if hot else 0.3, column=0.02, target=target)
        conn.send(best)


# ---------------------------------------------------------------------------
# Tables


def _assign_tables(data: _Data, assign: list[int], choice: dict[int, str]) -> dict[int, str]:
    """Concrete tables: stands as chosen; pooled tables slot by slot, keeping people seated."""
    table: dict[int, str] = {}
    last_table: dict[int, str] = {}
    by_slot: dict[int, list[int]] = defaultdict(list)
    for k, s in enumerate(assign):
        by_slot[s].append(k)
    for s in sorted(by_slot):
        ks = by_slot[s]
        free = list(data.pool)
        taken: set[str] = set()
        pooled: list[int] = []
        for k in ks:
            cands = data.tables[k]
            pinned = data.pin_table[k]
            if pinned is not None:
                table[k] = pinned
                taken.add(table[k])
            elif len(cands) == 1:
                table[k] = cands[0]
            elif len(cands) > 1:
                table[k] = choice[k]
            else:
                pooled.append(k)
        # keep the busier participant where it sat last (the other one moves), then
        # the other participant, then the previous placement
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
        rest = [t for t in free if t not in taken]
        for k in pooled:
            if k not in table:
                table[k] = rest.pop(0)
        for k in ks:
            for p in data.mparts[k]:
                last_table[p] = table[k]
    return table


def _table_changes(data: _Data, assign: list[int], table: dict[int, str]) -> int:
    changes = 0
    for ks in data.by_part:
        seq = sorted(ks, key=lambda k: assign[k])
        changes += sum(1 for a, b in zip(seq, seq[1:]) if table[a] != table[b])
    return changes


# ---------------------------------------------------------------------------
# Entry point


def compact(
    problem: Problem,
    meeting_ids: Iterable[str],
    *,
    start: dict[str, tuple[str, str]] | None = None,
    time_limit_s: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    stop: StopSignal | None = None,
    day_key: Callable[[Slot], Hashable] = default_day_key,
    secondary: bool = True,
    on_improve: Callable[[int, int], None] | None = None,
) -> CompactResult:
    """Place every meeting of `meeting_ids`, fewest idle gaps first (see the module doc).

    `start` is a feasible placement (meeting id -> (slot id, table id)) used as the
    first incumbent. `stop` (a `threading.Event` or a callable returning True)
    ends the search early with the best placement so far. `day_key` groups slots
    into days (holes never span two days). With `secondary=False` only idle gaps
    are minimised; idle slots and moves are then just reported. `on_improve` hears
    each better placement's idle gaps and the lower bound proven so far.
    """
    t0 = time.monotonic()
    deadline = t0 + max(0.1, time_limit_s)
    try:
        data = _Data(problem, meeting_ids, day_key)
    except _Infeasible as exc:
        return CompactResult({}, "infeasible", 0, 0, 0, 0, reason=str(exc),
                             solve_seconds=time.monotonic() - t0)
    if data.n == 0:
        return CompactResult({}, "optimal", 0, 0, 0, 0, solve_seconds=time.monotonic() - t0)
    search = _Search(data, deadline=deadline, num_workers=num_workers, seed=seed, stop=stop)
    search.on_improve = on_improve
    if start is not None:
        assign, choice = _from_start(data, start)
        if assign is not None:
            search.accept(assign, choice, 1)
    total = deadline - time.monotonic()
    phase1_end = time.monotonic() + (total * 0.75 if secondary else total)
    if not _fewest_holes(search, total, phase1_end, num_workers, stop):
        status = "infeasible" if search.proven_infeasible else "unknown"
        reason = "no placement obeys every hard rule" if search.proven_infeasible else "no placement found in time"
        return CompactResult({}, status, 0, 0, 0, 0, reason=reason, solve_seconds=time.monotonic() - t0)
    assert search.score is not None
    holes_optimal = search.score[0] <= search.lb_holes
    search.holes_cap = search.score[0]
    secondary_optimal = not secondary
    # 4. idle slots and moves, holes held at their best
    if secondary and not _stopped(stop) and time.monotonic() < deadline - 0.05:
        remaining = deadline - time.monotonic()
        search.full_solve(remaining * 0.2, 2)
        search.lns(deadline - remaining * 0.25, 2)
        if not search._done(2) and not _stopped(stop) and time.monotonic() < deadline - 0.05:
            search.full_solve(deadline - time.monotonic(), 2)
        secondary_optimal = search._done(2) and holes_optimal
    return _result(search, "optimal" if holes_optimal and secondary_optimal else "feasible", t0)


def _fewest_holes(search: _Search, total: float, phase1_end: float, num_workers: int,
                  stop: StopSignal | None) -> bool:
    """Phase 1 of `compact()`: the portfolio on idle gaps; False when no placement came."""
    data = search.data
    # 0. per-participant bounds (fast); then MaxSAT, on the other core from the
    #    start with two workers, in line for part of the time with one
    own = _participant_bounds(data, time.monotonic() + total * 0.1, stop)
    search.lb_holes = max(search.lb_holes, sum(own.values()))
    runner = None
    with_maxsat = not search._done(1) and maxsat.applicable(data)
    if with_maxsat:
        own_list = [own.get(p, 0) for p in range(len(data.pids))]
        if num_workers >= 2:
            runner = threading.Thread(target=search.maxsat, args=(phase1_end, own_list), daemon=True)
            runner.start()
        else:
            search.maxsat(time.monotonic() + (phase1_end - time.monotonic()) * 0.5, own_list)
    # 1. a first placement, unless `start` or MaxSAT gave one
    while search.assign is None and not search.proven_infeasible and not _stopped(stop) \
            and time.monotonic() < phase1_end:
        search.full_solve(phase1_end - time.monotonic(), 1, first=True)
    if search.assign is None:
        search.halt.set()
        if runner is not None:
            runner.join()
        return False
    # 2. a short full solve: proves small cases (on one core while MaxSAT has the other)
    if not search._done(1):
        search.full_solve(min(total * 0.1, phase1_end - time.monotonic()), 1,
                          workers=1 if runner is not None else None)
    # 3. annealing on Kempe chains and slot moves, in rounds restarted from the best
    #    (Python: one core); with two workers or more, the other core goes on with
    #    MaxSAT or, without it, tries "everyone at their own minimum" with CP-SAT,
    #    then runs a second annealing chain
    background = None
    if not search._done(1) and not _stopped(stop) and phase1_end - time.monotonic() > 1.0:
        if num_workers >= 2:
            background = threading.Thread(target=search.helper, args=(phase1_end, own, runner), daemon=True)
            background.start()
        elif own and not with_maxsat:
            search.capped_solve((phase1_end - time.monotonic()) * 0.3, own)
    rounds = 0
    while not search._done(1) and not _stopped(stop) and time.monotonic() < phase1_end - 0.05:
        left = phase1_end - time.monotonic()
        chunk = left * 0.3 if rounds == 0 else left if left < 8 else max(8.0, left / 2)
        search.anneal(time.monotonic() + chunk, hot=rounds == 0)
        rounds += 1
    search.halt.set()
    for thread in (background, runner):
        if thread is not None:
            thread.join()
    search.halt.clear()
    return True


def _result(search: _Search, status: str, t0: float) -> CompactResult:
    data = search.data
    assign, choice = search.assign, search.choice
    assert assign is not None
    tables = _assign_tables(data, assign, choice)
    holes, idle, _ = _score(data, assign)
    placements = {data.meetings[k].id: (data.slots[assign[k]].id, tables[k]) for k in range(data.n)}
    moved = sum(
        1 for m in data.meetings
        if m.previous is not None and (placements[m.id][0] != m.previous.slot or (
            m.previous.table is not None and placements[m.id][1] != m.previous.table))
    )
    return CompactResult(
        placements=placements,
        status=status,
        idle_gaps=holes,
        idle_slots=idle,
        lower_bound=min(search.lb_holes, holes),
        table_changes=_table_changes(data, assign, tables),
        moved_from_previous=moved,
        solve_seconds=time.monotonic() - t0,
        stats={"lns_iterations": search.iterations, "improvements": search.improvements,
               "second_chain_rounds": search.chain_rounds, "trace": search.trace},
    )


def _from_start(data: _Data, start: dict[str, tuple[str, str]]) -> tuple[list[int] | None, dict[int, str]]:
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
    # capacities and one meeting per participant per slot
    occ: dict[tuple[int, int], int] = {}
    pool_load: dict[int, int] = defaultdict(int)
    stand_load: dict[tuple[str, int], int] = defaultdict(int)
    for k, s in enumerate(assign):
        for p in data.mparts[k]:
            if (p, s) in occ:
                return None, {}
            occ[(p, s)] = k
        cands = data.tables[k]
        if not cands:
            pool_load[s] += 1
        else:
            stand_load[(choice.get(k, cands[0]), s)] += 1
    if any(v > len(data.pool) for v in pool_load.values()) or any(v > 1 for v in stand_load.values()):
        return None, {}
    return assign, choice


def gaps_lower_bound(problem: Problem, meeting_ids: Iterable[str], *, seconds: float = 1.0,
                     day_key: Callable[[Slot], Hashable] = default_day_key) -> int:
    """A proven lower bound on the idle gaps of any valid placement of these meetings:
    the sum over participants of the fewest holes each could have on its own
    (participants not reached within `seconds` count 0)."""
    try:
        data = _Data(problem, meeting_ids, day_key)
    except _Infeasible:
        return 0
    return sum(_participant_bounds(data, time.monotonic() + seconds, None).values())


def fits_exact_search(problem: Problem, meeting_ids: Iterable[str],
                      day_key: Callable[[Slot], Hashable] = default_day_key) -> bool:
    """Whether these meetings are few enough for the MaxSAT encoding."""
    try:
        return maxsat.applicable(_Data(problem, meeting_ids, day_key))
    except _Infeasible:
        return False
