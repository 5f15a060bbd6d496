"""The CP-SAT seating model: variables, constraints, the balance objective and hints.

One Boolean per participant, session, table and side it may take; one "open"
Boolean per table. Tables of one session with equal seats are interchangeable;
their occupancy is forced to fall with the table order to break that symmetry.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .greedy import Placement, symmetric_groups
from .index import Index, TableKey
from .measures import is_competitor

Key = tuple[int, int, int, str]  # (participant, session, table, side)


@dataclass
class SeatModel:
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


def build(ix: Index) -> SeatModel:
    """The seating rules as a CP-SAT model, with the interest value as an expression (no objective yet)."""
    m = SeatModel(ix)
    _variables(m)
    _table_constraints(m)
    _person_constraints(m)
    _symmetry_constraints(m)
    m.interest = sum(ix.weight(p, s) * var for (p, s, _t, _side), var in m.x.items())
    return m


def _variables(m: SeatModel) -> None:
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


def _table_constraints(m: SeatModel) -> None:
    """Seats per side, minimums and organisations per open table."""
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


def _person_constraints(m: SeatModel) -> None:
    """One seat at a time and one seat per product group, per participant."""
    ix, model = m.ix, m.model
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


def _symmetry_constraints(m: SeatModel) -> None:
    """Interchangeable tables: occupancy falls with the table order."""
    for s, groups in symmetric_groups(m.ix).items():
        for tables in groups:
            live = [t for t in tables if (s, t) in m.open]
            for a, b in zip(live, live[1:]):
                m.model.add(sum(m.x[k] for k in m.at_table[(s, a)]) >= sum(m.x[k] for k in m.at_table[(s, b)]))


def balance_objective(m: SeatModel) -> cp_model.LinearExprT:
    """``BIG * balance + spread``: side gaps and fill ranges first, competitor pairs after (see `measures`)."""
    balance: list[cp_model.LinearExpr] = [_side_gap(m, key) for key in m.open]
    by_session: dict[int, list[TableKey]] = defaultdict(list)
    for key in m.open:
        by_session[key[0]].append(key)
    spread: list = []
    spread_max = 0
    for s, keys in by_session.items():
        if len(keys) < 2:
            continue
        balance.append(_fill_range(m, s, keys))
        for k in keys:
            spread_max += _rival_pairs(m, s, k, spread)
    return (spread_max + 1) * sum(balance) + sum(spread)


def _side_gap(m: SeatModel, key: TableKey) -> cp_model.IntVar:
    """|buyer side - supplier side| at one table."""
    table = m.ix.table(key)
    members = m.at_table[key]
    diff = sum(m.x[k] for k in members if k[3] == "buyer") - sum(m.x[k] for k in members if k[3] == "supplier")
    gap = m.model.new_int_var(0, max(table.buyer_seats, table.supplier_seats), f"gap_{key[0]}_{key[1]}")
    m.model.add(gap >= diff)
    m.model.add(gap >= -diff)
    m.gap[key] = gap
    return gap


def _fill_range(m: SeatModel, s: int, keys: list[TableKey]) -> cp_model.LinearExpr:
    """Most minus fewest empty seats over the open tables of session `s`."""
    ix, model = m.ix, m.model
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
    return hi - lo


def _rival_pairs(m: SeatModel, s: int, k: TableKey, spread: list) -> int:
    """Add the pairs of competing suppliers at table `k` to `spread`; return their largest possible sum."""
    ix, model = m.ix, m.model
    rivals = [m.x[key] for key in m.at_table[k] if key[3] == "supplier" and is_competitor(ix, key[0], s)]
    cap = min(len(rivals), ix.table(k).supplier_seats)
    most = 0
    # pairs(c) = sum over j >= 1 of max(0, c - j)
    for j in range(1, cap):
        excess = model.new_int_var(0, cap - j, f"pairs_{s}_{k[1]}_{j}")
        model.add(excess >= sum(rivals) - j)
        m.pairs[(k, j)] = excess
        spread.append(excess)
        most += cap - j
    return most


def hint(m: SeatModel, placed: list[Placement]) -> None:
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
        fills = [seat_count(m.ix, k) - sum(seated[k].values()) for k in keys if k in seated]
        m.model.add_hint(hi, max(fills, default=0))
        m.model.add_hint(lo, min(fills, default=0))
    for (key, j), var in m.pairs.items():
        m.model.add_hint(var, max(0, rivals[key] - j))


def extract(m: SeatModel, solver: cp_model.CpSolver) -> list[Placement]:
    return [key for key, var in m.x.items() if solver.boolean_value(var)]


def seat_count(ix: Index, key: TableKey) -> int:
    table = ix.table(key)
    return table.buyer_seats + table.supplier_seats
