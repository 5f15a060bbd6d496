"""An upper bound on the interest value from the LP relaxation, solved with GLOP.

CP-SAT's own bound can stall far above the LP optimum on these models (seen at
871 against an LP of 837 on a 200-participant instance); the LP relaxation of
the same constraints is cheap and usually tight, so the solver takes the lower
of the two. `LpBound` solves it in a thread of its own beside the search.
"""
from __future__ import annotations

import math
import threading
import time
from collections import defaultdict

from ortools.linear_solver import pywraplp

from .greedy import Placement, canonical, greedy
from .improve import improve
from .index import Index


def lp_bound(ix: Index, time_limit_s: float = 30.0) -> int | None:
    """The interest value's LP bound rounded down, or None if GLOP gave no proven optimum."""
    return lp_relaxation(ix, time_limit_s)[0]


def lp_relaxation(ix: Index, time_limit_s: float = 30.0) -> tuple[int | None, dict[tuple, float]]:
    """The LP bound and the LP's seat values (participant, session, table, side) -> [0, 1]."""
    rules = ix.problem.rules
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with ortools
        return None, {}
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    live = ix.live_tables
    objective = solver.Objective()
    x: dict[tuple, pywraplp.Variable] = {}
    at_table: dict[tuple, list] = defaultdict(list)
    mine: dict[int, list] = defaultdict(list)
    for p, options in enumerate(ix.options):
        for s, t, side in options:
            if (s, t) not in live:
                continue
            var = solver.NumVar(0.0, 1.0, "")
            seat = (p, s, t, side)
            x[seat] = var
            at_table[(s, t)].append(seat)
            mine[p].append(seat)
            objective.SetCoefficient(var, ix.weight(p, s))
    objective.SetMaximization()
    if not x:
        return 0, {}

    def row(lower: float, upper: float, terms: list) -> None:
        constraint = solver.RowConstraint(lower, upper, "")
        for var, coef in terms:
            constraint.SetCoefficient(var, coef)

    infinity = solver.infinity()
    for key, members in at_table.items():
        table = ix.table(key)
        is_open = solver.NumVar(0.0, 1.0, "")
        row(-infinity, 0, [(x[k], 1) for k in members if k[3] == "buyer"] + [(is_open, -table.buyer_seats)])
        row(-infinity, 0, [(x[k], 1) for k in members if k[3] == "supplier"] + [(is_open, -table.supplier_seats)])
        if rules.min_buyers:
            row(0, infinity, [(x[k], 1) for k in members if ix.people[k[0]].role == "buyer"]
                + [(is_open, -rules.min_buyers)])
        if rules.min_suppliers:
            row(0, infinity, [(x[k], 1) for k in members if ix.people[k[0]].role == "supplier"]
                + [(is_open, -rules.min_suppliers)])
        for k in members:
            row(-infinity, 0, [(x[k], 1), (is_open, -1)])
        if rules.max_per_organisation is not None:
            by_org: dict[str, list] = defaultdict(list)
            for k in members:
                by_org[ix.people[k[0]].org_key].append(k)
            for group in by_org.values():
                if len({k[0] for k in group}) > rules.max_per_organisation:
                    row(-infinity, rules.max_per_organisation, [(x[k], 1) for k in group])
    for p, keys in mine.items():
        if len(keys) < 2:
            continue
        for clique in ix.cliques:
            inside = [x[k] for k in keys if k[1] in clique]
            if len(inside) > 1:
                row(-infinity, 1, [(var, 1) for var in inside])
        by_group: dict[str, list] = defaultdict(list)
        for k in keys:
            by_group[ix.sessions[k[1]].product_group].append(x[k])
        for group_vars in by_group.values():
            if len(group_vars) > 1:
                row(-infinity, 1, [(var, 1) for var in group_vars])
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None, {}
    values = {key: var.solution_value() for key, var in x.items() if var.solution_value() > 1e-6}
    return math.floor(objective.Value() + 1e-6), values


class LpBound:
    """The LP bound, and a seating rounded from the LP solution, computed in a thread of its own.

    The LP-guided greedy is often within a few points of the bound, and found
    long before CP-SAT gets there on a busy machine. GLOP frees the GIL.
    """

    def __init__(self, ix: Index, time_limit_s: float, seed: int) -> None:
        self.value: int | None = None
        self.rounded: list[Placement] | None = None
        self.rounded_value = -1
        self.cancelled = False  # set when solve() returns: skip work nobody will read
        _ = ix.options, ix.cliques, ix.candidates, ix.by_group, ix.live_tables  # built before two threads want them
        self._thread = threading.Thread(target=self._work, args=(ix, time_limit_s, seed), daemon=True)
        self._thread.start()

    def _work(self, ix: Index, time_limit_s: float, seed: int) -> None:
        bound, values = lp_relaxation(ix, time_limit_s)
        self.value = bound
        if values and not self.cancelled:
            rounded = improve(ix, greedy(ix, seed, values), time.monotonic() + min(2.0, 0.1 * time_limit_s))
            self.rounded_value = sum(ix.weight(p, s) for p, s, _t, _side in rounded)
            self.rounded = canonical(ix, rounded)

    def wait(self, until: float, stop: threading.Event) -> None:
        """Wait for the LP until the `time.monotonic()` deadline or a stop."""
        while self._thread.is_alive() and not stop.is_set() and time.monotonic() < until:
            self._thread.join(min(0.05, max(0.0, until - time.monotonic())))
