"""The one-to-one meeting scheduler: a slot per meeting, in two phases.

Phase 1 maximises the weighted value (sum of priorities of scheduled meetings):
a greedy start (first come first served or priority first; on a re-solve the
previous schedule), a proven bound from LP relaxations (`bound.py`), Kempe-chain
insertions and ejections (`improve.py`), then CP-SAT's violation local search
from a complete hint, stopped as soon as it reaches the bound. On small models
a full CP-SAT run follows, to prove optimality where the LP bound is not tight.

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
from collections.abc import Callable, Mapping

from ortools.sat.python import cp_model

from .agendas import compact_agendas, exact_applies, idle_gaps
from .bound import degree_bound, integral_bound, lp_bound
from .check import check, idle
from .compact import gaps_lower_bound
from .decompose import DECOMPOSE_PAIRS, day_lp, solve_by_day
from .domains import Domains
from .fcfs import build_schedule, fcfs_placements, fits, place_pins
from .formats import validate_pins
from .improve import improve_fairness, improve_value
from .holes import W_IDLE_SLOT
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
from .problem import Meeting, Problem, Schedule
from .reasons import Occupancy
from .tables import assign_tables

Progress = Callable[[float, float, float], None]

log = logging.getLogger(__name__)

PHASE1_SHARE = 0.6
RESERVE_SHARE = 0.05
SMALL_LS_SHARE = 0.7
HOLES_SHARE = 0.7
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
# CP-SAT's deterministic time ran about five times slower than the wall clock on
# the 2-core machine the limits were calibrated on; one worker uses it so that
# the same input and seed give the same schedule.
DETERMINISTIC_PER_SECOND = 0.2
EVALS_PER_SECOND = 20_000


class ScheduleInvalid(RuntimeError):
    """The solver produced a schedule that `check()` rejects: a bug, never expected."""


class _Watch(cp_model.CpSolverSolutionCallback):
    """Reports progress and stops the search on request or once the bound is reached."""

    def __init__(self, started: float, progress: Progress | None, stop: threading.Event | None,
                 target: float | None, report: tuple[float, float] | None = None,
                 scale: int = 1) -> None:
        super().__init__()
        self.scale = scale
        self.started = started
        self.progress = progress
        self.stop = stop
        self.target = target
        self.report = report

    def on_solution_callback(self) -> None:
        value = self.ObjectiveValue() // self.scale
        if self.progress is not None:
            bound = self.BestObjectiveBound() // self.scale
            if self.report is not None:
                value, bound = self.report
            elif self.target is not None:
                bound = min(bound, self.target)
            self.progress(time.perf_counter() - self.started, value, bound)
        if self.stop is not None and self.stop.is_set():
            self.StopSearch()
        elif self.target is not None and self.scale == 1 and value >= self.target - 1e-9:
            self.StopSearch()


def _run(model: cp_model.CpModel, budget: float, *, num_workers: int, seed: int,
         watch: _Watch, stop: threading.Event | None, ls_only: bool = False
         ) -> tuple[cp_model.CpSolver, int]:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.use_ls_only = ls_only
    params.num_workers = max(1, num_workers)
    params.random_seed = seed
    budget = max(0.05, budget)
    if num_workers <= 1:
        params.max_deterministic_time = budget * DETERMINISTIC_PER_SECOND
        params.max_time_in_seconds = budget * 10 + 10
    else:
        params.max_time_in_seconds = budget
    done = threading.Event()

    def watcher() -> None:
        while not done.is_set():
            if stop.wait(0.05):
                solver.StopSearch()
                return

    thread = None
    if stop is not None:
        thread = threading.Thread(target=watcher, daemon=True)
        thread.start()
    try:
        status = solver.Solve(model, watch)
    finally:
        done.set()
        if thread is not None:
            thread.join()
    return solver, status


def _cpsat_value(d: Domains, slots: dict[str, int], chosen: dict[str, str], budget: float, *,
                 ls_only: bool, num_workers: int, seed: int, watch: _Watch,
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
    solver, status = _run(sm.model, budget, num_workers=num_workers, seed=seed, watch=watch,
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


def previous_first(d: Domains) -> dict[str, tuple[str, str]]:
    """Meetings back at their previous places where they still fit, then the rest by priority."""
    index = {m.id: i for i, m in enumerate(d.problem.meetings)}
    occ = Occupancy(d, {})
    placements: dict[str, tuple[str, str]] = {}
    place_pins(d, occ, placements)
    for m in d.problem.meetings:
        prev = m.previous
        if m.id in placements or prev is None:
            continue
        pos = d.slot_pos[prev.slot]
        if pos not in d.allowed_slots(m) or any(
                (p, pos) in occ.person or occ.count[p] >= d.cap(p) for p in m.participants):
            continue
        table = prev.table if prev.table in d.allowed_tables(m) and (prev.table, pos) \
            not in occ.table else occ.free_table(m, pos)
        if table is not None:
            occ.add(m, pos, table)
            placements[m.id] = (prev.slot, table)
    for m in sorted(d.problem.meetings,
                    key=lambda m: (-m.priority, len(d.allowed_slots(m)), index[m.id])):
        if m.id not in placements:
            spot = fits(d, occ, m)
            if spot is not None:
                occ.add(m, *spot)
                placements[m.id] = (d.slot_ids[spot[0]], spot[1])
    return placements


def spread_placements(d: Domains, order: list[Meeting]) -> dict[str, tuple[str, str]]:
    """Greedy in the given order, each meeting on shared tables into the slot whose
    shared tables are least used (earliest on ties): keeps room in every slot when
    tables are scarce."""
    occ = Occupancy(d, {})
    placements: dict[str, tuple[str, str]] = {}
    place_pins(d, occ, placements)
    for m in order:
        if m.id in placements or any(occ.count[p] >= d.cap(p) for p in m.participants):
            continue
        pooled = d.is_pooled(m)
        best: tuple[tuple[int, int], str] | None = None
        for pos in d.allowed_slots(m):
            if any((p, pos) in occ.person for p in m.participants):
                continue
            key = (occ.pooled_used[pos] if pooled else 0, pos)
            if best is not None and key >= best[0]:
                continue
            table = occ.free_table(m, pos)
            if table is not None:
                best = (key, table)
        if best is not None:
            pos = best[0][1]
            occ.add(m, pos, best[1])
            placements[m.id] = (d.slot_ids[pos], best[1])
    return placements


def greedy_start(d: Domains) -> dict[str, tuple[str, str]]:
    """The better of first-come-first-served and a priority-first greedy; on a
    re-solve, the previous schedule completed greedily (the value polish that
    follows recovers what it lacks with far fewer moves)."""
    if any(m.previous is not None for m in d.problem.meetings):
        return previous_first(d)
    index = {m.id: i for i, m in enumerate(d.problem.meetings)}
    by_priority = sorted(d.problem.meetings,
                         key=lambda m: (-m.priority, len(d.allowed_slots(m)), index[m.id]))
    candidates = [spread_placements(d, by_priority), fcfs_placements(d.problem, by_priority, d),
                  fcfs_placements(d.problem, list(d.problem.meetings), d)]
    return max(candidates, key=lambda c: sum(d.meeting[mid].priority for mid in c))


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

    `status` is "optimal" only when phase 1 is proven optimal. With
    `num_workers=1` every stage gets a fixed share of the limit counted in work
    (CP-SAT's deterministic time, tried moves), not in wall time, so the same
    input and seed give the same schedule; the wall time then follows the limit
    only roughly. Setting `stop` ends the search early and keeps the best
    schedule so far. `decompose` solves day by day (`decompose.py`); by default
    only events of several days above `DECOMPOSE_PAIRS` (meeting, slot) pairs are.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s * (1 - RESERVE_SHARE)
    validate_pins(problem)
    d = Domains(problem)
    if decompose is None:
        decompose = len(d.days) > 1 and \
            sum(len(d.allowed_slots(m)) for m in problem.meetings) > DECOMPOSE_PAIRS
    if decompose:
        slots, chosen, bound, value_seconds, extra = solve_by_day(
            problem, d, time_limit_s=time_limit_s, num_workers=num_workers, seed=seed,
            started=started, deadline=deadline, progress=progress, stop=stop)
        bound = max(bound, _value(d, slots))
        status = "optimal" if _value(d, slots) >= bound else "feasible"
        return _finish(problem, d, slots, chosen, status, bound, started,
                       {"phase1_seconds": round(value_seconds, 3), **extra})

    start = greedy_start(d)
    slots = {mid: d.slot_pos[s] for mid, (s, _) in start.items()}
    chosen = {mid: t for mid, (_, t) in start.items() if len(d.own_tables(d.meeting[mid])) > 1}
    value = _value(d, slots)
    trivial = sum(m.priority for m in problem.meetings
                  if d.allowed_slots(m) and d.allowed_tables(m))
    bound = trivial
    pairs = sum(len(d.allowed_slots(m)) for m in problem.meetings)
    small, tiny = pairs <= SMALL_MODEL, pairs <= TINY_MODEL
    degree = degree_bound(d)
    if degree is not None:
        bound = min(bound, integral_bound(degree))
    if small and value < bound:
        lp = lp_bound(d, 3600.0 if num_workers <= 1 else max(1.0, time_limit_s * LP_SHARE))
        if lp is not None:
            bound = min(bound, integral_bound(lp))
    elif len(d.days) > 1 and value < bound:
        day = day_lp(d, 3600.0 if num_workers <= 1 else max(1.0, time_limit_s * LP_SHARE))
        if day is not None:
            bound = min(bound, integral_bound(day[0]))
    log.info("%.1fs greedy and LP bound: value %d, bound %d", time.perf_counter() - started,
             value, bound)
    if progress is not None:
        progress(time.perf_counter() - started, value, bound)

    proven = value >= bound
    deterministic = num_workers <= 1
    if not proven:
        polish_until = float("inf") if deterministic else \
            time.perf_counter() + (deadline - time.perf_counter()) * POLISH_SHARE
        slots = improve_value(d, slots, deadline=polish_until, target=bound,
                              rounds=2 if deterministic else 6)
        chosen = {mid: t for mid, t in chosen.items() if mid in slots}
        value = _value(d, slots)
        proven = value >= bound
        log.info("%.1fs value polish: value %d", time.perf_counter() - started, value)
        if progress is not None:
            progress(time.perf_counter() - started, value, bound)
    phase1_end = deadline - (deadline - time.perf_counter()) * (1 - PHASE1_SHARE)
    for ls_only in (True, False):
        budget = phase1_end - time.perf_counter()
        if deterministic:
            budget = time_limit_s * PHASE1_SHARE * (1 if not small else SMALL_LS_SHARE if ls_only
                                                    else 1 - SMALL_LS_SHARE)
        elif ls_only and small:
            budget *= SMALL_LS_SHARE
        if proven or _stopped(stop) or budget < 0.05 or (not ls_only and not small) \
                or pairs > LS_MODEL:
            continue
        slots, chosen, cp_bound = _cpsat_value(
            d, slots, chosen, budget, ls_only=ls_only, num_workers=num_workers, seed=seed,
            watch=_Watch(started, progress, stop, bound, scale=1), stop=stop)
        value = _value(d, slots)
        if cp_bound is not None:
            bound = min(bound, cp_bound)
        proven = value >= bound
        log.info("%.1fs CP-SAT phase 1 (%s): value %d, bound %d", time.perf_counter() - started,
                 "local search" if ls_only else "full", value, bound)
    phase1_seconds = time.perf_counter() - started
    bound = max(bound, value)
    gaps_bound: int | None = None
    exact = False

    if not _stopped(stop):
        slots = improve_fairness(d, slots, deadline=float("inf") if deterministic else
                                 time.perf_counter() + (deadline - time.perf_counter()) * 0.1)
        value = max(value, _value(d, slots))
        log.info("%.1fs fairness: cost %d", time.perf_counter() - started, phase2_cost(d, slots))
        remaining = max(0.0, deadline - time.perf_counter())
        if deterministic:
            remaining = time_limit_s * (1 - PHASE1_SHARE)
        exact = exact_applies(d, list(slots), deterministic=deterministic)
        holes_share = HOLES_SHARE if tiny and not exact else 1.0
        slots, chosen, gaps_bound = compact_agendas(
            d, slots, chosen, seed=seed, num_workers=num_workers,
            until=float("inf") if deterministic else time.perf_counter() + remaining * holes_share,
            max_evals=int(remaining * holes_share * EVALS_PER_SECOND) if deterministic else None,
            stopped=lambda: _stopped(stop),
            on_round=None if progress is None else
            lambda _cost: progress(time.perf_counter() - started, value, bound))
        log.info("%.1fs hole search: cost %d, idle gaps bound %d", time.perf_counter() - started,
                 phase2_cost(d, slots), gaps_bound)
        if progress is not None:
            progress(time.perf_counter() - started, value, bound)
    remaining = deadline - time.perf_counter()
    if deterministic:
        remaining = time_limit_s * (1 - PHASE1_SHARE) * (1 - HOLES_SHARE)
    settled = exact or (proven and gaps_bound is not None and idle_gaps(d, slots) <= gaps_bound)
    if not _stopped(stop) and remaining > 0.05 and tiny and not settled:
        sm2 = SlotModel(d, compact=True)
        set_compact_objective(sm2, value)
        sm2.hint(slots, assign_tables(d, slots, chosen))
        solver, status = _run(sm2.model, remaining, num_workers=num_workers, seed=seed,
                              watch=_Watch(started, progress, stop, None, (value, bound)),
                              stop=stop)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            new_slots, new_chosen = _solution(sm2, solver)
            if _value(d, new_slots) >= value and \
                    phase2_cost(d, new_slots) < phase2_cost(d, slots):
                slots, chosen, value = new_slots, new_chosen, _value(d, new_slots)
                bound = max(bound, value)
                proven = proven or value >= bound
                gaps_bound = None  # perhaps other meetings: _finish bounds them again
        log.info("%.1fs CP-SAT phase 2 %s: cost %d", time.perf_counter() - started,
                 solver.StatusName(status), phase2_cost(d, slots))

    return _finish(problem, d, slots, chosen, "optimal" if proven else "feasible", bound, started,
                   {"phase1_seconds": round(phase1_seconds, 3)}, gaps_bound)


def _finish(problem: Problem, d: Domains, slots: Mapping[str, int], chosen: Mapping[str, str],
            status: str, bound: int, started: float, extra: dict,
            gaps_bound: int | None = None) -> Schedule:
    """Tables for the slotted meetings, the schedule with its stats, checked.

    `gaps_bound` is a proven lower bound on the idle gaps of the scheduled meetings;
    when none was computed (a stopped run, the day-by-day path) it is computed here."""
    if gaps_bound is None:
        gaps_bound = min(idle_gaps(d, slots), gaps_lower_bound(problem, list(slots)))
    extra = {**extra, "idle_gaps_bound": gaps_bound}
    tables = assign_tables(d, slots, chosen)
    placements = {mid: (d.slot_ids[pos], tables[mid]) for mid, pos in slots.items()}
    schedule = build_schedule(problem, d, placements, status, bound,
                              time.perf_counter() - started, extra=extra)
    problems = check(problem, schedule)
    if problems:
        raise ScheduleInvalid("the solver produced an invalid schedule: " + "; ".join(problems[:5]))
    return schedule
