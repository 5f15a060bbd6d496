"""Putting a draft in force: meetings and bookings follow a meetings run, seats follow a
dialogue run.

Publishing replaces the Meeting/Booking rows (or DialogueSeat rows) in one
transaction: a savepoint wraps the changes, so a failure halfway leaves the
schedule as it was; the caller commits once. Meetings that stay keep their row
and id (iCalendar UIDs derive from it); a meeting that moves keeps its id and
its `sequence` goes up, so calendar clients replace the old entry.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import utcnow
from ..domain import DomainError
from ..i18n import format_day
from ..models import (Booking, DialogueSeat, Event, Meeting, MeetingRequest, Phase, RunKind, Side, Slot, SolveRun, Table)
from ..notifications.services import notify_schedule_changed
from ..timeutil import format_time
from . import solving
from .compare import (Comparison, DialogueComparison, compare_dialogues, compare_schedule,
                      dialogue_refusal, held_clash_refusal, refusal, require_run)


def refuse_republish(run: SolveRun, tz: str) -> None:
    if run.published_at is not None:
        when = f"{format_day(run.published_at, tz, 'long')} {format_time(run.published_at, tz)}"
        raise DomainError(_("Run %(id)s was published already (%(when)s). Start a new run to "
                            "change the schedule.", id=run.id, when=when))


def publish_schedule(session: Session, event: Event, run: SolveRun, *,
                     notify: bool = True) -> Comparison:
    """Put a meetings draft in force. Flushes; the caller commits (or rolls back)."""
    require_run(event, run, RunKind.MEETINGS)
    refuse_republish(run, event.timezone)
    comparison = compare_schedule(session, event, run)
    if comparison.violations:
        raise DomainError(_("This draft no longer fits the event: %(reason)s",
                            reason=refusal(comparison.raw_violations, comparison.violations)))
    first = session.scalar(select(Meeting.id).where(Meeting.event_id == event.id)
                           .limit(1)) is None and not event.schedule_published
    with session.begin_nested():
        apply_placements(session, event, comparison.draft)
        if event.phase is Phase.BOOKING_OPEN:  # booking stays open: live from now on
            event.live_booking = True
        if event.phase is not Phase.OVER:
            event.phase = Phase.PUBLISHED
        run.published_at = utcnow()
        session.flush()
    if notify and comparison.affected:
        notify_schedule_changed(session, event, comparison.affected, "published" if first else "changed")
    return comparison


def apply_placements(session: Session, event: Event, draft: dict[int, tuple[int, int]]) -> None:
    """Make the event's Meeting/Booking rows match `draft` (request id -> slot, table).

    Unchanged meetings are not touched; moved ones keep their row. Moves run one at
    a time into free cells; a cycle of moves (two meetings swapping places) parks one
    meeting at a temporary table, removed again before the end.
    """
    current = {m.request_id: m for m in solving.meetings_in_force(session, event)}
    slots = {s.id: s for s in session.scalars(select(Slot).where(Slot.event_id == event.id))}
    tables = {t.id: t for t in session.scalars(select(Table).where(Table.event_id == event.id))}
    requests = {r.id: r for r in session.scalars(
        select(MeetingRequest).where(MeetingRequest.id.in_(list(draft))))}

    for rid, meeting in list(current.items()):
        if rid not in draft:
            session.delete(meeting)
            del current[rid]
    moved = [m for rid, m in current.items() if (m.slot_id, m.table_id) != draft[rid]]
    for meeting in moved:
        for booking in list(meeting.bookings):
            session.delete(booking)
    session.flush()

    occupied = {(m.slot_id, m.table_id) for m in current.values()}
    parking: list[Table] = []
    pending = list(moved)
    while pending:
        progressed = False
        for meeting in list(pending):
            target = draft[meeting.request_id]
            if target in occupied:
                continue
            occupied.discard((meeting.slot_id, meeting.table_id))
            meeting.slot, meeting.table = slots[target[0]], tables[target[1]]
            session.flush()  # one move per statement: the order keeps cells unique
            occupied.add(target)
            pending.remove(meeting)
            progressed = True
        if not progressed:
            meeting = pending[0]
            cell = next(((meeting.slot_id, t.id) for t in parking
                         if (meeting.slot_id, t.id) not in occupied), None)
            if cell is None:
                top = max([t.number for t in tables.values()] + [t.number for t in parking])
                table = Table(event_id=event.id, number=top + 1, zone="(publishing)", spare=True)
                session.add(table)
                session.flush()
                parking.append(table)
                cell = (meeting.slot_id, table.id)
                tables[table.id] = table
            occupied.discard((meeting.slot_id, meeting.table_id))
            meeting.table = tables[cell[1]]
            session.flush()
            occupied.add(cell)
    for meeting in moved:
        meeting.sequence = (meeting.sequence or 0) + 1
        book(session, meeting)
    for table in parking:
        session.delete(table)
    session.flush()

    for rid, (slot_id, table_id) in draft.items():
        if rid in current:
            continue
        meeting = Meeting(event_id=event.id, request=requests[rid], slot=slots[slot_id],
                          table=tables[table_id])
        session.add(meeting)
        book(session, meeting)
    session.flush()


def book(session: Session, meeting: Meeting) -> None:
    request = meeting.request
    for pid in (request.sender_id, request.recipient_id):
        meeting.bookings.append(Booking(participation_id=pid, slot_id=meeting.slot.id))


def publish_dialogues(session: Session, event: Event, run: SolveRun, *,
                      notify: bool = True) -> DialogueComparison:
    """Put a dialogue plan in force: DialogueSeat rows follow the plan. The caller commits."""
    require_run(event, run, RunKind.DIALOGUES)
    refuse_republish(run, event.timezone)
    comparison = compare_dialogues(session, event, run)
    if comparison.violations:
        raise DomainError(dialogue_refusal(comparison.violations))
    if comparison.held_clashes:
        raise DomainError(held_clash_refusal(comparison.held_clashes))
    with session.begin_nested():
        for change in comparison.changes:
            if change.kind == "lost":
                session.delete(change.before)
            elif change.kind == "moved":
                table, side = change.after
                change.before.table_id = table.id
                change.before.side = Side(side)
            elif change.kind == "gained":
                table, side = change.after
                session.add(DialogueSeat(table_id=table.id, session_id=table.session_id,
                                         participation_id=change.participation.id,
                                         side=Side(side)))
        session.flush()
        run.published_at = utcnow()
        session.flush()
    if notify and comparison.affected and event.schedule_published:
        notify_schedule_changed(session, event, comparison.affected, "changed")
    return comparison
