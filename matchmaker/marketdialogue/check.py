"""Every way a plan breaks the hard rules of a dialogue problem, in words."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from .problem import SIDES, DialogueParticipant, DialogueProblem, DialogueTable, Plan, Seat, Session

TableId = tuple[str, str]  # (session id, table id)


def check(problem: DialogueProblem, plan: Plan) -> list[str]:
    """Return one message per violated rule; an empty list means the plan is valid.

    Besides the seating rules this also checks that the plan agrees with itself:
    closed tables are empty, empty tables are listed as closed, every interest
    without a seat is explained, and the stats match the seats.
    """
    lookup = _Lookup(problem)
    problems: list[str] = []
    valid = _known_seats(lookup, plan, problems)
    by_table: dict[TableId, list[Seat]] = defaultdict(list)
    for seat in valid:
        by_table[(seat.session, seat.table)].append(seat)
    for key, seated in by_table.items():
        problems += _table_problems(lookup, key, seated)
    problems += _person_problems(lookup, valid)
    problems += _closed_table_problems(lookup, plan, by_table)
    problems += _unseated_problems(lookup, plan, valid)
    problems += _stats_problems(lookup, plan, valid)
    return problems


@dataclass
class _Lookup:
    """The problem's sessions, people and tables by id."""

    problem: DialogueProblem

    @cached_property
    def sessions(self) -> dict[str, Session]:
        return {s.id: s for s in self.problem.sessions}

    @cached_property
    def people(self) -> dict[str, DialogueParticipant]:
        return {p.id: p for p in self.problem.participants}

    @cached_property
    def tables(self) -> dict[TableId, DialogueTable]:
        return {(s.id, t.id): t for s in self.problem.sessions for t in s.tables}


def _known_seats(lookup: _Lookup, plan: Plan, problems: list[str]) -> list[Seat]:
    """The seats whose participant, session, table and side exist; the others' problems added to `problems`."""
    valid = []
    for i, seat in enumerate(plan.seats):
        where = f'seats[{i}] ({seat.participant} at {seat.session}/{seat.table})'
        person = lookup.people.get(seat.participant)
        if person is None:
            problems.append(f'{where}: participant "{seat.participant}" is unknown')
            continue
        if seat.session not in lookup.sessions:
            problems.append(f'{where}: session "{seat.session}" is unknown')
            continue
        if (seat.session, seat.table) not in lookup.tables:
            problems.append(f'{where}: table "{seat.table}" is unknown in session "{seat.session}"')
            continue
        if seat.side not in SIDES:
            problems.append(f'{where}: side "{seat.side}" is neither buyer nor supplier')
            continue
        if seat.side not in person.sides():
            problems.append(f"{where}: a {person.role} sits on the {seat.side} side")
        group = lookup.sessions[seat.session].product_group
        if group not in person.interests:
            problems.append(f"{where}: {seat.participant} has no interest in {group}")
        valid.append(seat)
    return valid


def _table_problems(lookup: _Lookup, key: TableId, seated: list[Seat]) -> list[str]:
    """Seat counts, minimums, organisations and double seats at one table."""
    problems = []
    rules = lookup.problem.rules
    table = lookup.tables[key]
    people = lookup.people
    name = f"{key[0]}/{key[1]}"
    sides = Counter(seat.side for seat in seated)
    if sides["buyer"] > table.buyer_seats:
        problems.append(f"{name}: {sides['buyer']} on the buyer side, only {table.buyer_seats} seats")
    if sides["supplier"] > table.supplier_seats:
        problems.append(f"{name}: {sides['supplier']} on the supplier side, "
                        f"only {table.supplier_seats} seats")
    roles = Counter(people[seat.participant].role for seat in seated)
    if roles["buyer"] < rules.min_buyers or roles["supplier"] < rules.min_suppliers:
        problems.append(f"{name}: open with {roles['buyer']} buyers and {roles['supplier']} suppliers, "
                        f"needs at least {rules.min_buyers} and {rules.min_suppliers}")
    if rules.max_per_organisation is not None:
        orgs = Counter(people[seat.participant].org_key for seat in seated)
        for org, count in sorted(orgs.items()):
            if count > rules.max_per_organisation:
                problems.append(f"{name}: {count} people of organisation {org.lstrip(chr(0))}, "
                                f"at most {rules.max_per_organisation}")
    seen = Counter(seat.participant for seat in seated)
    for pid, count in sorted(seen.items()):
        if count > 1:
            problems.append(f"{name}: {pid} holds {count} seats")
    return problems


def _person_problems(lookup: _Lookup, valid: list[Seat]) -> list[str]:
    """Time clashes, moderation and one seat per product group, per participant."""
    problems = []
    moderates: dict[str, list[Session]] = defaultdict(list)
    for session in lookup.problem.sessions:
        for table in session.tables:
            if table.moderator is not None:
                moderates[table.moderator].append(session)
    by_person: dict[str, list[Session]] = defaultdict(list)
    for seat in valid:
        by_person[seat.participant].append(lookup.sessions[seat.session])
    for pid, attended in sorted(by_person.items()):
        distinct = sorted(set(attended), key=lambda s: (s.start, s.id))
        for a_index, a in enumerate(distinct):
            for b in distinct[a_index + 1:]:
                if a.overlaps(b):
                    problems.append(f"{pid}: seated in {a.id} and {b.id}, which overlap in time")
        for a in distinct:
            for led in moderates.get(pid, []):
                if led.overlaps(a):
                    problems.append(f"{pid}: seated in {a.id} while moderating {led.id}")
        groups = Counter(s.product_group for s in distinct)
        for group, count in sorted(groups.items()):
            if count > 1:
                problems.append(f"{pid}: seated in {count} {group} sessions, at most one per product group")
    return problems


def _closed_table_problems(lookup: _Lookup, plan: Plan, by_table: dict[TableId, list[Seat]]) -> list[str]:
    """Closed tables are known, empty and listed once; empty tables are listed as closed."""
    problems = []
    closed = Counter((c.session, c.table) for c in plan.closed_tables)
    for key, count in sorted(closed.items()):
        if key not in lookup.tables:
            problems.append(f'closed_tables: table "{key[1]}" of session "{key[0]}" is unknown')
        elif key in by_table:
            problems.append(f"closed_tables: {key[0]}/{key[1]} is listed as closed but has seats")
        if count > 1:
            problems.append(f"closed_tables: {key[0]}/{key[1]} is listed {count} times")
    for key in lookup.tables:
        if key not in by_table and key not in closed:
            problems.append(f"{key[0]}/{key[1]}: empty but not listed in closed_tables")
    return problems


def _unseated_problems(lookup: _Lookup, plan: Plan, valid: list[Seat]) -> list[str]:
    """Every interest without a seat is explained once, and only those."""
    problems = []
    people = lookup.people
    seated_groups = {(seat.participant, lookup.sessions[seat.session].product_group) for seat in valid}
    explained = Counter((u.participant, u.product_group) for u in plan.unseated)
    for (pid, group), count in sorted(explained.items()):
        if (pid, group) in seated_groups:
            problems.append(f"unseated: {pid} is listed for {group} but has a {group} seat")
        elif pid in people and group not in people[pid].interests:
            problems.append(f"unseated: {pid} is listed for {group}, which it did not ask for")
        if count > 1:
            problems.append(f"unseated: {pid} is listed {count} times for {group}")
    for person in lookup.problem.participants:
        for group in person.interests:
            if (person.id, group) not in seated_groups and (person.id, group) not in explained:
                problems.append(f"unseated: {person.id} asked for {group}, got no seat and no reason")
    return problems


def _stats_problems(lookup: _Lookup, plan: Plan, valid: list[Seat]) -> list[str]:
    """The stated interest value, bound and status agree with the seats."""
    problems = []
    people, sessions = lookup.people, lookup.sessions
    value = sum(people[seat.participant].interests.get(sessions[seat.session].product_group, 0)
                for seat in valid)
    stats = plan.stats or {}
    if "interest_value" in stats and stats["interest_value"] != value:
        problems.append(f"stats: interest_value is {stats['interest_value']}, the seats give {value}")
    bound = stats.get("upper_bound")
    if isinstance(bound, (int, float)) and bound < value:
        problems.append(f"stats: upper_bound {bound} is below the interest value {value}")
    if plan.status == "optimal" and isinstance(bound, (int, float)) and bound != value:
        problems.append(f"status: optimal, but upper_bound {bound} differs from the interest value {value}")
    return problems


def interest_value(problem: DialogueProblem, plan: Plan) -> int:
    sessions = {s.id: s for s in problem.sessions}
    people = {p.id: p for p in problem.participants}
    return sum(people[s.participant].interests.get(sessions[s.session].product_group, 0) for s in plan.seats)
