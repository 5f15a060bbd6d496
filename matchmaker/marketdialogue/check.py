"""Every way a plan breaks the hard rules of a dialogue problem: as data (a code and
the ids it concerns), with the words `matchmaker dialogue check` prints as `str()`."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .problem import SIDES, DialogueParticipant, DialogueProblem, DialogueTable, Plan, Seat, Session

TableId = tuple[str, str]  # (session id, table id)


class Rule:
    """The codes of `DialogueViolation`, each with the fields it uses."""

    UNKNOWN_PARTICIPANT = "unknown_participant"  # index, participant, session, table
    UNKNOWN_SESSION = "unknown_session"  # index, participant, session, table
    UNKNOWN_TABLE = "unknown_table"  # index, participant, session, table
    UNKNOWN_SIDE = "unknown_side"  # index, participant, session, table, side
    WRONG_SIDE = "wrong_side"  # index, participant, session, table, side, role
    NO_INTEREST = "no_interest"  # index, participant, session, table, group
    SIDE_FULL = "side_full"  # session, table, side, count, limit (the seats)
    TOO_FEW = "too_few"  # session, table, buyers, suppliers, min_buyers, min_suppliers
    ORGANISATION_LIMIT = "organisation_limit"  # session, table, organisation, count, limit
    SEAT_TWICE = "seat_twice"  # session, table, participant, count
    OVERLAP = "overlap"  # participant, session, other
    WHILE_MODERATING = "while_moderating"  # participant, session, other (the one moderated)
    ONE_PER_GROUP = "one_per_group"  # participant, group, count
    CLOSED_UNKNOWN = "closed_unknown"  # session, table
    CLOSED_WITH_SEATS = "closed_with_seats"  # session, table
    CLOSED_REPEATED = "closed_repeated"  # session, table, count
    EMPTY_NOT_CLOSED = "empty_not_closed"  # session, table
    UNSEATED_SEATED = "unseated_seated"  # participant, group
    UNSEATED_NOT_ASKED = "unseated_not_asked"  # participant, group
    UNSEATED_REPEATED = "unseated_repeated"  # participant, group, count
    NOT_EXPLAINED = "not_explained"  # participant, group
    WRONG_VALUE = "wrong_value"  # stated, value
    BOUND_BELOW_VALUE = "bound_below_value"  # bound, value
    OPTIMAL_UNPROVEN = "optimal_unproven"  # bound, value


VIOLATION_CODES = tuple(code for name, code in vars(Rule).items() if name.isupper())


@dataclass(frozen=True)
class DialogueViolation:
    """One broken rule of a plan: a code and the ids it concerns (which fields a code
    uses is listed beside it in `Rule`). `str()` gives the words `matchmaker dialogue check`
    prints; the web app puts it in names and the reader's language."""

    code: str
    participant: str | None = None
    session: str | None = None
    table: str | None = None
    side: str | None = None
    role: str | None = None
    group: str | None = None
    other: str | None = None
    organisation: str | None = None
    count: int | None = None
    limit: int | None = None
    index: int | None = None  # the position in `seats`
    buyers: int | None = None
    suppliers: int | None = None
    min_buyers: int | None = None
    min_suppliers: int | None = None
    value: float | None = None
    stated: object = None  # the interest value the plan's stats state
    bound: float | None = None

    def __str__(self) -> str:
        v = self
        where = f"seats[{v.index}] ({v.participant} at {v.session}/{v.table})"
        name = f"{v.session}/{v.table}"
        texts = {
            Rule.UNKNOWN_PARTICIPANT: f'{where}: participant "{v.participant}" is unknown',
            Rule.UNKNOWN_SESSION: f'{where}: session "{v.session}" is unknown',
            Rule.UNKNOWN_TABLE: f'{where}: table "{v.table}" is unknown in session "{v.session}"',
            Rule.UNKNOWN_SIDE: f'{where}: side "{v.side}" is neither buyer nor supplier',
            Rule.WRONG_SIDE: f"{where}: a {v.role} sits on the {v.side} side",
            Rule.NO_INTEREST: f"{where}: {v.participant} has no interest in {v.group}",
            Rule.SIDE_FULL: f"{name}: {v.count} on the {v.side} side, only {v.limit} seats",
            Rule.TOO_FEW: f"{name}: open with {v.buyers} buyers and {v.suppliers} suppliers, "
                     f"needs at least {v.min_buyers} and {v.min_suppliers}",
            Rule.ORGANISATION_LIMIT: f"{name}: {v.count} people of organisation {v.organisation}, "
                                f"at most {v.limit}",
            Rule.SEAT_TWICE: f"{name}: {v.participant} holds {v.count} seats",
            Rule.OVERLAP: f"{v.participant}: seated in {v.session} and {v.other}, which overlap in time",
            Rule.WHILE_MODERATING: f"{v.participant}: seated in {v.session} while moderating {v.other}",
            Rule.ONE_PER_GROUP: f"{v.participant}: seated in {v.count} {v.group} sessions, at most one "
                           f"per product group",
            Rule.CLOSED_UNKNOWN: f'closed_tables: table "{v.table}" of session "{v.session}" is unknown',
            Rule.CLOSED_WITH_SEATS: f"closed_tables: {name} is listed as closed but has seats",
            Rule.CLOSED_REPEATED: f"closed_tables: {name} is listed {v.count} times",
            Rule.EMPTY_NOT_CLOSED: f"{name}: empty but not listed in closed_tables",
            Rule.UNSEATED_SEATED: f"unseated: {v.participant} is listed for {v.group} but has a "
                             f"{v.group} seat",
            Rule.UNSEATED_NOT_ASKED: f"unseated: {v.participant} is listed for {v.group}, which it did "
                                f"not ask for",
            Rule.UNSEATED_REPEATED: f"unseated: {v.participant} is listed {v.count} times for {v.group}",
            Rule.NOT_EXPLAINED: f"unseated: {v.participant} asked for {v.group}, got no seat and no "
                           f"reason",
            Rule.WRONG_VALUE: f"stats: interest_value is {v.stated}, the seats give {v.value}",
            Rule.BOUND_BELOW_VALUE: f"stats: upper_bound {v.bound} is below the interest value {v.value}",
            Rule.OPTIMAL_UNPROVEN: f"status: optimal, but upper_bound {v.bound} differs from the "
                              f"interest value {v.value}",
        }
        return texts.get(v.code, v.code)


def _at_seat(code: str, index: int, seat: Seat, **more: Any) -> DialogueViolation:
    return DialogueViolation(code, index=index, participant=seat.participant,
                             session=seat.session, table=seat.table, **more)


def _at_table(code: str, key: tuple[str, str], **more: Any) -> DialogueViolation:
    return DialogueViolation(code, session=key[0], table=key[1], **more)


def check(problem: DialogueProblem, plan: Plan) -> list[DialogueViolation]:
    """Every violated rule, as data; an empty list means the plan is valid.

    Besides the seating rules this also checks that the plan agrees with itself:
    closed tables are empty, empty tables are listed as closed, every interest
    without a seat is explained, and the stats match the seats.
    """
    lookup = _Lookup(problem)
    problems: list[DialogueViolation] = []
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


def _known_seats(lookup: _Lookup, plan: Plan, problems: list[DialogueViolation]) -> list[Seat]:
    """The seats whose participant, session, table and side exist; the others' problems added to `problems`."""
    valid = []
    for i, seat in enumerate(plan.seats):
        person = lookup.people.get(seat.participant)
        if person is None:
            problems.append(_at_seat(Rule.UNKNOWN_PARTICIPANT, i, seat))
            continue
        if seat.session not in lookup.sessions:
            problems.append(_at_seat(Rule.UNKNOWN_SESSION, i, seat))
            continue
        if (seat.session, seat.table) not in lookup.tables:
            problems.append(_at_seat(Rule.UNKNOWN_TABLE, i, seat))
            continue
        if seat.side not in SIDES:
            problems.append(_at_seat(Rule.UNKNOWN_SIDE, i, seat, side=seat.side))
            continue
        if seat.side not in person.sides():
            problems.append(_at_seat(Rule.WRONG_SIDE, i, seat, side=seat.side, role=person.role))
        group = lookup.sessions[seat.session].product_group
        if group not in person.interests:
            problems.append(_at_seat(Rule.NO_INTEREST, i, seat, group=group))
        valid.append(seat)
    return valid


def _table_problems(lookup: _Lookup, key: TableId, seated: list[Seat]) -> list[DialogueViolation]:
    """Seat counts, minimums, organisations and double seats at one table."""
    problems = []
    rules = lookup.problem.rules
    table = lookup.tables[key]
    people = lookup.people
    sides = Counter(seat.side for seat in seated)
    for side, seats in (("buyer", table.buyer_seats), ("supplier", table.supplier_seats)):
        if sides[side] > seats:
            problems.append(_at_table(Rule.SIDE_FULL, key, side=side, count=sides[side],
                                      limit=seats))
    roles = Counter(people[seat.participant].role for seat in seated)
    if roles["buyer"] < rules.min_buyers or roles["supplier"] < rules.min_suppliers:
        problems.append(_at_table(
            Rule.TOO_FEW, key, buyers=roles["buyer"], suppliers=roles["supplier"],
            min_buyers=rules.min_buyers, min_suppliers=rules.min_suppliers))
    if rules.max_per_organisation is not None:
        orgs = Counter(people[seat.participant].org_key for seat in seated)
        for org, count in sorted(orgs.items()):
            if count > rules.max_per_organisation:
                problems.append(_at_table(
                    Rule.ORGANISATION_LIMIT, key, organisation=org.lstrip(chr(0)), count=count,
                    limit=rules.max_per_organisation))
    seen = Counter(seat.participant for seat in seated)
    for pid, count in sorted(seen.items()):
        if count > 1:
            problems.append(_at_table(Rule.SEAT_TWICE, key, participant=pid, count=count))
    return problems


def _person_problems(lookup: _Lookup, valid: list[Seat]) -> list[DialogueViolation]:
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
                    problems.append(DialogueViolation(Rule.OVERLAP, participant=pid, session=a.id,
                                                      other=b.id))
        for a in distinct:
            for led in moderates.get(pid, []):
                if led.overlaps(a):
                    problems.append(DialogueViolation(Rule.WHILE_MODERATING, participant=pid,
                                                      session=a.id, other=led.id))
        groups = Counter(s.product_group for s in distinct)
        for group, count in sorted(groups.items()):
            if count > 1:
                problems.append(DialogueViolation(Rule.ONE_PER_GROUP, participant=pid, group=group,
                                                  count=count))
    return problems


def _closed_table_problems(lookup: _Lookup, plan: Plan,
                           by_table: dict[TableId, list[Seat]]) -> list[DialogueViolation]:
    """Closed tables are known, empty and listed once; empty tables are listed as closed."""
    problems = []
    closed = Counter((c.session, c.table) for c in plan.closed_tables)
    for key, count in sorted(closed.items()):
        if key not in lookup.tables:
            problems.append(_at_table(Rule.CLOSED_UNKNOWN, key))
        elif key in by_table:
            problems.append(_at_table(Rule.CLOSED_WITH_SEATS, key))
        if count > 1:
            problems.append(_at_table(Rule.CLOSED_REPEATED, key, count=count))
    for key in lookup.tables:
        if key not in by_table and key not in closed:
            problems.append(DialogueViolation(Rule.EMPTY_NOT_CLOSED, session=key[0], table=key[1]))
    return problems


def _unseated_problems(lookup: _Lookup, plan: Plan, valid: list[Seat]) -> list[DialogueViolation]:
    """Every interest without a seat is explained once, and only those."""
    problems = []
    people = lookup.people
    seated_groups = {(seat.participant, lookup.sessions[seat.session].product_group) for seat in valid}
    explained = Counter((u.participant, u.product_group) for u in plan.unseated)
    for (pid, group), count in sorted(explained.items()):
        if (pid, group) in seated_groups:
            problems.append(DialogueViolation(Rule.UNSEATED_SEATED, participant=pid, group=group))
        elif pid in people and group not in people[pid].interests:
            problems.append(DialogueViolation(Rule.UNSEATED_NOT_ASKED, participant=pid, group=group))
        if count > 1:
            problems.append(DialogueViolation(Rule.UNSEATED_REPEATED, participant=pid, group=group,
                                              count=count))
    for person in lookup.problem.participants:
        for group in person.interests:
            if (person.id, group) not in seated_groups and (person.id, group) not in explained:
                problems.append(DialogueViolation(Rule.NOT_EXPLAINED, participant=person.id,
                                                  group=group))
    return problems


def _stats_problems(lookup: _Lookup, plan: Plan, valid: list[Seat]) -> list[DialogueViolation]:
    """The stated interest value, bound and status agree with the seats."""
    problems = []
    people, sessions = lookup.people, lookup.sessions
    value = sum(people[seat.participant].interests.get(sessions[seat.session].product_group, 0)
                for seat in valid)
    stats = plan.stats or {}
    if "interest_value" in stats and stats["interest_value"] != value:
        problems.append(DialogueViolation(Rule.WRONG_VALUE, stated=stats["interest_value"],
                                          value=value))
    bound = stats.get("upper_bound")
    if isinstance(bound, (int, float)) and bound < value:
        problems.append(DialogueViolation(Rule.BOUND_BELOW_VALUE, bound=bound, value=value))
    if plan.status == "optimal" and isinstance(bound, (int, float)) and bound != value:
        problems.append(DialogueViolation(Rule.OPTIMAL_UNPROVEN, bound=bound, value=value))
    return problems


def interest_value(problem: DialogueProblem, plan: Plan) -> int:
    sessions = {s.id: s for s in problem.sessions}
    people = {p.id: p for p in problem.participants}
    return sum(people[s.participant].interests.get(sessions[s.session].product_group, 0) for s in plan.seats)
