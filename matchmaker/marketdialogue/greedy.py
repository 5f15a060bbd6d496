"""Quick valid seatings: the solver's starting hints and its fallback when time runs out.

`greedy` seats wishes by falling weight (or in the order an LP solution
suggests); `canonical` puts interchangeable tables in the order the model's
symmetry breaking wants. The local search that follows is `improve.improve`.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict

from .index import Index, TableKey

Placement = tuple[int, int, int, str]  # (participant, session, table, side)


def greedy(ix: Index, seed: int = 0, guide: dict | None = None) -> list[Placement]:
    """Seat interests by falling weight into the emptiest fitting table.

    Tables left below the minimums are closed and their people seated again
    elsewhere, until every open table meets the minimums.
    """
    banned: set[TableKey] = set(ix.table_keys) - ix.live_tables
    for _ in range(len(ix.table_keys) + 1):
        placed = _place(ix, banned, seed, guide)
        under = _below_minimum(ix, placed)
        if not under:
            return placed
        banned |= under
    return []  # unreachable: each round bans at least one more table


def _place(ix: Index, banned: set[TableKey], seed: int, guide: dict | None = None) -> list[Placement]:
    rng = random.Random(seed)
    rules = ix.problem.rules
    wishes = [(w, rng.random(), p, group)
              for p, person in enumerate(ix.people) for group, w in person.interests.items()]
    session_share: dict[tuple[int, int], float] = defaultdict(float)
    for (p, s, _t, _side), v in (guide or {}).items():
        session_share[(p, s)] += round(v, 3)
    if guide:
        # The LP's choices first: its fractional seats say which wishes fit together.
        lp_share: dict[tuple[int, str], float] = defaultdict(float)
        for (p, s, _t, _side), v in guide.items():
            lp_share[(p, ix.sessions[s].product_group)] += v
        wishes.sort(key=lambda item: (-round(lp_share[(item[2], item[3])], 3), -item[0],
                                      ix.people[item[2]].role == "facilitator", item[1]))
    else:
        # Buyers and suppliers first: facilitators must not take the seats that open a table.
        wishes.sort(key=lambda item: (-item[0], ix.people[item[2]].role == "facilitator", item[1]))
    used: dict[TableKey, Counter] = defaultdict(Counter)  # side counts
    orgs: dict[TableKey, Counter] = defaultdict(Counter)
    attending: dict[int, set[int]] = defaultdict(set)
    placed: list[Placement] = []
    options_by_group: list[dict[str, list]] = []
    for p, mine in enumerate(ix.options):
        grouped: dict[str, list] = defaultdict(list)
        for s, t, side in mine:
            grouped[ix.sessions[s].product_group].append((s, t, side))
        options_by_group.append(grouped)

    for _w, _r, p, group in wishes:
        person = ix.people[p]
        best = None
        for s, t, side in options_by_group[p].get(group, []):
            if (s, t) in banned or attending[p] & ix.overlapping[s]:
                continue
            table = ix.table((s, t))
            seats = table.buyer_seats if side == "buyer" else table.supplier_seats
            if used[(s, t)][side] >= seats:
                continue
            if rules.max_per_organisation is not None and \
                    orgs[(s, t)][person.org_key] >= rules.max_per_organisation:
                continue
            load = (-session_share.get((p, s), 0.0), used[(s, t)][side] / seats,
                    used[(s, t)]["buyer"] + used[(s, t)]["supplier"])
            if best is None or load < best[0]:
                best = (load, s, t, side)
        if best is None:
            continue
        _load, s, t, side = best
        used[(s, t)][side] += 1
        orgs[(s, t)][person.org_key] += 1
        attending[p].add(s)
        placed.append((p, s, t, side))
    return placed


def _below_minimum(ix: Index, placed: list[Placement]) -> set[TableKey]:
    rules = ix.problem.rules
    roles: dict[TableKey, Counter] = defaultdict(Counter)
    for p, s, t, _side in placed:
        roles[(s, t)][ix.people[p].role] += 1
    return {key for key, count in roles.items()
            if count["buyer"] < rules.min_buyers or count["supplier"] < rules.min_suppliers}


def canonical(ix: Index, placed: list[Placement]) -> list[Placement]:
    """Relabel interchangeable tables so their occupancy falls with the table order.

    The solver breaks the symmetry of tables with equal seats this way; a hint
    that ignored it would be rejected.
    """
    occupancy: Counter = Counter((s, t) for _p, s, t, _side in placed)
    relabel: dict[TableKey, TableKey] = {}
    for s, members in symmetric_groups(ix).items():
        for group in members:
            ordered = sorted(group, key=lambda t: (-occupancy[(s, t)], t))
            for new, old in zip(group, ordered):
                relabel[(s, old)] = (s, new)
    result = []
    for p, s, t, side in placed:
        s2, t2 = relabel.get((s, t), (s, t))
        result.append((p, s2, t2, side))
    return result


def symmetric_groups(ix: Index) -> dict[int, list[list[int]]]:
    """Per session, the groups (of two or more) of tables with equal seats, in table order."""
    result: dict[int, list[list[int]]] = {}
    for s, session in enumerate(ix.sessions):
        by_seats: dict[tuple[int, int], list[int]] = defaultdict(list)
        for t, table in enumerate(session.tables):
            by_seats[(table.buyer_seats, table.supplier_seats)].append(t)
        groups = [tables for tables in by_seats.values() if len(tables) > 1]
        if groups:
            result[s] = groups
    return result
