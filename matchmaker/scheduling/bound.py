"""A proven upper bound on the weighted value from the LP relaxation (GLOP).

The relaxation of the slot-level model is tight on realistic instances and
takes seconds, where CP-SAT's own bound lags far behind on large models.
"""
from __future__ import annotations

import math
from typing import overload
from collections import defaultdict

from ortools.linear_solver import pywraplp

from .domains import Domains


def lp_bound(d: Domains, time_limit_s: float = 30.0) -> float | None:
    """The LP optimum, or None when GLOP does not finish in time."""
    solver = new_lp(time_limit_s)
    if solver is None:
        return None
    infinity = solver.infinity()
    x: dict[tuple[str, int], pywraplp.Variable] = {}
    busy: dict[tuple[str, int], list] = defaultdict(list)
    per_person: dict[str, list] = defaultdict(list)
    pooled_at: dict[int, list] = defaultdict(list)
    shared_stand_at: dict[tuple[str, int], list] = defaultdict(list)
    objective = solver.Objective()
    for m in d.problem.meetings:
        if not d.allowed_tables(m):
            continue
        slots = d.allowed_slots(m)
        if m.fixed is not None:
            slots = (d.slot_pos[m.fixed.slot],)
        own = d.own_tables(m)
        row = solver.Constraint(1 if m.fixed is not None else 0, 1)
        for pos in slots:
            var = solver.NumVar(0.0, 1.0, "")
            x[(m.id, pos)] = var
            row.SetCoefficient(var, 1)
            objective.SetCoefficient(var, m.priority)
            for p in m.participants:
                busy[(p, pos)].append(var)
                per_person[p].append(var)
            if not own:
                pooled_at[pos].append(var)
            elif len(own) == 1 and len(d.owners[own[0]]) > 1:
                shared_stand_at[(own[0], pos)].append(var)
    objective.SetMaximization()
    for vars_ in busy.values():
        if len(vars_) > 1:
            at_most(solver, vars_, 1, infinity)
    for p, vars_ in per_person.items():
        cap = d.participant[p].max_meetings
        if cap is not None:
            at_most(solver, vars_, cap, infinity)
    for vars_ in pooled_at.values():
        if len(vars_) > len(d.pooled):
            at_most(solver, vars_, len(d.pooled), infinity)
    for vars_ in shared_stand_at.values():
        if len(vars_) > 1:
            at_most(solver, vars_, 1, infinity)
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return objective.Value()


def degree_bound(d: Domains) -> float | None:
    """A cheaper, weaker LP bound: each participant meets at most once per slot it can
    use (and within its cap), the shared tables host at most their number per slot.

    One variable per meeting instead of one per (meeting, slot): it solves in
    a moment at any size and stands in when the slot-level LP runs out of time.
    """
    lp = degree_lp(d)
    return None if lp is None else lp[0]


def degree_lp(d: Domains) -> tuple[float, dict[str, float]] | None:
    """The degree bound's LP optimum and its value per meeting (see `degree_bound`).

    On the benchmark families its solution is integral and its optimum is the
    slot-level LP's: the meetings it picks are a value-optimal set, which
    `solve()` then places slot by slot (`improve.insert_in_order`).
    """
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    infinity = solver.infinity()
    x: dict[str, pywraplp.Variable] = {}
    per_person: dict[str, list] = defaultdict(list)
    reach: dict[str, set[int]] = defaultdict(set)
    pooled: list = []
    pooled_slots: set[int] = set()
    objective = solver.Objective()
    for m in d.problem.meetings:
        slots = d.allowed_slots(m)
        if not slots or not d.allowed_tables(m):
            continue
        var = solver.NumVar(1.0 if m.fixed is not None else 0.0, 1.0, "")
        x[m.id] = var
        objective.SetCoefficient(var, m.priority)
        for p in m.participants:
            per_person[p].append(var)
            reach[p].update(slots)
        if not d.own_tables(m):
            pooled.append(var)
            pooled_slots.update(slots)
    objective.SetMaximization()
    for p, vars_ in per_person.items():
        limit = len(reach[p])
        cap = d.participant[p].max_meetings
        if cap is not None:
            limit = min(limit, cap)
        if len(vars_) > limit:
            at_most(solver, vars_, limit, infinity)
    if len(pooled) > len(d.pooled) * len(pooled_slots):
        at_most(solver, pooled, len(d.pooled) * len(pooled_slots), infinity)
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return objective.Value(), {mid: var.solution_value() for mid, var in x.items()}


def new_lp(time_limit_s: float) -> pywraplp.Solver | None:
    """A GLOP solver limited to `time_limit_s` (at least a millisecond); None if GLOP is
    not available."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is not None:
        solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    return solver


def at_most(solver: pywraplp.Solver, vars_: list, limit: int, infinity: float) -> None:
    """The LP row: the sum of `vars_` is at most `limit`."""
    row = solver.Constraint(-infinity, limit)
    for v in vars_:
        row.SetCoefficient(v, 1)


@overload
def integral_bound(value: float) -> int: ...
@overload
def integral_bound(value: None) -> None: ...
@overload
def integral_bound(value: float | None) -> int | None: ...


def integral_bound(value: float | None) -> int | None:
    """The LP optimum rounded down (priorities are integers), with a float tolerance."""
    if value is None:
        return None
    return math.floor(value + 1e-3 + 1e-7 * abs(value))
