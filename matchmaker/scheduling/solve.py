"""The one-to-one meeting scheduler: a slot per meeting, in two phases.

Phase 1 maximises the weighted value (sum of priorities of scheduled meetings):
the degree LP (`bound.py`) gives a proven bound and the meetings it picks, which
are placed in its order where they keep agendas compact, with Kempe swaps where
two participants share no free slot (`improve.insert_in_order`); a greedy start
(first come first served or priority first; on a re-solve the previous schedule)
stands in where that does worse. Where the bound is not reached yet: the
slot-level LP for a tighter bound on small models, Kempe-chain insertions and
ejections (`improve.py`), then CP-SAT's violation local search from a complete
hint, stopped as soon as it reaches the bound. On small models a full CP-SAT run
follows, to prove optimality where the LP bound is not tight.

Phase 2 keeps that value: fairness swaps raise the lowest share of requests met
(nobody left with nothing when it can be helped), then an iterated Kempe-chain
hole search (`holes.py`) makes agendas compact and keeps published meetings in
place on a re-solve. On tiny models CP-SAT polishes the full phase-2 model.

Tables are assigned afterwards (`tables.py`); the result is re-checked with
`check()` before it is returned.

Events of several days above `DECOMPOSE_PAIRS` (meeting, slot) pairs are split
by a day-level LP and solved day by day, each day by the two phases above, then
polished as a whole (`decompose.py`). Below it, on models too big for the
slot-level LP, that day-level LP still tightens the bound of a several-day event.
"""
from __future__ import annotations

import logging
import threading
import time
from functools import partial
from collections.abc import Mapping

from ortools.sat.python import cp_model

from . import cpsat
from .agendas import compact_agendas, exact_applies, idle_gaps
from .bound import degree_lp, integral_bound, lp_bound
from .budget import Budget
from .check import check, idle
from .compact import gaps_lower_bound
from .cpsat import Watch
from .decompose import DECOMPOSE_PAIRS, day_lp, solve_by_day
from .domains import Domains
from .fcfs import build_schedule
from .formats import validate_pins
from .holes import W_IDLE_SLOT
from .improve import improve_fairness, improve_value, insert_in_order
from .model import (
    SHARE_SCALE,
    W_GAP,
    W_MOVED,
    W_NOTHING,
    W_SHARE,
    SlotModel,
    set_compact_objective,
    set_value_objective,
)
from .problem import Problem, Schedule
from .progress import COMPACTING, PLACING, Progress, bound_reporter, gaps_reporter
from .starts import fcfs_placements, greedy_start
from .tables import assign_tables

log = logging.getLogger(__name__)

PHASE1_SHARE = 0.6
RESERVE_SHARE = 0.05
SMALL_LS_SHARE = 0.7
HOLES_SHARE = 0.7
FAIRNESS_SHARE = 0.1
BOUND_SECONDS = 1.0  # at most, for the per-participant bound on idle gaps
# (meeting, slot) pairs up to which a full CP-SAT run follows the local searches:
# in phase 1 to prove optimality when the LP bound is not tight, in phase 2 to
# polish. Beyond that CP-SAT found nothing better in its time.
SMALL_MODEL = 20_000
TINY_MODEL = 5_000
# Above this, building and presolving the phase-1 model for CP-SAT's local search
# took most of a minute and found nothing the Kempe-chain polish had not: the
# time goes to the hole search instead.
LS_MODEL = 100_000
LP_SHARE = 0.25
POLISH_SHARE = 0.15
EVALS_PER_SECOND = 20_000


class ScheduleInvalid(RuntimeError):
    """The solver produced a schedule that `check()` rejects: a bug, never expected."""


def _solution(sm: SlotModel, solver: cp_model.CpSolver) -> tuple[dict[str, int], dict[str, str]]:
    slots = {mid: pos for (mid, pos), var in sm.x.items() if solver.BooleanValue(var)}
    chosen = {mid: t for (mid, pos, t), var in sm.y.items() if solver.BooleanValue(var)}
    return slots, chosen


def _value(d: Domains, slots: Mapping[str, int]) -> int:
    return sum(d.meeting[mid].priority for mid in slots)


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def phase2_cost(d: Domains, slots: Mapping[str, int]) -> int:
    """The phase-2 objective of the CP-SAT model, plus idle slots, computed directly."""
    busy: dict[str, list[int]] = {}
    count: dict[str, int] = {}
    for mid, pos in slots.items():
        for p in d.meeting[mid].participants:
            busy.setdefault(p, []).append(pos)
            count[p] = count.get(p, 0) + 1
    gaps = idle_slots = 0
    for positions in busy.values():
        g, i = idle(d, positions)
        gaps += g
        idle_slots += i
    wanted = [p for p, mids in d.meetings_of.items()
              if any(d.allowed_slots(d.meeting[mid]) and d.allowed_tables(d.meeting[mid])
                     for mid in mids)]
    nothing = sum(1 for p in wanted if not count.get(p))
    share = min((SHARE_SCALE * count.get(p, 0)) // len(d.meetings_of[p]) for p in wanted) \
        if wanted else 0
    moved = sum(1 for m in d.problem.meetings if m.previous is not None and m.fixed is None
                and slots.get(m.id) != d.slot_pos[m.previous.slot])
    return (W_NOTHING * nothing + W_MOVED * moved - W_SHARE * share + W_GAP * gaps
            + W_IDLE_SLOT * idle_slots)


def solve(problem: Problem, *, time_limit_s: float = 30.0, num_workers: int = 2, seed: int = 0,
          progress: Progress | None = None, stop: threading.Event | None = None,
          decompose: bool | None = None) -> Schedule:
    """Schedule the meetings; returns the best schedule found within the time limit.

    `status` is "optimal" only when phase 1 is proven optimal; `stats` give the
    value with its proven upper bound and the idle gaps with their proven lower
    bound (`idle_gaps_bound`, for the scheduled meetings). With `num_workers=1`
    every stage gets a fixed share of the limit counted in work (CP-SAT's
    deterministic time, tried moves), not in wall time, so the same input and
    seed give the same schedule; the wall time then follows the limit only
    roughly. Setting `stop` ends the search early and keeps the best schedule so
    far. `decompose` solves day by day (`decompose.py`); by default only events
    of several days above `DECOMPOSE_PAIRS` (meeting, slot) pairs are.
    """
    budget = Budget(time_limit_s, reserve=RESERVE_SHARE, deterministic=num_workers <= 1)
    validate_pins(problem)
    d = Domains(problem)
    if decompose is None:
        decompose = len(d.days) > 1 and \
            sum(len(d.allowed_slots(m)) for m in problem.meetings) > DECOMPOSE_PAIRS
    if decompose:
        return _solve_by_day(problem, d, budget, num_workers, seed, progress, stop)
    run = _Run(d, budget, num_workers=num_workers, seed=seed, progress=progress, stop=stop)
    run.phase1()
    run.phase2()
    return _finish(problem, d, run.slots, run.chosen, "optimal" if run.proven else "feasible",
                   run.bound, budget.started, {"phase1_seconds": round(run.phase1_seconds, 3)},
                   run.gaps_bound)


def _solve_by_day(problem: Problem, d: Domains, budget: Budget, num_workers: int, seed: int,
                  progress: Progress | None, stop: threading.Event | None) -> Schedule:
    slots, chosen, bound, value_seconds, extra = solve_by_day(
        problem, d, solve=solve, time_limit_s=budget.limit, num_workers=num_workers, seed=seed,
        started=budget.started, deadline=budget.deadline, progress=progress, stop=stop)
    bound = max(bound, _value(d, slots))
    status = "optimal" if _value(d, slots) >= bound else "feasible"
    return _finish(problem, d, slots, chosen, status, bound, budget.started,
                   {"phase1_seconds": round(value_seconds, 3), **extra})


class _Run:
    """One solve below the day-by-day threshold: the incumbent, its bounds, the steps."""

    def __init__(self, d: Domains, budget: Budget, *, num_workers: int, seed: int,
                 progress: Progress | None, stop: threading.Event | None) -> None:
        self.d, self.budget, self.workers, self.seed = d, budget, num_workers, seed
        self.progress, self.stop = progress, stop
        self.deterministic = budget.deterministic
        start = greedy_start(d)
        self.slots = {mid: d.slot_pos[s] for mid, (s, _) in start.items()}
        self.chosen = {mid: t for mid, (_, t) in start.items()
                       if len(d.own_tables(d.meeting[mid])) > 1}
        self.value = _value(d, self.slots)
        self.bound = sum(m.priority for m in d.problem.meetings
                         if d.allowed_slots(m) and d.allowed_tables(m))
        self.pairs = sum(len(d.allowed_slots(m)) for m in d.problem.meetings)
        self.small, self.tiny = self.pairs <= SMALL_MODEL, self.pairs <= TINY_MODEL
        self.proven = False
        self.phase1_seconds = 0.0
        self.gaps_bound: int | None = None
        self.exact = False

    def stopped(self) -> bool:
        return _stopped(self.stop)

    def report(self, what: str, phase: str = PLACING) -> None:
        log.info("%.1fs %s: value %d, bound %d", self.budget.elapsed(), what, self.value, self.bound)
        if self.progress is None:
            return
        if phase == COMPACTING:
            self.progress(self.budget.elapsed(), self.value, self.bound, phase=phase,
                          idle_gaps=idle_gaps(self.d, self.slots), idle_gaps_bound=self.gaps_bound)
        else:
            self.progress(self.budget.elapsed(), self.value, self.bound, phase=phase)

    # phase 1: the value

    def phase1(self) -> None:
        self.lp_start()
        self.lp_bounds()
        self.report("greedy and LP bound")
        self.proven = self.value >= self.bound
        if not self.proven:
            self.polish_value()
        phase1_end = self.budget.until_share(PHASE1_SHARE)
        for ls_only in (True, False):
            self.cpsat_value(ls_only, phase1_end)
        self.phase1_seconds = self.budget.elapsed()
        self.bound = max(self.bound, self.value)

    def lp_start(self) -> None:
        """The degree LP's bound, and the meetings it picks placed in its order when
        that beats the greedy start.

        Its solution was integral on every benchmark family, and placing its
        meetings first, with Kempe swaps where two participants have no common
        free slot, reached its bound in about a second where the greedy start and
        the value polish stayed up to 0.8% below it (2,000 attendees, scarce
        tables, stands). Not on a re-solve: there the previous schedule comes first.
        """
        d = self.d
        lp = degree_lp(d)
        if lp is None:
            return
        optimum, weights = lp
        self.bound = min(self.bound, integral_bound(optimum))
        if self.value >= self.bound or any(m.previous is not None for m in d.problem.meetings):
            return
        index = {m.id: i for i, m in enumerate(d.problem.meetings)}
        order = sorted(d.problem.meetings, key=lambda m: (
            -round(weights.get(m.id, 0.0), 6), len(d.allowed_slots(m)), -m.priority, index[m.id]))
        # Pins and meetings that may use two stands first, where a greedy puts them.
        first = fcfs_placements(d.problem, [m for m in order if len(d.own_tables(m)) > 1], d)
        slots = insert_in_order(d, {mid: d.slot_pos[s] for mid, (s, _) in first.items()}, order,
                                compact=True)
        if _value(d, slots) > self.value:
            self.slots, self.value = slots, _value(d, slots)
            self.chosen = {mid: t for mid, (_, t) in first.items()
                           if len(d.own_tables(d.meeting[mid])) > 1}

    def lp_bounds(self) -> None:
        d, limit = self.d, self.budget.limit
        lp_seconds = 3600.0 if self.deterministic else max(1.0, limit * LP_SHARE)
        if self.small and self.value < self.bound:
            lp = lp_bound(d, lp_seconds)
            if lp is not None:
                self.bound = min(self.bound, integral_bound(lp))
        elif len(d.days) > 1 and self.value < self.bound:
            day = day_lp(d, lp_seconds)
            if day is not None:
                self.bound = min(self.bound, integral_bound(day[0]))

    def polish_value(self) -> None:
        self.slots = improve_value(self.d, self.slots, deadline=self.budget.until_share(POLISH_SHARE),
                                   target=self.bound, rounds=2 if self.deterministic else 6)
        self.chosen = {mid: t for mid, t in self.chosen.items() if mid in self.slots}
        self.value = _value(self.d, self.slots)
        self.proven = self.value >= self.bound
        self.report("value polish")

    def cpsat_value(self, ls_only: bool, phase1_end: float) -> None:
        if self.deterministic:
            share = 1 if not self.small else SMALL_LS_SHARE if ls_only else 1 - SMALL_LS_SHARE
            seconds = self.budget.limit * PHASE1_SHARE * share
        else:
            seconds = phase1_end - time.perf_counter()
            if ls_only and self.small:
                seconds *= SMALL_LS_SHARE
        if self.proven or self.stopped() or seconds < 0.05 or (not ls_only and not self.small) \
                or self.pairs > LS_MODEL:
            return
        self.slots, self.chosen, cp_bound = _cpsat_value(
            self.d, self.slots, self.chosen, seconds, ls_only=ls_only, num_workers=self.workers,
            seed=self.seed, watch=Watch(self.budget.started, self.progress, self.stop, self.bound),
            stop=self.stop)
        self.value = _value(self.d, self.slots)
        if cp_bound is not None:
            self.bound = min(self.bound, cp_bound)
        self.proven = self.value >= self.bound
        self.report("CP-SAT phase 1 (" + ("local search" if ls_only else "full") + ")")

    # phase 2: the same value, fair shares, compact agendas

    def phase2(self) -> None:
        if not self.stopped():
            self.fairness()
            self.agendas()
        settled = self.exact or (self.proven and self.gaps_bound is not None
                                 and idle_gaps(self.d, self.slots) <= self.gaps_bound)
        if self.tiny and not settled and not self.stopped():
            self.cpsat_polish()

    def fairness(self) -> None:
        self.slots = improve_fairness(self.d, self.slots,
                                      deadline=self.budget.until_share(FAIRNESS_SHARE))
        self.value = max(self.value, _value(self.d, self.slots))
        log.info("%.1fs fairness: cost %d", self.budget.elapsed(), phase2_cost(self.d, self.slots))

    def agendas(self) -> None:
        budget = self.budget
        remaining = budget.limit * (1 - PHASE1_SHARE) if self.deterministic else budget.left()
        self.exact = exact_applies(self.d, list(self.slots), deterministic=self.deterministic)
        share = HOLES_SHARE if self.tiny and not self.exact else 1.0
        progress = self.progress
        self.report("idle gaps", COMPACTING)
        self.slots, self.chosen, self.gaps_bound = compact_agendas(
            self.d, self.slots, self.chosen, seed=self.seed, num_workers=self.workers,
            until=budget.until_seconds(remaining * share),
            max_evals=int(remaining * share * EVALS_PER_SECOND) if self.deterministic else None,
            stopped=self.stopped, bound_seconds=min(BOUND_SECONDS, budget.limit * RESERVE_SHARE / 2),
            on_round=None if progress is None else
            gaps_reporter(progress, lambda best: idle_gaps(self.d, best), budget.started,
                          self.value, self.bound),
            on_bound=None if progress is None else
            bound_reporter(progress, budget.started, self.value, self.bound))
        log.info("%.1fs hole search: cost %d, idle gaps bound %d", budget.elapsed(),
                 phase2_cost(self.d, self.slots), self.gaps_bound)
        self.report("hole search", COMPACTING)

    def cpsat_polish(self) -> None:
        """The full phase-2 model, on tiny models only, from the schedule as a hint."""
        d = self.d
        seconds = self.budget.limit * (1 - PHASE1_SHARE) * (1 - HOLES_SHARE) \
            if self.deterministic else self.budget.left()
        if seconds <= 0.05:
            return
        sm = SlotModel(d, compact=True)
        set_compact_objective(sm, self.value)
        sm.hint(self.slots, assign_tables(d, self.slots, self.chosen))
        # its solutions count only if better at the end: meanwhile the best schedule's
        # idle gaps and their bound stand
        progress = None if self.progress is None else partial(
            self.progress, idle_gaps=idle_gaps(d, self.slots), idle_gaps_bound=self.gaps_bound,
            phase=COMPACTING)
        solver, status = cpsat.run(
            sm.model, seconds, num_workers=self.workers, seed=self.seed, stop=self.stop,
            watch=Watch(self.budget.started, progress, self.stop, None, (self.value, self.bound)))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            slots, chosen = _solution(sm, solver)
            if _value(d, slots) >= self.value and \
                    phase2_cost(d, slots) < phase2_cost(d, self.slots):
                self.slots, self.chosen, self.value = slots, chosen, _value(d, slots)
                self.bound = max(self.bound, self.value)
                self.proven = self.proven or self.value >= self.bound
                self.gaps_bound = None  # perhaps other meetings: _finish bounds them again
        log.info("%.1fs CP-SAT phase 2 %s: cost %d", self.budget.elapsed(),
                 solver.StatusName(status), phase2_cost(d, self.slots))


def _cpsat_value(d: Domains, slots: dict[str, int], chosen: dict[str, str], budget: float, *,
                 ls_only: bool, num_workers: int, seed: int, watch: Watch,
                 stop: threading.Event | None) -> tuple[dict[str, int], dict[str, str], int | None]:
    """One CP-SAT run on the phase-1 model from a complete hint; returns the better of
    the hint and CP-SAT's solution, and CP-SAT's bound on the value if it has one.

    `ls_only` runs CP-SAT's violation local search alone: on these models it finds
    the last few meetings far sooner than the full portfolio, which in turn is
    what proves optimality when the LP bound is not tight.
    """
    sm = SlotModel(d, compact=False)
    scale = set_value_objective(sm)
    watch.scale = scale
    sm.hint(slots, chosen)
    solver, status = cpsat.run(sm.model, budget, num_workers=num_workers, seed=seed, watch=watch,
                               stop=stop, ls_only=ls_only)
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        raise ScheduleInvalid(f"CP-SAT reports the model {solver.StatusName(status)}")
    cp_bound = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        new_slots, new_chosen = _solution(sm, solver)
        if _value(d, new_slots) >= _value(d, slots):
            slots, chosen = new_slots, new_chosen
        if status == cp_model.OPTIMAL:
            cp_bound = _value(d, slots)
        elif not ls_only:
            cp_bound = int(solver.BestObjectiveBound() + 1e-6) // scale
    return slots, chosen, cp_bound


def _finish(problem: Problem, d: Domains, slots: Mapping[str, int], chosen: Mapping[str, str],
            status: str, bound: int, started: float, extra: dict,
            gaps_bound: int | None = None) -> Schedule:
    """Tables for the slotted meetings, the schedule with its stats, checked.

    `gaps_bound` is a proven lower bound on the idle gaps of the scheduled meetings;
    when none was computed (a stopped run, the day-by-day path) it is computed here."""
    if gaps_bound is None:
        gaps = idle_gaps(d, slots)
        gaps_bound = min(gaps, gaps_lower_bound(problem, list(slots), seconds=BOUND_SECONDS)) \
            if gaps else 0
    extra = {**extra, "idle_gaps_bound": gaps_bound}
    tables = assign_tables(d, slots, chosen)
    placements = {mid: (d.slot_ids[pos], tables[mid]) for mid, pos in slots.items()}
    schedule = build_schedule(problem, d, placements, status, bound,
                              time.perf_counter() - started, extra=extra)
    problems = check(problem, schedule)
    if problems:
        raise ScheduleInvalid("the solver produced an invalid schedule: "
                              + "; ".join(map(str, problems[:5])))
    return schedule
