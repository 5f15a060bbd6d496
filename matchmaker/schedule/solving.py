"""Adapters between the database and the solver packages, and the capacity planner.

database -> `matchmaker.scheduling.Problem` / `matchmaker.marketdialogue` problem,
and a solver's result -> the JSON draft kept in `SolveRun.result`.

Solver ids are derived from database ids, so a draft, an exported instance and an
imported schedule all name the same things: slot `s<slot id>`, table `T<number>`,
participant `p<participation id>`, meeting `r<request id>` (a meeting is an accepted
request), dialogue session `d<id>`, dialogue table `t<id>`, organisation `o<id>`.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..dialogues.services import choice_weight
from ..domain import DomainError
from ..marketdialogue.link import DialogueClash, block_dialogue_slots
from ..marketdialogue.problem import (DialogueParticipant, DialogueProblem, DialogueTable as
                                      SolverDialogueTable, Plan, Seat, Session as SolverSession)
from ..models import (Absence, DialogueChoice, DialogueOptOut, DialogueSeat, DialogueSession,
                      DialogueTable, Event, Listing, Meeting, MeetingRequest, MeetingStatus,
                      Participation, RequestStatus, Role, RunKind, Slot, SolveRun, Table)
from ..scheduling import Meeting as SolverMeeting
from ..scheduling import (Assignment, FormatError, Participant, Placement, Problem, Schedule,
                          parse_schedule)
from ..scheduling import Slot as SolverSlot
from ..scheduling import Table as SolverTable
from ..scheduling.domains import Domains
from ..scheduling.fcfs import fcfs_placements
from ..timeutil import to_local

MEETING_ROLES = (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR)
# A draft's stats: the meetings the run held where they stood because no run had placed
# them there (booked live or on site, moved by hand); the next run holds them too.
HELD_STAT = "held_in_place"
SPARE_STAT = "include_spare"


def slot_key(slot_id: int) -> str:
    return f"s{slot_id}"


def table_key(number: int) -> str:
    return f"T{number}"


def person_key(participation_id: int) -> str:
    return f"p{participation_id}"


def meeting_key(request_id: int) -> str:
    return f"r{request_id}"


def parse_key(key: str, prefix: str) -> int | None:
    """The database id in a solver id like `s12`, or None if it is not one of ours."""
    if not key.startswith(prefix) or not key[len(prefix):].isdigit():
        return None
    return int(key[len(prefix):])


def _naive_local(moment, tz_name: str):
    return to_local(moment, tz_name).replace(tzinfo=None)


@dataclass
class EventProblem:
    """A one-to-one problem built from an event, with the rows behind its ids."""

    event: Event
    problem: Problem
    slots: dict[str, Slot] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    people: dict[str, Participation] = field(default_factory=dict)
    requests: dict[str, MeetingRequest] = field(default_factory=dict)
    # request id -> meeting the run leaves alone outside the solver: no-show records, and
    # meetings held in place at a table the run does not use (a spare table)
    kept: dict[int, Meeting] = field(default_factory=dict)
    held: frozenset[str] = frozenset()  # meeting keys pinned because no run placed them
    blockers: tuple[Assignment, ...] = ()  # tables a no-show record occupies, as pins
    include_spare: bool = False

    def stats(self) -> dict:
        """What the run's draft records about how it was built (see HELD_STAT)."""
        return {HELD_STAT: sorted(self.held), SPARE_STAT: self.include_spare}


def accepted_requests(session: Session, event: Event) -> list[MeetingRequest]:
    return list(session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.event_id == event.id,
               MeetingRequest.status == RequestStatus.ACCEPTED)
        .options(selectinload(MeetingRequest.meeting))
        .order_by(MeetingRequest.created_at, MeetingRequest.id)))


def meetings_in_force(session: Session, event: Event) -> list[Meeting]:
    """The schedule in force: the event's Meeting rows."""
    return list(session.scalars(
        select(Meeting).where(Meeting.event_id == event.id)
        .options(selectinload(Meeting.request), selectinload(Meeting.slot),
                 selectinload(Meeting.table))
        .order_by(Meeting.id)))


def published_run(session: Session, event: Event) -> SolveRun | None:
    """The meetings run whose draft was published last."""
    return session.scalar(
        select(SolveRun).where(SolveRun.event_id == event.id, SolveRun.kind == RunKind.MEETINGS,
                               SolveRun.published_at.is_not(None))
        .order_by(SolveRun.published_at.desc(), SolveRun.id.desc()).limit(1))


def run_placements(session: Session, event: Event) -> dict[int, tuple[int, int]] | None:
    """request id -> (slot id, table id) of the meetings the published run placed itself.

    None when no run was published. Meetings that run only held where they stood
    (`HELD_STAT`) are left out: no run placed them.
    """
    run = published_run(session, event)
    if run is None or run.result is None:
        return None
    try:
        schedule = parse_schedule(run.result)
    except FormatError:
        return {}
    held = set(schedule.stats.get(HELD_STAT) or ())
    tables = dict(session.execute(select(Table.number, Table.id)
                                  .where(Table.event_id == event.id)).all())
    out: dict[int, tuple[int, int]] = {}
    for a in schedule.assignments:
        rid, sid, number = (parse_key(a.meeting, "r"), parse_key(a.slot, "s"),
                            parse_key(a.table, "T"))
        if rid is None or sid is None or number not in tables or a.meeting in held:
            continue
        out[rid] = (sid, tables[number])
    return out


def held_in_place(meeting: Meeting, placed: dict[int, tuple[int, int]] | None) -> bool:
    """Whether a re-solve leaves `meeting` where it is: locked, held, or not where the
    published run put it (booked live or on site, moved by hand, or no run published)."""
    if meeting.locked or meeting.status is MeetingStatus.HELD or placed is None:
        return True
    return placed.get(meeting.request_id) != (meeting.slot_id, meeting.table_id)


def blocker_key(meeting_id: int) -> str:
    return f"x{meeting_id}"


def build_problem(session: Session, event: Event, *, include_spare: bool = False,
                  block_dialogues: bool = True) -> EventProblem:
    """The event's one-to-one meetings as a solver problem.

    Accepted requests become meetings. Meetings in force that a re-solve must leave
    where they are (`held_in_place`) are `fixed` there; every other meeting carries its
    `previous` place. Spare tables join only when asked: a meeting held at a spare
    table then stays out of the solver (`kept`), its two participants unavailable in
    its slot. A no-show keeps its record and its table in that slot but frees both
    participants: it stays out of the solver too, and a pin of two stand-ins holds its
    table (`blockers`). Participants at a market dialogue table (seat or moderator) are
    unavailable in the overlapping slots. A participant's meeting cap is its own
    `max_meetings`, else the event's default (0 there means no cap), less its kept
    meetings.
    """
    tz = event.timezone
    slots = list(session.scalars(select(Slot).where(Slot.event_id == event.id)
                                 .order_by(Slot.starts_at)))
    out = EventProblem(event=event, problem=Problem((), (), (), ()), include_spare=include_spare)
    out.slots = {slot_key(s.id): s for s in slots}
    requests = accepted_requests(session, event)
    tables = [t for t in session.scalars(select(Table).where(Table.event_id == event.id)
                                         .order_by(Table.number))
              if include_spare or not t.spare]
    out.tables = {table_key(t.number): t for t in tables}
    by_table_id = {t.id: table_key(t.number) for t in tables}
    own_table: dict[int, str] = {}
    for t in tables:
        if t.owner_id is not None:
            own_table.setdefault(t.owner_id, table_key(t.number))

    placed = run_placements(session, event)
    absent: dict[int, set[str]] = defaultdict(set)
    kept_count: Counter[int] = Counter()
    pinned: dict[int, Placement] = {}
    blockers: list[Meeting] = []
    for m in meetings_in_force(session, event):
        if m.status is MeetingStatus.NO_SHOW:
            out.kept[m.request_id] = m
            if m.table_id in by_table_id:
                blockers.append(m)
        elif held_in_place(m, placed):
            if m.table_id in by_table_id:
                pinned[m.request_id] = Placement(slot=slot_key(m.slot_id),
                                                 table=by_table_id[m.table_id])
            else:
                out.kept[m.request_id] = m
                for pid in (m.request.sender_id, m.request.recipient_id):
                    absent[pid].add(slot_key(m.slot_id))
                    kept_count[pid] += 1
    requests = [r for r in requests if r.id not in out.kept]

    people = list(session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.user)).order_by(Participation.id)))
    in_requests = {pid for r in requests for pid in (r.sender_id, r.recipient_id)}
    people = [p for p in people if p.role in MEETING_ROLES or p.id in in_requests]
    out.people = {person_key(p.id): p for p in people}
    for participation_id, slot_id in session.execute(
            select(Absence.participation_id, Absence.slot_id).join(Slot)
            .where(Slot.event_id == event.id)):
        absent[participation_id].add(slot_key(slot_id))
    all_slots = frozenset(out.slots)
    participants = []
    for p in people:
        cap = p.max_meetings if p.max_meetings is not None else (
            event.default_max_meetings or None)
        if cap is not None and kept_count[p.id]:
            cap = max(0, cap - kept_count[p.id])
        participants.append(Participant(
            id=person_key(p.id), role=p.role.value if p.role in MEETING_ROLES else "facilitator",
            available=(all_slots - absent[p.id]) if absent[p.id] else None,
            max_meetings=cap, table=own_table.get(p.id)))

    meetings = []
    held = set()
    for r in requests:
        key = meeting_key(r.id)
        out.requests[key] = r
        fixed = previous = None
        if r.meeting is not None and r.meeting.table_id in by_table_id:
            previous = Placement(slot=slot_key(r.meeting.slot_id),
                                 table=by_table_id[r.meeting.table_id])
        elif r.meeting is not None:
            previous = Placement(slot=slot_key(r.meeting.slot_id))
        if r.id in pinned:
            fixed = pinned[r.id]
            if not (r.meeting.locked or r.meeting.status is MeetingStatus.HELD):
                held.add(key)
        meetings.append(SolverMeeting(
            id=key, participants=(person_key(r.sender_id), person_key(r.recipient_id)),
            priority=max(1, r.priority), fixed=fixed, previous=previous))
    out.held = frozenset(held)

    stand_owned = set(own_table.values())
    pins = []
    for m in blockers:
        key, place = blocker_key(m.id), Placement(slot=slot_key(m.slot_id),
                                                  table=by_table_id[m.table_id])
        stand = place.table if place.table in stand_owned else None
        participants.extend((
            Participant(id=f"{key}a", role="buyer", available=frozenset({place.slot}),
                        max_meetings=1, table=stand),
            Participant(id=f"{key}b", role="supplier", available=frozenset({place.slot}),
                        max_meetings=1)))
        meetings.append(SolverMeeting(id=key, participants=(f"{key}a", f"{key}b"),
                                      fixed=place, previous=place))
        pins.append(Assignment(meeting=key, slot=place.slot, table=place.table))
    out.blockers = tuple(pins)

    problem = Problem(
        slots=tuple(SolverSlot(id=slot_key(s.id), start=_naive_local(s.starts_at, tz),
                               end=_naive_local(s.ends_at, tz)) for s in slots),
        tables=tuple(SolverTable(id=table_key(t.number)) for t in tables),
        participants=tuple(participants), meetings=tuple(meetings),
        event_name=event.name, timezone=tz)
    if block_dialogues:
        dialogue = build_dialogue_problem(session, event)
        plan = dialogue_plan_in_force(session, event)
        if plan.seats:
            try:
                problem = block_dialogue_slots(problem, dialogue.problem, plan)
            except DialogueClash as exc:
                raise DomainError(_("A locked meeting clashes with a market dialogue: "
                                    "%(reason)s. Unlock or move it first.",
                                    reason=str(exc))) from None
    out.problem = problem
    return out


def schedule_placements(ep: EventProblem, schedule: Schedule) -> dict[int, tuple[int, int]]:
    """request id -> (slot id, table id) for the assignments of a schedule."""
    out: dict[int, tuple[int, int]] = {}
    for a in schedule.assignments:
        request = ep.requests.get(a.meeting)
        slot, table = ep.slots.get(a.slot), ep.tables.get(a.table)
        if request is None or slot is None or table is None:
            continue
        out[request.id] = (slot.id, table.id)
    return out


# --------------------------------------------------------------------------- dialogues


@dataclass
class EventDialogue:
    event: Event
    problem: DialogueProblem
    sessions: dict[str, DialogueSession] = field(default_factory=dict)
    tables: dict[tuple[str, str], DialogueTable] = field(default_factory=dict)
    people: dict[str, Participation] = field(default_factory=dict)


def dialogue_session_key(session_id: int) -> str:
    return f"d{session_id}"


def dialogue_table_key(table_id: int) -> str:
    return f"t{table_id}"


def build_dialogue_problem(session: Session, event: Event) -> EventDialogue:
    """The event's market dialogues as a solver problem.

    Buyers, suppliers and experts join with the sessions they chose as interests,
    weighted by rank (`dialogues.services.choice_weight`), keyed by the session's
    product group (the solver's unit: a group's sessions are repeats of one
    dialogue). Who opted out joins without interests; who said nothing keeps
    their product groups (weight 2 where they also have an offer or query in
    that group, else 1). Moderators who take no part otherwise join without
    interests.
    """
    tz = event.timezone
    rows = list(session.scalars(
        select(DialogueSession).where(DialogueSession.event_id == event.id)
        .options(selectinload(DialogueSession.product_group),
                 selectinload(DialogueSession.tables))
        .order_by(DialogueSession.starts_at, DialogueSession.id)))
    out = EventDialogue(event=event, problem=DialogueProblem((), ()))
    moderator_ids: set[int] = set()
    sessions = []
    for row in rows:
        key = dialogue_session_key(row.id)
        out.sessions[key] = row
        tables = []
        for t in row.tables:
            out.tables[(key, dialogue_table_key(t.id))] = t
            if t.moderator_id is not None:
                moderator_ids.add(t.moderator_id)
            tables.append(SolverDialogueTable(
                id=dialogue_table_key(t.id), buyer_seats=t.buyer_seats,
                supplier_seats=t.supplier_seats,
                moderator=person_key(t.moderator_id) if t.moderator_id is not None else None))
        sessions.append(SolverSession(
            id=key, product_group=row.product_group.code,
            start=_naive_local(row.starts_at, tz), end=_naive_local(row.ends_at, tz),
            tables=tuple(tables)))

    people = list(session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.product_groups), selectinload(Participation.user))
        .order_by(Participation.id)))
    listed = set(session.execute(
        select(Listing.participation_id, Listing.product_group_id)
        .where(Listing.event_id == event.id)).all())
    chosen = _chosen_interests(session, event, out.sessions)
    opted_out = set(session.scalars(
        select(DialogueOptOut.participation_id).join(Participation)
        .where(Participation.event_id == event.id)))
    participants = []
    for p in people:
        if p.role in MEETING_ROLES:
            if p.id in opted_out:
                interests = {}
            elif p.id in chosen:
                interests = chosen[p.id]
            else:
                interests = {g.code: 2 if (p.id, g.id) in listed else 1
                             for g in p.product_groups}
            role = p.role.value
        elif p.id in moderator_ids:
            interests, role = {}, "facilitator"
        else:
            continue
        out.people[person_key(p.id)] = p
        participants.append(DialogueParticipant(
            id=person_key(p.id), role=role,
            organisation=f"o{p.organisation_id}" if p.organisation_id is not None else None,
            interests=interests))
    out.problem = DialogueProblem(sessions=tuple(sessions), participants=tuple(participants),
                                  event_name=event.name, timezone=tz)
    return out


def _chosen_interests(session: Session, event: Event,
                      sessions: dict[str, DialogueSession]) -> dict[int, dict[str, int]]:
    """participation id -> {product group code: weight} from the ranked choices.

    Weights follow each participant's order, not the stored rank, so a deleted
    session leaves no gap; two chosen repeats of one group keep the higher weight.
    """
    code = {row.id: row.product_group.code for row in sessions.values()}
    out: dict[int, dict[str, int]] = {}
    position: Counter = Counter()
    for participation_id, session_id in session.execute(
            select(DialogueChoice.participation_id, DialogueChoice.session_id)
            .join(DialogueSession).where(DialogueSession.event_id == event.id)
            .order_by(DialogueChoice.participation_id, DialogueChoice.rank)):
        position[participation_id] += 1
        group = code[session_id]
        mine = out.setdefault(participation_id, {})
        mine[group] = max(mine.get(group, 0), choice_weight(position[participation_id]))
    return out


def dialogue_plan_in_force(session: Session, event: Event) -> Plan:
    """The published dialogue seats as a plan (to block one-to-one slots, to compare)."""
    seats = session.scalars(
        select(DialogueSeat).join(DialogueSession)
        .where(DialogueSession.event_id == event.id).order_by(DialogueSeat.id))
    return Plan(status="feasible", seats=tuple(
        Seat(participant=person_key(s.participation_id),
             session=dialogue_session_key(s.session_id), table=dialogue_table_key(s.table_id),
             side=s.side.value) for s in seats))


# --------------------------------------------------------------------------- planner


@dataclass(frozen=True)
class CapacityAdvice:
    """How much more room the event needs to schedule the accepted requests."""

    requested: int
    schedulable_now: int  # what a quick greedy schedule places with today's frame
    person_limited: int  # requests beyond a participant's meeting limit or free slots
    tables_needed: int | None  # more pooled tables after which more tables add nothing
    tables_gain: int  # requests those tables let the greedy place on top of today's
    tables_lower_bound: int  # no fewer extra pooled tables can place every pooled meeting
    slots_needed: int | None  # more slots (open to everyone), likewise
    slots_gain: int
    sentences: tuple[str, ...] = ()


def _with_extra_tables(problem: Problem, k: int) -> Problem:
    extra = tuple(SolverTable(id=f"EXTRA{i + 1}") for i in range(k))
    return replace(problem, tables=problem.tables + extra)


def _with_extra_slots(problem: Problem, k: int) -> Problem:
    """k more slots after the last one, open to everyone (availability lists extended)."""
    if not problem.slots:
        return problem
    last = problem.slots[-1]
    length = last.end - last.start
    new = tuple(SolverSlot(id=f"EXTRA{i + 1}", start=last.end + length * i,
                           end=last.end + length * (i + 1)) for i in range(k))
    ids = frozenset(s.id for s in new)
    participants = tuple(replace(p, available=p.available | ids) if p.available is not None
                         else p for p in problem.participants)
    return replace(problem, slots=problem.slots + new, participants=participants)


def _greedy_count(problem: Problem) -> int:
    try:
        return len(fcfs_placements(problem, sorted(problem.meetings, key=lambda m: -m.priority)))
    except ValueError:  # a pin that no longer fits
        return 0


def _plateau(problem: Problem, grow, limit: int) -> tuple[int | None, int]:
    """(smallest k after which growing adds nothing, what the greedy places then).

    `limit` is where growing cannot help any more (every participant could meet in
    every slot); k is found by bisection, the greedy count being close to monotone.
    None when growing does not help at all.
    """
    now = _greedy_count(problem)
    best = _greedy_count(grow(problem, limit)) if limit > 0 else now
    if best <= now:
        return None, now
    low, high = 0, limit
    while high - low > 1:
        mid = (low + high) // 2
        if _greedy_count(grow(problem, mid)) >= best:
            high = mid
        else:
            low = mid
    return high, best


def plan_capacity(problem: Problem) -> CapacityAdvice:
    """How many more pooled tables or slots would schedule the accepted requests, in words.

    Two arguments: a bound (nobody can have more meetings than free slots or their
    cap, and the pooled meetings need at least ceil(demand / slots) tables), and what
    a fast greedy schedule places with +k tables or +k slots. The greedy answer is an
    estimate from above: the solver often does with less.
    """
    d = Domains(problem)
    requested = len(problem.meetings)
    person_limited = 0
    for pid, mids in d.meetings_of.items():
        room = min(d.cap(pid), sum(1 for s in d.slot_ids if d.available(pid, s)))
        person_limited += max(0, len(mids) - room)
    pooled = [m for m in problem.meetings if d.is_pooled(m)]
    n_slots = max(1, len(problem.slots))
    tables_lower = max(0, math.ceil(len(pooled) / n_slots) - len(d.pooled))
    forced = Counter(d.allowed_slots(m)[0] for m in pooled if len(d.allowed_slots(m)) == 1)
    if forced:
        tables_lower = max(tables_lower, max(forced.values()) - len(d.pooled))
    now = _greedy_count(problem)
    most_meetings = max((len(mids) for mids in d.meetings_of.values()), default=0)
    tables_needed, with_tables = _plateau(problem, _with_extra_tables,
                                          len(problem.participants) // 2)
    slots_needed, with_slots = _plateau(problem, _with_extra_slots, most_meetings + 2)

    def frame() -> dict[str, str]:
        return {"slots": ngettext("%(num)d slot", "%(num)d slots", len(problem.slots)),
                "tables": ngettext("%(num)d table", "%(num)d tables", len(problem.tables))}

    sentences = []
    if now >= requested:
        sentences.append(_("All %(requested)d accepted requests fit in the present frame "
                           "(%(slots)s, %(tables)s).", requested=requested, **frame()))
    else:
        sentences.append(_("A quick greedy schedule places %(now)d of %(requested)d accepted "
                           "requests with the present %(slots)s and %(tables)s; the solver "
                           "usually does better.", now=now, requested=requested, **frame()))
        if tables_needed is None:
            sentences.append(_("More tables do not help: the people, not the tables, are busy."))
        else:
            low = max(tables_lower, 1)
            numbers = {"gain": with_tables - now, "fit": with_tables, "requested": requested}
            if with_tables == requested and low < tables_needed:
                sentences.append(_(
                    "With between %(low)d and %(high)d more pooled tables, %(gain)d more "
                    "requests fit (%(fit)d of %(requested)d); more tables add nothing after "
                    "that.", low=low, high=tables_needed, **numbers))
            else:
                sentences.append(ngettext(
                    "With %(num)d more pooled table, %(gain)d more requests fit (%(fit)d of "
                    "%(requested)d); more tables add nothing after that.",
                    "With %(num)d more pooled tables, %(gain)d more requests fit (%(fit)d of "
                    "%(requested)d); more tables add nothing after that.",
                    tables_needed, **numbers))
        if slots_needed is not None:
            sentences.append(ngettext(
                "With %(num)d more slot open to everyone, %(gain)d more requests fit "
                "(%(fit)d of %(requested)d).",
                "With %(num)d more slots open to everyone, %(gain)d more requests fit "
                "(%(fit)d of %(requested)d).",
                slots_needed, gain=with_slots - now, fit=with_slots, requested=requested))
        if person_limited:
            sentences.append(ngettext(
                "At least %(num)d request cannot be placed whatever the tables: some "
                "participants have more accepted requests than their meeting limit or their "
                "free slots. Only a higher limit or more slots place them.",
                "At least %(num)d requests cannot be placed whatever the tables: some "
                "participants have more accepted requests than their meeting limit or their "
                "free slots. Only a higher limit or more slots place them.",
                person_limited))
    return CapacityAdvice(requested=requested, schedulable_now=now,
                          person_limited=person_limited, tables_needed=tables_needed,
                          tables_gain=with_tables - now, tables_lower_bound=tables_lower,
                          slots_needed=slots_needed, slots_gain=with_slots - now,
                          sentences=tuple(sentences))


def draft_schedule(run: SolveRun) -> Schedule:
    if run.result is None:
        raise DomainError(_("Run %(id)s has no result to use.", id=run.id))
    try:
        return parse_schedule(run.result)
    except FormatError as exc:
        raise DomainError(_("The result of run %(id)s cannot be read: %(error)s",
                            id=run.id, error=str(exc))) from None
