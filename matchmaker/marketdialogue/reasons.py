"""Why tables stayed closed and interests got no seat: reason codes with their
parameters, and their English rendering (other languages render the same data).

A reason is a code and a dict of parameters. Compound reasons nest: the
parameters of "seat_notes" and "every_session_clashes" hold lists of
`{"code", "params"}` items, and "table_closed" holds the table's own reason.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from .greedy import Placement
from .index import Index, TableKey
from .problem import ClosedTable, Unseated

Reason = tuple[str, dict[str, Any]]

REASON_CODES = frozenset({
    # closed tables
    "too_few_seats", "too_few_can_attend", "nobody_can_attend", "lack_of_people",
    "would_take_people",
    # unseated interests
    "no_session", "no_seats_for_side", "every_session_clashes", "no_table_takes_side",
    "seat_notes",
    # items inside "seat_notes" and "every_session_clashes"
    "moderates", "overlaps_moderated", "overlaps_seated", "table_closed", "organisation_limit",
    "weight_zero", "free_seat_breaks_rule", "free_seat_unfilled", "tables_full",
})


def _item(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params}


def _sides(params: Mapping[str, Any]) -> str:
    return " or ".join(params["sides"])


def _render_closed(code: str, p: Mapping[str, Any]) -> str | None:
    if code == "too_few_seats":
        return f"{p['seats']} {p['role']} seats, at least {p['needed']} {p['role']}s needed to open"
    if code == "too_few_can_attend":
        if not p["count"]:
            return f"no {p['role']} can attend, at least {p['needed']} needed to open"
        return f"only {p['count']} {p['role']}s can attend, at least {p['needed']} needed to open"
    if code == "nobody_can_attend":
        return "nobody can attend"
    if code == "lack_of_people":
        short = ", ".join(f"{s['free']} {s['role']}s free of {s['needed']} needed" for s in p["short"])
        return "closed for lack of people: " + short + "; the others sit at other tables"
    if code == "would_take_people":
        return (f"closed: opening it would take buyers or suppliers from other tables "
                f"(needs {p['min_buyers']} buyers and {p['min_suppliers']} suppliers)")
    return None


# The parts of a compound reason that are one sentence with the parameters in it
# (`{name}` is "session/table").
_PART_SENTENCES = {
    "moderates": "it moderates {session}",
    "overlaps_moderated": "{session} overlaps {other}, which it moderates",
    "overlaps_seated": "{session} overlaps {other} ({group}), where it is seated",
    "organisation_limit": "{name} already has {count} of its organisation {organisation}, "
                          "at most {max}",
    "weight_zero": "{name} has a free seat, but an interest weight of 0 adds nothing",
    "free_seat_breaks_rule": "{name} has a free seat, but taking it would break a rule elsewhere",
    "free_seat_unfilled": "{name} has a free seat the solver did not fill within the time limit",
}


def _render_part(code: str, p: Mapping[str, Any]) -> str | None:
    name = f"{p.get('session')}/{p.get('table')}"
    if code in _PART_SENTENCES:
        return _PART_SENTENCES[code].format_map({**p, "name": name})
    if code == "table_closed":
        return f"{name} closed: {describe(p['closed']['code'], p['closed']['params'])}"
    if code == "tables_full":
        low, high = p["low"], p["high"]
        span = str(low) if low == high else f"{low} to {high}"
        tables = p["tables"]
        where = f"{p['session']}/{tables[0]}" if len(tables) == 1 else \
            f"{p['session']} ({', '.join(tables)})"
        return (f"{where} full on the {_sides(p)} side, taken by interest {span} "
                f"against {p['weight']} for {p['participant']}")
    return None


def _render_unseated(code: str, p: Mapping[str, Any]) -> str | None:
    if code == "no_session":
        return f"no {p['group']} session in this event"
    if code == "no_seats_for_side":
        return f"the {p['group']} tables have no {_sides(p)} seats"
    if code == "every_session_clashes":
        return (f"every {p['group']} session overlaps one it attends or moderates: "
                + "; ".join(describe(c["code"], c["params"]) for c in p["clashes"]))
    if code == "no_table_takes_side":
        return f"no {p['group']} table takes a {_sides(p)}"
    if code == "seat_notes":
        return "; ".join(describe(n["code"], n["params"]) for n in p["notes"])
    return None


def describe(code: str, params: Mapping[str, Any]) -> str:
    """A reason in plain English (the CLI's and the plan file's `reason`)."""
    for render in (_render_closed, _render_part, _render_unseated):
        text = render(code, params)
        if text is not None:
            return text
    raise ValueError(f"unknown reason code {code!r}")


def explain(ix: Index, placed: list[Placement], optimal: bool) -> tuple[list[ClosedTable], list[Unseated]]:
    at_table: dict[TableKey, list[Placement]] = defaultdict(list)
    attending: dict[int, list[int]] = defaultdict(list)
    groups_seated: set[tuple[int, str]] = set()
    for item in placed:
        p, s, t, _side = item
        at_table[(s, t)].append(item)
        attending[p].append(s)
        groups_seated.add((p, ix.sessions[s].product_group))

    closed: list[ClosedTable] = []
    closed_why: dict[TableKey, Reason] = {}
    for key in ix.table_keys:
        if key in at_table:
            continue
        cause = ix.closed_cause(key) or _lack(ix, key, attending, groups_seated)
        closed_why[key] = cause
        s, t = key
        closed.append(ClosedTable(session=ix.sessions[s].id, table=ix.table(key).id,
                                  reason=describe(*cause), code=cause[0], params=cause[1]))

    unseated: list[Unseated] = []
    for p, person in enumerate(ix.people):
        for group, weight in person.interests.items():
            if (p, group) in groups_seated:
                continue
            code, params = _why_unseated(ix, p, group, weight, at_table, attending, closed_why, optimal)
            unseated.append(Unseated(participant=person.id, product_group=group,
                                     reason=describe(code, params), code=code, params=params))
    return closed, unseated


def _lack(ix: Index, key: TableKey, attending: dict[int, list[int]],
          groups_seated: set[tuple[int, str]]) -> Reason:
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
    short = [{"role": role, "free": free[role], "needed": needed} for role, needed in
             (("buyer", rules.min_buyers), ("supplier", rules.min_suppliers)) if free[role] < needed]
    if short:
        return "lack_of_people", {"short": short}
    return "would_take_people", {"min_buyers": rules.min_buyers, "min_suppliers": rules.min_suppliers}


def _clashes(ix: Index, p: int, sessions: list[int], attending: dict[int, list[int]]
             ) -> tuple[list[dict[str, Any]], list[int]]:
    """The sessions of a group `p` cannot attend (as reason items) and those it could."""
    clashes: list[dict[str, Any]] = []
    free_sessions: list[int] = []
    for s in sessions:
        led = [o for o in ix.moderated[p] if o in ix.overlapping[s]]
        seated = [o for o in attending.get(p, []) if o in ix.overlapping[s]]
        sid = ix.sessions[s].id
        if s in led:
            clashes.append(_item("moderates", session=sid))
        elif led:
            clashes.append(_item("overlaps_moderated", session=sid, other=ix.sessions[led[0]].id))
        elif seated:
            other = ix.sessions[seated[0]]
            clashes.append(_item("overlaps_seated", session=sid, other=other.id,
                                 group=other.product_group))
        else:
            free_sessions.append(s)
    return clashes, free_sessions


def _why_unseated(ix: Index, p: int, group: str, weight: int, at_table: dict[TableKey, list[Placement]],
                  attending: dict[int, list[int]], closed_why: dict[TableKey, Reason],
                  optimal: bool) -> Reason:
    person = ix.people[p]
    sessions = ix.by_group.get(group, [])
    if not sessions:
        return "no_session", {"group": group}
    sides = list(person.sides())
    if not any((t.buyer_seats if side == "buyer" else t.supplier_seats) > 0
               for s in sessions for t in ix.sessions[s].tables for side in sides):
        return "no_seats_for_side", {"group": group, "sides": sides}
    clashes, free_sessions = _clashes(ix, p, sessions, attending)
    if not free_sessions:
        return "every_session_clashes", {"group": group, "clashes": clashes}
    notes: list[dict[str, Any]] = []
    for s in free_sessions:
        notes.extend(_session_notes(ix, p, s, weight, sides, at_table, closed_why, optimal))
    if not notes and not clashes:
        return "no_table_takes_side", {"group": group, "sides": sides}
    return "seat_notes", {"notes": notes + clashes}


def _session_notes(ix: Index, p: int, s: int, weight: int, sides: list[str],
                   at_table: dict[TableKey, list[Placement]], closed_why: dict[TableKey, Reason],
                   optimal: bool) -> list[dict[str, Any]]:
    """Why each table of session `s` did not seat `p`, as reason items."""
    person = ix.people[p]
    rules = ix.problem.rules
    sid = ix.sessions[s].id
    notes: list[dict[str, Any]] = []
    full: list[str] = []
    taken: list[int] = []
    for t, table in enumerate(ix.sessions[s].tables):
        key = (s, t)
        if key in closed_why:
            code, params = closed_why[key]
            notes.append(_item("table_closed", session=sid, table=table.id,
                               closed={"code": code, "params": params}))
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
            notes.append(_item("organisation_limit", session=sid, table=table.id, count=same_org,
                               organisation=person.organisation, max=rules.max_per_organisation))
        elif weight == 0:
            notes.append(_item("weight_zero", session=sid, table=table.id))
        else:
            notes.append(_item("free_seat_breaks_rule" if optimal else "free_seat_unfilled",
                               session=sid, table=table.id))
    if full:
        notes.append(_item("tables_full", session=sid, tables=full, sides=sides, low=min(taken),
                           high=max(taken), weight=weight, participant=person.id))
    return notes
