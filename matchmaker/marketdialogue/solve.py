"""Seat participants at market-dialogue tables with OR-Tools CP-SAT.

Lexicographic, in two phases:

1. maximise the interest value (sum of interest weights of the seats). A thread
   solves the LP relaxation with GLOP meanwhile: its optimum is the proven upper
   bound (CP-SAT's own bound can stall far above it), and a greedy guided by the
   LP solution is often within a few points of it. CP-SAT then searches until
   its time share is used or the LP bound is reached; the best of the greedy,
   the LP-guided greedy and CP-SAT wins;
2. keeping at least that value, minimise ``BIG * balance + spread``: balance is
   the side gaps of open tables plus the range of empty seats over the open
   tables of multi-table sessions, spread counts pairs of competing suppliers at
   one table (see `measures`); BIG exceeds any possible spread. Small models are
   solved whole (people may change sessions); then, or for large models only,
   each session is re-seated on its own with its attendance fixed (`polish`),
   which is exact per session and fast.

The model itself is in `model`, the CP-SAT runner in `cpsat`, the LP in `bound`.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

from . import cpsat
from .bound import LpBound
from .check import check
from .greedy import Placement, canonical, greedy
from .improve import improve
from .index import Index
from .measures import measure
from .model import balance_objective, build, extract, hint
from .polish import polish
from .problem import DialogueProblem, Plan, Seat
from .reasons import explain

Progress = Callable[[float, float, float], None]

# Above this many seat variables the second phase works session by session only.
GLOBAL_BALANCE_LIMIT = 6000


class SolverError(RuntimeError):
    """The solver produced a plan that breaks a rule: a bug, never an input problem."""


def solve(problem: DialogueProblem, *, time_limit_s: float = 30.0, num_workers: int = 2, seed: int = 0,
          progress: Progress | None = None, stop: threading.Event | None = None,
          balance: bool = True) -> Plan:
    """Return the best plan found within `time_limit_s` seconds, checked with `check()`.

    CP-SAT runs `num_workers` threads; the LP bound takes one more thread beside
    them. `progress(elapsed, value, bound)` is called from solver threads on each
    better interest value and bound; setting `stop` ends the search early with
    the best plan so far. `balance=False` skips the second phase (benchmarks
    compare against it). With `num_workers=1` runs are repeatable only as far
    as the wall-clock limits allow.
    """
    started = time.monotonic()
    ix = Index(problem)
    run = _Run(ix, started, stop or threading.Event(), progress, num_workers, seed,
               LpBound(ix, time_limit_s, seed))  # the LP runs beside the search
    start = canonical(ix, improve(ix, greedy(ix, seed), started + min(2.0, 0.1 * time_limit_s)))
    run.best = sum(ix.weight(p, s) for p, s, _t, _side in start)
    whole = balance and _seat_variables(ix) <= GLOBAL_BALANCE_LIMIT
    share = 1.0 if not balance else 0.6 if whole else 0.9
    placed, value, bound = _interest_phase(run, start, started + time_limit_s * share)
    if balance and placed and not run.stop.is_set():
        placed, value, bound = _balance_phase(run, placed, value, bound, whole, started + time_limit_s)
    run.lp.cancelled = True
    return _plan(run, placed, value, bound)


@dataclass
class _Run:
    """What the phases of one solve share: the problem, the clock, the LP thread and the best value so far."""

    ix: Index
    started: float
    stop: threading.Event
    progress: Progress | None
    workers: int
    seed: int
    lp: LpBound
    best: float = 0
    phases: dict[str, str] = field(default_factory=dict)

    def report(self, value: float, bound: float) -> None:
        self.best = max(self.best, value)  # CP-SAT's first solutions may trail the start
        if self.progress is not None:
            lp = self.lp.value
            self.progress(time.monotonic() - self.started, self.best, min(bound, lp if lp is not None else bound))


def _interest_phase(run: _Run, start: list[Placement], end: float) -> tuple[list[Placement], int, int]:
    """The best seating by interest value until `end`, with its value and a proven bound.

    The LP comes first: its bound and its rounded seating often settle the
    question; CP-SAT then searches on its own until the time share is used or
    the LP bound is reached, and the best plan of the three wins.
    """
    ix, lp = run.ix, run.lp
    trivial = _trivial_bound(ix)
    run.report(run.best, trivial)
    lp.wait(run.started + (end - run.started) / 2, run.stop)
    if lp.rounded is not None and lp.rounded_value > run.best:
        start, run.best = lp.rounded, lp.rounded_value
    if lp.value is not None and run.best >= lp.value:
        placed, bound = start, lp.value
        run.phases["interest"] = "LP-guided seating reaches the LP bound"
    elif run.stop.is_set():
        placed = start
        bound = min(trivial, lp.value) if lp.value is not None else trivial
        run.phases["interest"] = "stopped"
    else:
        placed, bound = _search_interest(run, start, trivial, end)
    value = sum(ix.weight(p, s) for p, s, _t, _side in placed)
    if lp.rounded is not None and lp.rounded_value > value:
        placed, value = lp.rounded, lp.rounded_value
        run.phases["rounded"] = "LP-guided greedy"
    bound = max(bound, value)
    run.report(value, bound)
    return placed, value, bound


def _search_interest(run: _Run, start: list[Placement], trivial: int, end: float) -> tuple[list[Placement], int]:
    """CP-SAT on the interest value: its seating if better than `start`, and the bound."""
    lp = run.lp
    best_start = run.best
    run.report(run.best, lp.value if lp.value is not None else trivial)
    m1 = build(run.ix)
    m1.model.maximize(m1.interest)
    # No hint: searching around the greedy start measurably held CP-SAT back
    # (600 participants: 99.9% with it, proven optimal in a third of the time
    # without). The start stays the fallback below.
    solver, status = cpsat.run(m1.model, end - time.monotonic(), run.workers, run.seed, run.stop, run.report,
                               interest_phase=True,
                               enough=lambda: lp.value is not None and max(run.best, lp.rounded_value) >= lp.value)
    run.phases["interest"] = solver.status_name(status)
    placed = start
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value > best_start:
        placed = extract(m1, solver)
    bound = trivial
    if status != cp_model.INFEASIBLE and math.isfinite(solver.best_objective_bound):
        bound = min(bound, math.floor(solver.best_objective_bound + 1e-6))
    if status != cp_model.OPTIMAL:
        lp.wait(end, run.stop)
    if lp.value is not None:
        bound = min(bound, lp.value)
    return placed, bound


def _balance_phase(run: _Run, placed: list[Placement], value: int, bound: int, whole: bool,
                   deadline: float) -> tuple[list[Placement], int, int]:
    """Balance and spread, keeping the interest value.

    The whole model may move people between sessions but scales badly; the
    per-session polish keeps who attends what and is exact for each session.
    """
    ix = run.ix
    remaining = deadline - time.monotonic()
    if whole and remaining > 0.05:
        m2 = build(ix)
        m2.model.add(m2.interest >= value)
        m2.model.minimize(balance_objective(m2))
        hint(m2, placed)
        solver, status = cpsat.run(m2.model, remaining * 0.7, run.workers, run.seed, run.stop, None,
                                   interest_phase=False)
        run.phases["balance"] = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            placed = extract(m2, solver)
            value = sum(ix.weight(p, s) for p, s, _t, _side in placed)
            bound = max(bound, value)
    if run.phases.get("balance") != "OPTIMAL":
        placed, run.phases["polish"] = polish(ix, placed, deadline, run.workers, run.seed, run.stop)
    return placed, value, bound


def _plan(run: _Run, placed: list[Placement], value: int, bound: int) -> Plan:
    """The plan of `placed` with its reasons and measures, checked against every rule."""
    ix = run.ix
    optimal = value >= bound
    closed, unseated = explain(ix, placed, optimal)
    stats: dict[str, object] = {"interest_value": value, "upper_bound": bound}
    stats.update(measure(ix, placed))
    stats["phases"] = run.phases
    stats["solve_seconds"] = round(time.monotonic() - run.started, 3)
    plan = Plan(status="optimal" if optimal else "feasible", seats=_seats(ix, placed),
                closed_tables=tuple(closed), unseated=tuple(unseated), stats=stats)
    run.report(value, bound)
    violations = check(ix.problem, plan)
    if violations:
        raise SolverError("the solver broke a rule: " + "; ".join(map(str, violations[:5])))
    return plan


def _seats(ix: Index, placed: list[Placement]) -> tuple[Seat, ...]:
    ordered = sorted(placed, key=lambda k: (k[1], k[2], k[3] != "buyer", k[0]))
    return tuple(Seat(participant=ix.people[p].id, session=ix.sessions[s].id, table=ix.sessions[s].tables[t].id,
                      side=side) for p, s, t, side in ordered)


def _seat_variables(ix: Index) -> int:
    return sum(1 for options in ix.options for s, t, _side in options if (s, t) in ix.live_tables)


def _trivial_bound(ix: Index) -> int:
    """Each participant's weights for the groups it could sit in: a bound the solver only tightens."""
    total = 0
    for p, options in enumerate(ix.options):
        groups = {ix.sessions[s].product_group for s, t, _side in options if (s, t) in ix.live_tables}
        total += sum(ix.people[p].interests[g] for g in groups)
    return total
