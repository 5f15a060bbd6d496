"""The adapter between the database and the one-to-one meeting solver.

database -> `matchmaker.scheduling.Problem` (an `EventProblem` keeps the rows behind its
ids), and a run's JSON draft (`SolveRun.result`) -> a schedule and its placements. Ids
and times as in `solver_terms`; the market dialogues' side is in `dialogue_problem`, the
capacity planner in `capacity`.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..marketdialogue.link import DialogueClash, block_dialogue_slots
from ..models import (Absence, Event, Meeting, MeetingRequest, MeetingStatus, Participation,
                      RequestStatus, RunKind, Slot, SolveRun, Table)
from ..scheduling import Meeting as SolverMeeting
from ..scheduling import (Assignment, FormatError, Participant, Placement, Problem, Schedule,
                          parse_schedule)
from ..scheduling import Slot as SolverSlot
from ..scheduling import Table as SolverTable
# Callers name the dialogue side's result from here too.
from .dialogue_problem import EventDialogue as EventDialogue
from .dialogue_problem import build_dialogue_problem, dialogue_plan_in_force
from .solver_terms import (MEETING_ROLES, blocker_key, meeting_key, naive_local, parse_key,
                           person_key, slot_key, table_key)

# A draft's stats: the meetings the run held where they stood because no run had placed
# them there (booked live or on site, moved by hand); the next run holds them too.
HELD_STAT = "held_in_place"
SPARE_STAT = "include_spare"


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
        slots=tuple(SolverSlot(id=slot_key(s.id), start=naive_local(s.starts_at, tz),
                               end=naive_local(s.ends_at, tz)) for s in slots),
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


def draft_schedule(run: SolveRun) -> Schedule:
    if run.result is None:
        raise DomainError(_("Run %(id)s has no result to use.", id=run.id))
    try:
        return parse_schedule(run.result)
    except FormatError as exc:
        raise DomainError(_("The result of run %(id)s cannot be read: %(error)s",
                            id=run.id, error=str(exc))) from None
