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
   each session is re-seated on its own with its attendance fixed, which is
   exact per session and fast.

Tables of one session with equal seats are interchangeable; their occupancy is
forced to fall with the table order to break that symmetry.
"""
from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable

from ortools.sat.python import cp_model

from .bound import lp_relaxation
from .check import check
from .greedy import Placement, canonical, greedy, symmetric_groups
from .improve import improve
from .index import Index, TableKey
from .measures import is_competitor, measure
from .problem import DialogueProblem, Plan, Seat
from .reasons import explain

Progress = Callable[[float, float, float], None]

# Above this many seat variables the second phase works session by session only.
GLOBAL_BALANCE_LIMIT = 6000
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
    stop = stop or threading.Event()
    lp = _LpBound(ix, time_limit_s, seed)  # runs beside the search, GLOP frees the GIL
    hint = canonical(ix, improve(ix, greedy(ix, seed), started + min(2.0, 0.1 * time_limit_s)))
    trivial = _trivial_bound(ix)
    best: dict[str, float] = {"value": sum(ix.weight(p, s) for p, s, _t, _side in hint)}

    def report(value: float, bound: float) -> None:
        best["value"] = max(best["value"], value)  # CP-SAT's first solutions may trail the start
        if progress is not None:
            progress(time.monotonic() - started, best["value"],
                     min(bound, lp.value if lp.value is not None else bound))

    # Phase 1: interest value. The LP comes first: its bound and its rounded
    # seating often settle the question; CP-SAT then searches on its own until
    # the time share is used or the LP bound is reached, and the best plan of
    # the three wins.
    whole = balance and _seat_variables(ix) <= GLOBAL_BALANCE_LIMIT
    share = 1.0 if not balance else 0.6 if whole else 0.9
    phase1_end = started + time_limit_s * share
    report(best["value"], trivial)
    lp.wait(started + (phase1_end - started) / 2, stop)
    if lp.rounded is not None and lp.rounded_value > best["value"]:
        hint, best["value"] = lp.rounded, lp.rounded_value
    phases: dict[str, str] = {}
    best_start = best["value"]
    if lp.value is not None and best["value"] >= lp.value:
        placed = hint
        bound = lp.value
        phases["interest"] = "LP-guided seating reaches the LP bound"
    elif stop.is_set():
        placed = hint
        bound = min(trivial, lp.value) if lp.value is not None else trivial
        phases["interest"] = "stopped"
    else:
        report(best["value"], lp.value if lp.value is not None else trivial)
        m1 = _build(ix)
        m1.model.maximize(m1.interest)
        # No hint: searching around the greedy start measurably held CP-SAT back
        # (600 participants: 99.9% with it, proven optimal in a third of the time
        # without). The start stays the fallback below.
        solver, status = _run(m1.model, phase1_end - time.monotonic(), num_workers, seed, stop, report,
                              interest_phase=True,
                              enough=lambda: lp.value is not None and max(best["value"], lp.rounded_value) >= lp.value)
        phases["interest"] = solver.status_name(status)
        placed = hint
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value > best_start:
            placed = _extract(m1, solver)
        bound = trivial
        if status != cp_model.INFEASIBLE and math.isfinite(solver.best_objective_bound):
            bound = min(bound, math.floor(solver.best_objective_bound + 1e-6))
        if status != cp_model.OPTIMAL:
            lp.wait(phase1_end, stop)
        if lp.value is not None:
            bound = min(bound, lp.value)
    value = sum(ix.weight(p, s) for p, s, _t, _side in placed)
    if lp.rounded is not None and lp.rounded_value > value:
        placed, value = lp.rounded, lp.rounded_value
        phases["rounded"] = "LP-guided greedy"
    bound = max(bound, value)
    report(value, bound)

    # Phase 2: balance and spread, keeping the interest value. The whole model
    # may move people between sessions but scales badly; the per-session polish
    # keeps who attends what and is exact for each session.
    if balance and placed and not stop.is_set():
        remaining = time_limit_s - (time.monotonic() - started)
        if whole and remaining > 0.05:
            m2 = _build(ix)
            m2.model.add(m2.interest >= value)
            m2.model.minimize(_balance_objective(m2))
            _hint(m2, placed)
            solver2, status2 = _run(m2.model, remaining * 0.7, num_workers, seed, stop, None,
                                    interest_phase=False)
            phases["balance"] = solver2.status_name(status2)
            if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                placed = _extract(m2, solver2)
                value = sum(ix.weight(p, s) for p, s, _t, _side in placed)
                bound = max(bound, value)
        if phases.get("balance") != "OPTIMAL":
            placed, polished = _polish(ix, placed, started + time_limit_s, num_workers, seed, stop)
            phases["polish"] = polished

    lp.cancelled = True
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


class _LpBound:
    """The LP bound, and a seating rounded from the LP solution, computed in a thread of its own.

    The LP-guided greedy is often within a few points of the bound, and found
    long before CP-SAT gets there on a busy machine.
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


def _polish(ix: Index, placed: list[Placement], deadline: float, workers: int, seed: int,
            stop: threading.Event) -> tuple[list[Placement], str]:
    """Re-seat each session's attendees over its tables and sides for balance and spread.

    Attendance stays as it is, so the interest value does too; each session is a
    small model of its own, `workers` of them solved at a time. Sessions already
    at their lower bounds are left alone. Returns the seating and how many
    sessions are proven best.
    """
    by_session: dict[int, list[Placement]] = defaultdict(list)
    for item in placed:
        by_session[item[1]].append(item)
    todo = [s for s in sorted(by_session) if not _at_lower_bound(ix, s, by_session[s])]
    done: dict[int, tuple[list[Placement], bool]] = {}
    lock = threading.Lock()
    queue = list(reversed(todo))

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                s = queue.pop()
                share = max(1, (len(queue) + 1 + workers - 1) // workers)
            left = deadline - time.monotonic()
            if stop.is_set() or left < 0.02:
                continue
            done[s] = _polish_session(ix, s, by_session[s], left / share, seed, stop)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(todo))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result: list[Placement] = []
    proven = len(by_session) - len(todo)
    for s, items in by_session.items():
        if s in done:
            result.extend(done[s][0])
            proven += done[s][1]
        else:
            result.extend(items)
    return result, f"{proven}/{len(by_session)} sessions optimal"


def _polish_session(ix: Index, s: int, items: list[Placement], limit: float, seed: int,
                    stop: threading.Event) -> tuple[list[Placement], bool]:
    session = ix.sessions[s]
    group = session.product_group
    back = sorted({p for p, *_ in items})  # sub-problem participant index -> problem index
    sub = DialogueProblem(
        sessions=(replace(session, tables=tuple(replace(t, moderator=None) for t in session.tables)),),
        participants=tuple(replace(ix.people[p], interests={group: ix.people[p].interests[group]}) for p in back),
        rules=ix.problem.rules)
    sub_ix = Index(sub)
    position = {p: i for i, p in enumerate(back)}
    local = [(position[p], 0, t, side) for p, _s, t, side in items]
    m = _build(sub_ix)
    mine: dict[int, list] = defaultdict(list)
    for key, var in m.x.items():
        mine[key[0]].append(var)
    for p in range(len(back)):
        m.model.add_exactly_one(mine[p])
    m.model.minimize(_balance_objective(m))
    _hint(m, canonical(sub_ix, local))
    solver, status = _run(m.model, limit, 1, seed, stop, None, interest_phase=False)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [(back[p], s, t, side) for p, _s, t, side in _extract(m, solver)], status == cp_model.OPTIMAL
    return items, False


def _at_lower_bound(ix: Index, s: int, items: list[Placement]) -> bool:
    """Whether side gaps, fill range and competitor pairs of a session cannot get lower."""
    roles = Counter(ix.people[p].role for p, *_ in items)
    sides: dict[int, Counter] = defaultdict(Counter)
    rivals: Counter = Counter()
    for p, _s, t, side in items:
        sides[t][side] += 1
        rivals[t] += is_competitor(ix, p, s)
    gap = sum(abs(c["buyer"] - c["supplier"]) for c in sides.values())
    if gap > max(0, abs(roles["buyer"] - roles["supplier"]) - roles["facilitator"]):
        return False
    fills = [_seat_count(ix, (s, t)) - sum(c.values()) for t, c in sides.items()]
    if len(fills) > 1 and max(fills) > min(fills):
        return False
    if len(ix.sessions[s].tables) > 1:
        total, k = sum(rivals.values()), len(sides)
        low, extra = divmod(total, k)
        least = (k - extra) * low * (low - 1) // 2 + extra * (low + 1) * low // 2
        if sum(n * (n - 1) // 2 for n in rivals.values()) > least:
            return False
    return True


# --------------------------------------------------------------------------- model


def _build(ix: Index) -> _Model:
    m = _Model(ix)
    _variables(m)
    _constraints(m)
    m.interest = sum(ix.weight(p, s) * var for (p, s, _t, _side), var in m.x.items())
    return m


def _variables(m: _Model) -> None:
    ix = m.ix
    live = ix.live_tables
    for p, options in enumerate(ix.options):
        for s, t, side in options:
            if (s, t) in live:
                seat = (p, s, t, side)
                m.x[seat] = m.model.new_bool_var(f"x_{p}_{s}_{t}_{side[0]}")
                m.at_table[(s, t)].append(seat)
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
        # Implied by the seat counts, but without them the LP may half-open a
        # table and dodge the minimums: the bound would be far weaker.
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
    balance: list[cp_model.LinearExpr] = []
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
        hi = model.new_int_var(0, size, f"hi_{s}")  # most empty seats at an open table
        lo = model.new_int_var(0, size, f"lo_{s}")  # fewest
        for k in keys:
            seats = ix.table(k).buyer_seats + ix.table(k).supplier_seats
            occupancy = sum(m.x[key] for key in m.at_table[k])
            model.add(hi >= seats * m.open[k] - occupancy)
            model.add(lo <= seats - occupancy)
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
    for seat, var in m.x.items():
        m.model.add_hint(var, seat in chosen)
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
        fills = [_seat_count(m.ix, k) - sum(seated[k].values()) for k in keys if k in seated]
        m.model.add_hint(hi, max(fills, default=0))
        m.model.add_hint(lo, min(fills, default=0))
    for (key, j), var in m.pairs.items():
        m.model.add_hint(var, max(0, rivals[key] - j))


def _run(model: cp_model.CpModel, limit: float, workers: int, seed: int, stop: threading.Event,
         report: Callable[[float, float], None] | None, *, interest_phase: bool,
         enough: Callable[[], bool] | None = None
         ) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(limit, 0.01)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if interest_phase:
        solver.parameters.linearization_level = 2  # the LP gives the bound; its cuts pay off here
    # Probing and symmetry detection cost seconds of presolve on large models and
    # gained nothing measurable; tables' symmetry is broken in the model itself.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    done = threading.Event()

    def watch() -> None:
        # A stop asked before CP-SAT starts is forgotten when it starts: keep asking.
        while not done.is_set():
            if stop.wait(0.05) or (enough is not None and enough()):
                solver.stop_search()
                done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    best = {"value": -math.inf, "bound": math.inf}
    callback = None
    if report is not None:
        def on_bound(bound: float) -> None:
            best["bound"] = bound
            if math.isfinite(best["value"]):
                report(best["value"], bound)

        notify = report

        class Callback(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                best["value"] = self.objective_value
                best["bound"] = min(best["bound"], self.best_objective_bound)
                notify(self.objective_value, self.best_objective_bound)

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


def _seat_variables(ix: Index) -> int:
    return sum(1 for options in ix.options for s, t, _side in options if (s, t) in ix.live_tables)


def _seat_count(ix: Index, key: TableKey) -> int:
    table = ix.table(key)
    return table.buyer_seats + table.supplier_seats


def _trivial_bound(ix: Index) -> int:
    """Each participant's weights for the groups it could sit in: a bound the solver only tightens."""
    total = 0
    for p, options in enumerate(ix.options):
        groups = {ix.sessions[s].product_group for s, t, _side in options if (s, t) in ix.live_tables}
        total += sum(ix.people[p].interests[g] for g in groups)
    return total
