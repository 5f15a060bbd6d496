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
from ..models import (MEETING_ROLES, Absence, Event, Meeting, MeetingRequest, MeetingStatus,
                      Participation, RequestStatus, RunKind, Slot, SolveRun, Table)
from ..scheduling import Meeting as SolverMeeting
from ..scheduling import (Assignment, FormatError, Participant, Placement, Problem, Schedule,
                          parse_schedule)
from ..scheduling import Slot as SolverSlot
from ..scheduling import Table as SolverTable
# Callers name the dialogue side's result from here too.
from .dialogue_problem import EventDialogue as EventDialogue
from .dialogue_problem import build_dialogue_problem, dialogue_plan_in_force
from .solver_terms import (blocker_key, meeting_key, naive_local, parse_key,
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
    slots = list(session.scalars(select(Slot).where(Slot.event_id == event.id)
                                 .order_by(Slot.starts_at)))
    out = EventProblem(event=event, problem=Problem((), (), (), ()), include_spare=include_spare)
    out.slots = {slot_key(s.id): s for s in slots}
    tables = [t for t in session.scalars(select(Table).where(Table.event_id == event.id)
                                         .order_by(Table.number))
              if include_spare or not t.spare]
    out.tables = {table_key(t.number): t for t in tables}
    by_table_id = {t.id: table_key(t.number) for t in tables}
    own_table: dict[int, str] = {}  # participation id -> the first table it owns
    for t in tables:
        if t.owner_id is not None:
            own_table.setdefault(t.owner_id, table_key(t.number))

    state = _InForce()
    _sort_meetings_in_force(session, event, by_table_id, out, state)
    requests = [r for r in accepted_requests(session, event) if r.id not in out.kept]
    participants = _participants(session, event, own_table, requests, out, state)
    meetings = _solver_meetings(requests, by_table_id, out, state)
    out.blockers = _blocker_pins(state.blockers, by_table_id, set(own_table.values()),
                                 participants, meetings)

    problem = Problem(
        slots=tuple(SolverSlot(id=slot_key(s.id), start=naive_local(s.starts_at, event.timezone),
                               end=naive_local(s.ends_at, event.timezone)) for s in slots),
        tables=tuple(SolverTable(id=table_key(t.number)) for t in tables),
        participants=tuple(participants), meetings=tuple(meetings),
        event_name=event.name, timezone=event.timezone)
    out.problem = _with_dialogues(session, event, problem) if block_dialogues else problem
    return out


@dataclass
class _InForce:
    """What the meetings in force leave to the problem's other parts."""

    absent: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    kept_count: Counter[int] = field(default_factory=Counter)
    pinned: dict[int, Placement] = field(default_factory=dict)  # request id -> its place
    blockers: list[Meeting] = field(default_factory=list)  # no-shows at a table in use


def _sort_meetings_in_force(session: Session, event: Event, by_table_id: dict[int, str],
                            out: EventProblem, state: _InForce) -> None:
    """Each meeting in force: a no-show record, held in place (pinned, or kept out of the
    solver at a table it does not use), or free for the run to move."""
    placed = run_placements(session, event)
    for m in meetings_in_force(session, event):
        if m.status is MeetingStatus.NO_SHOW:
            out.kept[m.request_id] = m
            if m.table_id in by_table_id:
                state.blockers.append(m)
        elif held_in_place(m, placed):
            if m.table_id in by_table_id:
                state.pinned[m.request_id] = Placement(slot=slot_key(m.slot_id),
                                                       table=by_table_id[m.table_id])
            else:
                out.kept[m.request_id] = m
                for pid in (m.request.sender_id, m.request.recipient_id):
                    state.absent[pid].add(slot_key(m.slot_id))
                    state.kept_count[pid] += 1


def _participants(session: Session, event: Event, own_table: dict[int, str],
                  requests: list[MeetingRequest], out: EventProblem,
                  state: _InForce) -> list[Participant]:
    """Everyone who meets (or has a request), with their free slots, cap and own table."""
    people = list(session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.user)).order_by(Participation.id)))
    in_requests = {pid for r in requests for pid in (r.sender_id, r.recipient_id)}
    people = [p for p in people if p.role in MEETING_ROLES or p.id in in_requests]
    out.people = {person_key(p.id): p for p in people}
    absent = state.absent
    for participation_id, slot_id in session.execute(
            select(Absence.participation_id, Absence.slot_id).join(Slot)
            .where(Slot.event_id == event.id)):
        absent[participation_id].add(slot_key(slot_id))
    all_slots = frozenset(out.slots)
    participants = []
    for p in people:
        cap = p.max_meetings if p.max_meetings is not None else (
            event.default_max_meetings or None)
        if cap is not None and state.kept_count[p.id]:
            cap = max(0, cap - state.kept_count[p.id])
        participants.append(Participant(
            id=person_key(p.id), role=p.role.value if p.role in MEETING_ROLES else "facilitator",
            available=(all_slots - absent[p.id]) if absent[p.id] else None,
            max_meetings=cap, table=own_table.get(p.id)))
    return participants


def _solver_meetings(requests: list[MeetingRequest], by_table_id: dict[int, str],
                     out: EventProblem, state: _InForce) -> list[SolverMeeting]:
    """Each accepted request as a meeting: fixed where it is held, else with its previous
    place (the run's changes are counted against it)."""
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
        if r.id in state.pinned:
            fixed = state.pinned[r.id]
            if not (r.meeting.locked or r.meeting.status is MeetingStatus.HELD):
                held.add(key)
        meetings.append(SolverMeeting(
            id=key, participants=(person_key(r.sender_id), person_key(r.recipient_id)),
            priority=max(1, r.priority), fixed=fixed, previous=previous))
    out.held = frozenset(held)
    return meetings


def _blocker_pins(blockers: list[Meeting], by_table_id: dict[int, str], stand_owned: set[str],
                  participants: list[Participant],
                  meetings: list[SolverMeeting]) -> tuple[Assignment, ...]:
    """A no-show's table stays taken in its slot: a fixed meeting of two stand-ins (added
    to `participants` and `meetings`), returned as pins."""
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
    return tuple(pins)


def _with_dialogues(session: Session, event: Event, problem: Problem) -> Problem:
    """The problem with the market dialogue seats and moderators out of the overlapping
    slots."""
    dialogue = build_dialogue_problem(session, event)
    plan = dialogue_plan_in_force(session, event)
    if not plan.seats:
        return problem
    try:
        return block_dialogue_slots(problem, dialogue.problem, plan)
    except DialogueClash as exc:
        raise DomainError(_("A locked meeting clashes with a market dialogue: "
                            "%(reason)s. Unlock or move it first.",
                            reason=str(exc))) from None


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
