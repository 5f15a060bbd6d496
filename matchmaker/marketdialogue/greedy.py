"""Quick valid seatings: the solver's starting hints and its fallback when time runs out.

`greedy` seats wishes by falling weight (or in the order an LP solution
suggests); `improve` is a local search on the interest value; `canonical`
puts interchangeable tables in the order the model's symmetry breaking wants.
"""
from __future__ import annotations

import random
import time
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


class _State:
    """A seating with the counts the moves need, kept up to date."""

    def __init__(self, ix: Index, placed: list[Placement]) -> None:
        self.ix = ix
        self.seat: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)  # p -> s -> (t, side)
        self.sides: dict[TableKey, Counter] = defaultdict(Counter)
        self.roles: dict[TableKey, Counter] = defaultdict(Counter)
        self.orgs: dict[TableKey, Counter] = defaultdict(Counter)
        self.members: dict[TableKey, set[int]] = defaultdict(set)
        for p, s, t, side in placed:
            self.add(p, s, t, side)

    def add(self, p: int, s: int, t: int, side: str) -> None:
        person = self.ix.people[p]
        self.seat[p][s] = (t, side)
        self.sides[(s, t)][side] += 1
        self.roles[(s, t)][person.role] += 1
        self.orgs[(s, t)][person.org_key] += 1
        self.members[(s, t)].add(p)

    def remove(self, p: int, s: int) -> tuple[int, str]:
        person = self.ix.people[p]
        t, side = self.seat[p].pop(s)
        self.sides[(s, t)][side] -= 1
        self.roles[(s, t)][person.role] -= 1
        self.orgs[(s, t)][person.org_key] -= 1
        self.members[(s, t)].discard(p)
        return t, side

    def placed(self) -> list[Placement]:
        return [(p, s, t, side) for p, seats in self.seat.items() for s, (t, side) in seats.items()]

    def meets_minimum(self, key: TableKey, role_change: Counter) -> bool:
        """Whether the table is empty or meets the minimums after adding `role_change`."""
        rules = self.ix.problem.rules
        roles = self.roles[key] + Counter()
        roles.update(role_change)
        total = sum(v for v in roles.values() if v > 0)
        return total == 0 or (roles["buyer"] >= rules.min_buyers and roles["supplier"] >= rules.min_suppliers)


def improve(ix: Index, placed: list[Placement], deadline: float) -> list[Placement]:
    """Local search on the interest value: seat a missing interest, making room by
    ejecting a lower-weight participant or dropping the participant's own
    lower-weight clashing seat (or moving it to another session of its group),
    or open a closed table with people who gain by it. Every move keeps the
    seating valid; the search ends when no move helps or at `deadline`
    (`time.monotonic()`).
    """
    clock = time.monotonic
    state = _State(ix, placed)
    rules = ix.problem.rules
    limit = rules.max_per_organisation
    wishes = sorted(((w, p, g) for p, person in enumerate(ix.people) for g, w in person.interests.items() if w > 0),
                    key=lambda item: (-item[0], item[1], item[2]))
    by_group: list[dict[str, list]] = []
    for p, mine in enumerate(ix.options):
        grouped: dict[str, list] = defaultdict(list)
        for option in mine:
            if option[:2] in ix.live_tables:
                grouped[ix.sessions[option[0]].product_group].append(option)
        by_group.append(grouped)

    def seated_in_group(p: int, group: str) -> bool:
        return any(ix.sessions[s].product_group == group for s in state.seat[p])

    def relocation(p: int, o: int, avoid: int) -> tuple[int, int, str] | None:
        """Another session of the same group for p's seat in `o`, clear of session `avoid`."""
        person = ix.people[p]
        for o2, t2, side2 in by_group[p].get(ix.sessions[o].product_group, []):
            if o2 == o or o2 in ix.overlapping[avoid]:
                continue
            if any(other != o and other in ix.overlapping[o2] for other in state.seat[p]):
                continue
            key2 = (o2, t2)
            table2 = ix.table(key2)
            if not state.members[key2] or (limit is not None and state.orgs[key2][person.org_key] >= limit):
                continue
            if state.sides[key2][side2] >= (table2.buyer_seats if side2 == "buyer" else table2.supplier_seats):
                continue
            return o2, t2, side2
        return None

    def clear_time(p: int, s: int) -> tuple[int, list] | None:
        """How p frees the time of session s: (weight lost, [(session, relocation or None)])."""
        person = ix.people[p]
        steps = []
        lost = 0
        for o in [o for o in state.seat[p] if o in ix.overlapping[s]]:
            if not state.meets_minimum((o, state.seat[p][o][0]), Counter({person.role: -1})):
                return None
            target = relocation(p, o, s)
            if target is None:
                lost += ix.weight(p, o)
            steps.append((o, target))
        return lost, steps

    def apply_clear(p: int, steps: list) -> None:
        for o, target in steps:
            state.remove(p, o)
        for o, target in steps:
            if target is not None:
                state.add(p, *target)

    def try_seat(p: int, group: str, weight: int, allow_eject: bool) -> int | None:
        """Apply the best improving move for (p, group); return the ejected participant or -1, None if none."""
        person = ix.people[p]
        best = None
        for s, t, side in by_group[p].get(group, []):
            key = (s, t)
            if not state.members[key]:
                continue  # opening a closed table takes more than one person
            cleared = clear_time(p, s)
            if cleared is None or cleared[0] >= weight:
                continue
            lost, steps = cleared
            table = ix.table(key)
            seats = table.buyer_seats if side == "buyer" else table.supplier_seats
            org_full = limit is not None and state.orgs[key][person.org_key] >= limit
            if state.sides[key][side] < seats and not org_full:
                if state.meets_minimum(key, Counter({person.role: 1})):
                    gain = weight - lost
                    if best is None or gain > best[0]:
                        best = (gain, s, t, side, steps, -1)
                continue
            if not allow_eject:
                continue
            for q in state.members[key]:
                q_t, q_side = state.seat[q][s]
                if q_side != side and state.sides[key][side] >= seats:
                    continue
                other = ix.people[q]
                if org_full and other.org_key != person.org_key:
                    continue
                gain = weight - lost - ix.weight(q, s)
                if gain <= 0 or (best is not None and gain <= best[0]):
                    continue
                change = Counter({person.role: 1})
                change[other.role] -= 1
                if state.meets_minimum(key, change):
                    best = (gain, s, t, side, steps, q)
        if best is None:
            return None
        _gain, s, t, side, steps, q = best
        apply_clear(p, steps)
        if q >= 0:
            state.remove(q, s)
        state.add(p, s, t, side)
        return q

    def open_table(key: TableKey) -> bool:
        """Open a closed table with people for whom it is worth more than what they leave."""
        s, t = key
        table = ix.table(key)
        group = ix.sessions[s].product_group
        pool = []
        for role, members in ix.candidates[key].items():
            for p in members:
                if seated_in_group(p, group):
                    continue
                clashes = [o for o in state.seat[p] if o in ix.overlapping[s]]
                gain = ix.weight(p, s) - sum(ix.weight(p, o) for o in clashes)
                pool.append((gain, p, clashes))
        need = Counter({"buyer": rules.min_buyers, "supplier": rules.min_suppliers})
        # Those the minimums need first, then anyone with something to gain.
        pool.sort(key=lambda item: (need[ix.people[item[1]].role] == 0, -item[0], item[1]))
        log: list[tuple] = []
        total = 0
        for gain, p, clashes in pool:
            person = ix.people[p]
            if gain <= 0 and need[person.role] <= 0:
                continue
            if limit is not None and state.orgs[key][person.org_key] >= limit:
                continue
            free = [side for side in person.sides()
                    if state.sides[key][side] < (table.buyer_seats if side == "buyer" else table.supplier_seats)]
            if not free:
                continue
            if any(not state.meets_minimum((o, state.seat[p][o][0]), Counter({person.role: -1})) for o in clashes):
                continue
            for o in clashes:
                o_t, o_side = state.remove(p, o)
                log.append(("removed", p, o, o_t, o_side))
            side = min(free, key=lambda sd: state.sides[key][sd])
            state.add(p, s, t, side)
            log.append(("added", p, s, t, side))
            total += gain
            need[person.role] -= 1
        if total > 0 and state.meets_minimum(key, Counter()):
            return True
        for entry in reversed(log):
            if entry[0] == "added":
                state.remove(entry[1], entry[2])
            else:
                state.add(entry[1], entry[2], entry[3], entry[4])
        return False

    improved = True
    while improved and clock() < deadline:
        improved = False
        for key in ix.table_keys:
            if not state.members[key] and key in ix.live_tables and clock() < deadline:
                improved |= open_table(key)
        for weight, p, group in wishes:
            if seated_in_group(p, group):
                continue
            ejected = try_seat(p, group, weight, allow_eject=True)
            if ejected is None:
                continue
            improved = True
            if ejected >= 0:  # give the ejected participant a free seat elsewhere if there is one
                for g, w in sorted(ix.people[ejected].interests.items(), key=lambda item: -item[1]):
                    if w > 0 and not seated_in_group(ejected, g):
                        try_seat(ejected, g, w, allow_eject=False)
            if clock() >= deadline:
                break
    return state.placed()
