"""Reasons in words for closed tables and for interests that got no seat."""
from __future__ import annotations

from collections import Counter, defaultdict

from .greedy import Placement
from .index import Index, TableKey
from .problem import ClosedTable, Unseated


def explain(ix: Index, placed: list[Placement], optimal: bool) -> tuple[list[ClosedTable], list[Unseated]]:
    rules = ix.problem.rules
    at_table: dict[TableKey, list[Placement]] = defaultdict(list)
    attending: dict[int, list[int]] = defaultdict(list)
    groups_seated: set[tuple[int, str]] = set()
    for item in placed:
        p, s, t, _side = item
        at_table[(s, t)].append(item)
        attending[p].append(s)
        groups_seated.add((p, ix.sessions[s].product_group))

    closed: list[ClosedTable] = []
    closed_why: dict[TableKey, str] = {}
    for key in ix.table_keys:
        if key in at_table:
            continue
        cause = ix.closed_cause(key)
        if cause is None:
            cause = _lack(ix, key, attending, groups_seated)
        closed_why[key] = cause
        s, t = key
        closed.append(ClosedTable(session=ix.sessions[s].id, table=ix.table(key).id, reason=cause))

    unseated: list[Unseated] = []
    for p, person in enumerate(ix.people):
        for group, weight in person.interests.items():
            if (p, group) in groups_seated:
                continue
            reason = _why_unseated(ix, p, group, weight, at_table, attending, closed_why, optimal)
            unseated.append(Unseated(participant=person.id, product_group=group, reason=reason))
    return closed, unseated


def _lack(ix: Index, key: TableKey, attending: dict[int, list[int]], groups_seated: set[tuple[int, str]]) -> str:
    """Why a table that could open stayed closed: who was still free to sit there."""
    rules = ix.problem.rules
    s = key[0]
    group = ix.sessions[s].product_group
    free: Counter = Counter()
    for role, people in ix.candidates[key].items():
        for p in people:
            busy = any(o in ix.overlapping[s] for o in attending.get(p, []))
            if not busy and (p, group) not in groups_seated:
                free[role] += 1
    short = [f"{free[role]} {role}s free of {needed} needed" for role, needed in
             (("buyer", rules.min_buyers), ("supplier", rules.min_suppliers)) if free[role] < needed]
    if short:
        return "closed for lack of people: " + ", ".join(short) + "; the others sit at other tables"
    return (f"closed: opening it would take buyers or suppliers from other tables "
            f"(needs {rules.min_buyers} buyers and {rules.min_suppliers} suppliers)")


def _why_unseated(ix: Index, p: int, group: str, weight: int, at_table: dict[TableKey, list[Placement]],
                  attending: dict[int, list[int]], closed_why: dict[TableKey, str], optimal: bool) -> str:
    person = ix.people[p]
    rules = ix.problem.rules
    sessions = ix.by_group.get(group, [])
    if not sessions:
        return f"no {group} session in this event"
    sides = person.sides()
    side_words = " or ".join(sides)
    if not any((t.buyer_seats if side == "buyer" else t.supplier_seats) > 0
               for s in sessions for t in ix.sessions[s].tables for side in sides):
        return f"the {group} tables have no {side_words} seats"

    clashes = []
    free_sessions = []
    for s in sessions:
        led = [o for o in ix.moderated[p] if o in ix.overlapping[s]]
        seated = [o for o in attending.get(p, []) if o in ix.overlapping[s]]
        if s in led:
            clashes.append(f"it moderates {ix.sessions[s].id}")
        elif led:
            clashes.append(f"{ix.sessions[s].id} overlaps {ix.sessions[led[0]].id}, which it moderates")
        elif seated:
            other = ix.sessions[seated[0]]
            clashes.append(f"{ix.sessions[s].id} overlaps {other.id} ({other.product_group}), where it is seated")
        else:
            free_sessions.append(s)
    if not free_sessions:
        return f"every {group} session overlaps one it attends or moderates: " + "; ".join(clashes)

    notes: list[str] = []
    for s in free_sessions:
        full: list[str] = []
        taken: list[int] = []
        for t, table in enumerate(ix.sessions[s].tables):
            key = (s, t)
            name = f"{ix.sessions[s].id}/{table.id}"
            if key in closed_why:
                notes.append(f"{name} closed: {closed_why[key]}")
                continue
            seated = at_table[key]
            free = [side for side in sides
                    if (table.buyer_seats if side == "buyer" else table.supplier_seats)
                    > sum(1 for item in seated if item[3] == side)]
            if not free:
                weights = [ix.weight(q, s) for q, _s, _t, side in seated if side in sides]
                if weights:
                    full.append(table.id)
                    taken.extend(weights)
                continue
            same_org = sum(1 for q, *_ in seated if ix.people[q].org_key == person.org_key)
            if rules.max_per_organisation is not None and same_org >= rules.max_per_organisation:
                notes.append(f"{name} already has {same_org} of its organisation {person.organisation}, "
                             f"at most {rules.max_per_organisation}")
                continue
            if weight == 0:
                notes.append(f"{name} has a free seat, but an interest weight of 0 adds nothing")
            elif optimal:
                notes.append(f"{name} has a free seat, but taking it would break a rule elsewhere")
            else:
                notes.append(f"{name} has a free seat the solver did not fill within the time limit")
        if full:
            low, high = min(taken), max(taken)
            span = str(low) if low == high else f"{low} to {high}"
            where = f"{ix.sessions[s].id}/{full[0]}" if len(full) == 1 else \
                f"{ix.sessions[s].id} ({', '.join(full)})"
            notes.append(f"{where} full on the {side_words} side, taken by interest {span} "
                         f"against {weight} for {person.id}")
    parts = notes + clashes
    return "; ".join(parts) if parts else f"no {group} table takes a {side_words}"
