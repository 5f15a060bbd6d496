"""Seat participants at market-dialogue tables with OR-Tools CP-SAT.

Two phases, lexicographic:

1. maximise the interest value (sum of interest weights of the seats), with a
   proven upper bound;
2. keeping at least that value, minimise ``BIG * balance + spread`` where balance
   is the side gaps of open tables plus the fill range of multi-table sessions,
   and spread counts pairs of competing suppliers at one table (see `measures`).
   BIG exceeds any possible spread, so balance strictly comes first.

Tables of one session with equal seats are interchangeable; their occupancy is
forced to fall with the table order to break that symmetry.
"""
from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

from .check import check
from .greedy import Placement, canonical, greedy, symmetric_groups
from .index import Index, TableKey
from .measures import is_competitor, measure
from .problem import DialogueProblem, Plan, Seat
from .reasons import explain

Progress = Callable[[float, float, float], None]
Key = tuple[int, int, int, str]  # (participant, session, table, side)


class SolverError(RuntimeError):
    """The solver produced a plan that breaks a rule: a bug, never an input problem."""


@dataclass
class _Model:
    ix: Index
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[Key, cp_model.IntVar] = field(default_factory=dict)
    open: dict[TableKey, cp_model.IntVar] = field(default_factory=dict)
    at_table: dict[TableKey, list[Key]] = field(default_factory=lambda: defaultdict(list))
    interest: cp_model.LinearExprT = 0
    # Phase 2 auxiliaries, with what they stand for, to hint them completely.
    gap: dict[TableKey, cp_model.IntVar] = field(default_factory=dict)
    fill: dict[int, tuple[cp_model.IntVar, cp_model.IntVar, list[TableKey]]] = field(default_factory=dict)
    pairs: dict[tuple[TableKey, int], cp_model.IntVar] = field(default_factory=dict)


def solve(problem: DialogueProblem, *, time_limit_s: float = 30.0, num_workers: int = 2, seed: int = 0,
          progress: Progress | None = None, stop: threading.Event | None = None,
          balance: bool = True) -> Plan:
    """Return the best plan found within `time_limit_s` seconds.

    `progress(elapsed, value, bound)` is called from the solver's thread on each
    better interest value and bound; setting `stop` ends the search early with
    the best plan so far. `balance=False` skips the second phase (benchmarks
    compare against it).
    """
    started = time.monotonic()
    ix = Index(problem)
    stop = stop or threading.Event()
    hint = canonical(ix, greedy(ix, seed))
    trivial = _trivial_bound(ix)

    def report(value: float, bound: float) -> None:
        if progress is not None:
            progress(time.monotonic() - started, value, bound)

    # Phase 1: interest value.
    m1 = _build(ix)
    m1.model.maximize(m1.interest)
    _hint(m1, hint)
    phase1_limit = time_limit_s * (0.6 if balance else 1.0)
    solver, status = _run(m1.model, phase1_limit, num_workers, seed, stop, report, interest_phase=True)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placed = _extract(m1, solver)
        bound = min(trivial, math.floor(solver.best_objective_bound + 1e-6))
    else:
        placed = hint
        bound = trivial
        if status == cp_model.UNKNOWN and math.isfinite(solver.best_objective_bound):
            bound = min(trivial, math.floor(solver.best_objective_bound + 1e-6))
    value = sum(ix.weight(p, s) for p, s, _t, _side in placed)
    bound = max(bound, value)
    phases = {"interest": solver.status_name(status)}
    report(value, bound)

    # Phase 2: balance and spread, keeping the interest value.
    remaining = time_limit_s - (time.monotonic() - started)
    if balance and m1.open and remaining > 0.05 and not stop.is_set():
        m2 = _build(ix)
        m2.model.add(m2.interest >= value)
        m2.model.minimize(_balance_objective(m2))
        _hint(m2, placed)
        solver2, status2 = _run(m2.model, remaining, num_workers, seed, stop, None, interest_phase=False)
        phases["balance"] = solver2.status_name(status2)
        if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            placed = _extract(m2, solver2)
            value = sum(ix.weight(p, s) for p, s, _t, _side in placed)
            bound = max(bound, value)

    optimal = value >= bound
    closed, unseated = explain(ix, placed, optimal)
    stats: dict[str, object] = {"interest_value": value, "upper_bound": bound}
    stats.update(measure(ix, placed))
    stats["phases"] = phases
    stats["solve_seconds"] = round(time.monotonic() - started, 3)
    plan = Plan(status="optimal" if optimal else "feasible", seats=_seats(ix, placed),
                closed_tables=tuple(closed), unseated=tuple(unseated), stats=stats)
    report(value, bound)
    violations = check(problem, plan)
    if violations:
        raise SolverError("the solver broke a rule: " + "; ".join(violations[:5]))
    return plan


# --------------------------------------------------------------------------- model


def _build(ix: Index) -> _Model:
    m = _Model(ix)
    _variables(m)
    _constraints(m)
    m.interest = sum(ix.weight(p, s) * var for (p, s, _t, _side), var in m.x.items())
    return m


def _variables(m: _Model) -> None:
    ix = m.ix
    live = {key for key in ix.table_keys if ix.closed_cause(key) is None}
    for p, options in enumerate(ix.options):
        for s, t, side in options:
            if (s, t) in live:
                key = (p, s, t, side)
                m.x[key] = m.model.new_bool_var(f"x_{p}_{s}_{t}_{side[0]}")
                m.at_table[(s, t)].append(key)
    for key in sorted(live):
        if m.at_table[key]:
            m.open[key] = m.model.new_bool_var(f"open_{key[0]}_{key[1]}")


def _constraints(m: _Model) -> None:
    ix, model, rules = m.ix, m.model, m.ix.problem.rules
    for key, is_open in m.open.items():
        table = ix.table(key)
        members = m.at_table[key]
        buyer_side = [m.x[k] for k in members if k[3] == "buyer"]
        supplier_side = [m.x[k] for k in members if k[3] == "supplier"]
        model.add(sum(buyer_side) <= table.buyer_seats * is_open)
        model.add(sum(supplier_side) <= table.supplier_seats * is_open)
        buyers = [m.x[k] for k in members if ix.people[k[0]].role == "buyer"]
        suppliers = [m.x[k] for k in members if ix.people[k[0]].role == "supplier"]
        if rules.min_buyers:
            model.add(sum(buyers) >= rules.min_buyers * is_open)
        if rules.min_suppliers:
            model.add(sum(suppliers) >= rules.min_suppliers * is_open)
        model.add(is_open <= sum(m.x[k] for k in members))
        for k in members:
            model.add_implication(m.x[k], is_open)
        if rules.max_per_organisation is not None:
            by_org: dict[str, list[Key]] = defaultdict(list)
            for k in members:
                by_org[ix.people[k[0]].org_key].append(k)
            for group in by_org.values():
                if len({k[0] for k in group}) > rules.max_per_organisation:
                    model.add(sum(m.x[k] for k in group) <= rules.max_per_organisation)

    # One seat at a time and one seat per product group, per participant.
    mine: dict[int, list[Key]] = defaultdict(list)
    for k in m.x:
        mine[k[0]].append(k)
    for p, keys in mine.items():
        if len(keys) < 2:
            continue
        for clique in ix.cliques:
            inside = [m.x[k] for k in keys if k[1] in clique]
            if len(inside) > 1:
                model.add_at_most_one(inside)
        by_group: dict[str, list] = defaultdict(list)
        for k in keys:
            by_group[ix.sessions[k[1]].product_group].append(m.x[k])
        for group_vars in by_group.values():
            if len(group_vars) > 1:
                model.add_at_most_one(group_vars)

    # Interchangeable tables: occupancy falls with the table order.
    for s, groups in symmetric_groups(ix).items():
        for tables in groups:
            live = [t for t in tables if (s, t) in m.open]
            for a, b in zip(live, live[1:]):
                model.add(sum(m.x[k] for k in m.at_table[(s, a)]) >= sum(m.x[k] for k in m.at_table[(s, b)]))


def _balance_objective(m: _Model) -> cp_model.LinearExprT:
    ix, model = m.ix, m.model
    balance = []
    for key in m.open:
        table = ix.table(key)
        members = m.at_table[key]
        diff = sum(m.x[k] for k in members if k[3] == "buyer") - sum(m.x[k] for k in members if k[3] == "supplier")
        gap = model.new_int_var(0, max(table.buyer_seats, table.supplier_seats), f"gap_{key[0]}_{key[1]}")
        model.add(gap >= diff)
        model.add(gap >= -diff)
        m.gap[key] = gap
        balance.append(gap)

    by_session: dict[int, list[TableKey]] = defaultdict(list)
    for key in m.open:
        by_session[key[0]].append(key)
    spread = []
    spread_max = 0
    for s, keys in by_session.items():
        if len(keys) < 2:
            continue
        size = max(ix.table(k).buyer_seats + ix.table(k).supplier_seats for k in keys)
        hi = model.new_int_var(0, size, f"hi_{s}")
        lo = model.new_int_var(0, size, f"lo_{s}")
        for k in keys:
            occupancy = sum(m.x[key] for key in m.at_table[k])
            model.add(hi >= occupancy)
            model.add(lo <= occupancy + size * (1 - m.open[k]))
        model.add(lo <= hi)
        m.fill[s] = (hi, lo, keys)
        balance.append(hi - lo)
        for k in keys:
            rivals = [m.x[key] for key in m.at_table[k] if key[3] == "supplier" and is_competitor(ix, key[0], s)]
            cap = min(len(rivals), ix.table(k).supplier_seats)
            # pairs(c) = sum over j >= 1 of max(0, c - j)
            for j in range(1, cap):
                excess = model.new_int_var(0, cap - j, f"pairs_{s}_{k[1]}_{j}")
                model.add(excess >= sum(rivals) - j)
                m.pairs[(k, j)] = excess
                spread.append(excess)
                spread_max += cap - j
    return (spread_max + 1) * sum(balance) + sum(spread)


def _hint(m: _Model, placed: list[Placement]) -> None:
    """Hint every variable, auxiliaries too, from a valid seating."""
    chosen = set(placed)
    for key, var in m.x.items():
        m.model.add_hint(var, key in chosen)
    seated: dict[TableKey, Counter] = defaultdict(Counter)
    rivals: Counter = Counter()
    for p, s, t, side in placed:
        seated[(s, t)][side] += 1
        if side == "supplier" and is_competitor(m.ix, p, s):
            rivals[(s, t)] += 1
    for key, var in m.open.items():
        m.model.add_hint(var, key in seated)
    for key, var in m.gap.items():
        m.model.add_hint(var, abs(seated[key]["buyer"] - seated[key]["supplier"]))
    for hi, lo, keys in m.fill.values():
        fills = [sum(seated[k].values()) for k in keys if k in seated]
        m.model.add_hint(hi, max(fills, default=0))
        m.model.add_hint(lo, min(fills, default=0))
    for (key, j), var in m.pairs.items():
        m.model.add_hint(var, max(0, rivals[key] - j))


def _run(model: cp_model.CpModel, limit: float, workers: int, seed: int, stop: threading.Event,
         report: Callable[[float, float], None] | None, *, interest_phase: bool
         ) -> tuple[cp_model.CpSolver, int]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(limit, 0.01)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if interest_phase:
        solver.parameters.linearization_level = 2
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if stop.wait(0.05):
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    best = {"value": -math.inf, "bound": math.inf}
    callback = None
    if report is not None:
        def on_bound(bound: float) -> None:
            best["bound"] = bound
            if math.isfinite(best["value"]):
                report(best["value"], bound)

        class Callback(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                best["value"] = self.objective_value
                best["bound"] = min(best["bound"], self.best_objective_bound)
                report(self.objective_value, self.best_objective_bound)

        solver.best_bound_callback = on_bound
        callback = Callback()
    try:
        status = solver.solve(model, callback)
    finally:
        done.set()
        watcher.join()
    return solver, status


def _extract(m: _Model, solver: cp_model.CpSolver) -> list[Placement]:
    return [key for key, var in m.x.items() if solver.boolean_value(var)]


def _seats(ix: Index, placed: list[Placement]) -> tuple[Seat, ...]:
    ordered = sorted(placed, key=lambda k: (k[1], k[2], k[3] != "buyer", k[0]))
    return tuple(Seat(participant=ix.people[p].id, session=ix.sessions[s].id, table=ix.sessions[s].tables[t].id,
                      side=side) for p, s, t, side in ordered)


def _trivial_bound(ix: Index) -> int:
    """Each participant's weights for the groups it could sit in: a bound the solver only tightens."""
    total = 0
    for p, options in enumerate(ix.options):
        groups = {ix.sessions[s].product_group for s, t, _side in options if ix.closed_cause((s, t)) is None}
        total += sum(ix.people[p].interests[g] for g in groups)
    return total
