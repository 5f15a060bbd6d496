"""The schedule edited by hand: locking a meeting, where it could move, and moving it."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import DomainError
from ..notifications.services import notify_schedule_changed
from ..models import (Absence, Booking, DialogueSeat, DialogueSession, DialogueTable, Event,
                      Meeting, MeetingRequest, Participation, Slot, Table)
from ..timeutil import format_time
from . import publish


def set_locked(session: Session, meeting: Meeting, locked: bool) -> None:
    meeting.locked = locked
    session.flush()


def owned_tables(session: Session, event: Event,
                  participation_ids: tuple[int, int]) -> list[Table]:
    return list(session.scalars(select(Table).where(
        Table.event_id == event.id, Table.owner_id.in_(participation_ids))))


def move_clashes(session: Session, event: Event, meeting: Meeting, slot: Slot,
                 table: Table) -> list[tuple[str, str]]:
    """Why `meeting` cannot go to (slot, table), as (field, message) pairs; empty if it can."""
    out: list[tuple[str, str]] = []
    tz = event.timezone
    when = format_time(slot.starts_at, tz)
    if slot.event_id != event.id:
        return [("slot", _("This slot is not part of the event."))]
    if table.event_id != event.id:
        return [("table", _("This table is not part of the event."))]
    if (slot.id, table.id) == (meeting.slot_id, meeting.table_id):
        return [("slot", _("The meeting is there already."))]
    request = meeting.request
    pair = (request.sender, request.recipient)
    for person in pair:
        name = person.display_name
        if session.get(Absence, (person.id, slot.id)) is not None:
            out.append(("slot", _("%(name)s is not available at %(time)s.", name=name,
                                  time=when)))
        other = session.scalar(select(Booking).where(
            Booking.slot_id == slot.id, Booking.participation_id == person.id,
            Booking.meeting_id != meeting.id))
        if other is not None:
            out.append(("slot", _("%(name)s has another meeting at %(time)s.", name=name,
                                  time=when)))
        if at_dialogue(session, event, person, slot):
            out.append(("slot", _("%(name)s sits at a market dialogue at %(time)s.", name=name,
                                  time=when)))
    taken = session.scalar(select(Meeting).where(
        Meeting.slot_id == slot.id, Meeting.table_id == table.id, Meeting.id != meeting.id))
    if taken is not None:
        out.append(("table", _("%(table)s is taken at %(time)s (meeting of %(first)s and "
                               "%(second)s).", table=table.label, time=when,
                               first=taken.request.sender.user.name,
                               second=taken.request.recipient.user.name)))
    owned = owned_tables(session, event, (request.sender_id, request.recipient_id))
    if owned:
        if table.id not in {t.id for t in owned}:
            labels = ", ".join(t.label for t in owned)
            out.append(("table", _("This meeting belongs at its supplier's stand: %(tables)s.",
                                   tables=labels)))
    elif table.owner_id is not None:
        out.append(("table", _("%(table)s is a stand reserved for its owner's meetings.",
                               table=table.label)))
    return out


def at_dialogue(session: Session, event: Event, person: Participation, slot: Slot) -> bool:
    overlapping = (DialogueSession.event_id == event.id) & \
        (DialogueSession.starts_at < slot.ends_at) & (slot.starts_at < DialogueSession.ends_at)
    seated = session.scalar(select(DialogueSeat.id).join(
        DialogueSession, DialogueSeat.session_id == DialogueSession.id).where(
        overlapping, DialogueSeat.participation_id == person.id).limit(1))
    if seated is not None:
        return True
    moderating = session.scalar(select(DialogueTable.id).join(DialogueTable.session).where(
        overlapping, DialogueTable.moderator_id == person.id, DialogueTable.seats.any()).limit(1))
    return moderating is not None


def dialogue_times(session: Session, event: Event,
                   people: tuple[Participation, ...]) -> list[tuple]:
    """(starts_at, ends_at) of the market dialogues where any of `people` sits or
    moderates a table with seats: `at_dialogue` for every slot at once, in two queries."""
    ids = [p.id for p in people]
    seated = select(DialogueSession.starts_at, DialogueSession.ends_at).join(
        DialogueSeat, DialogueSeat.session_id == DialogueSession.id).where(
        DialogueSession.event_id == event.id, DialogueSeat.participation_id.in_(ids))
    moderating = select(DialogueSession.starts_at, DialogueSession.ends_at).join(
        DialogueTable, DialogueTable.session_id == DialogueSession.id).where(
        DialogueSession.event_id == event.id, DialogueTable.moderator_id.in_(ids),
        DialogueTable.seats.any())
    return [tuple(row) for query in (seated, moderating) for row in session.execute(query)]


def free_places(session: Session, event: Event,
                meeting: Meeting) -> list[tuple[Slot, list[Table]]]:
    """Where a meeting could move: slots where both people are free, with the free tables
    the stand rule allows there (spare tables last)."""
    return places_for_request(session, event, meeting.request, meeting=meeting)


def places_for_request(session: Session, event: Event, request: MeetingRequest, *,
                       meeting: Meeting | None = None) -> list[tuple[Slot, list[Table]]]:
    """Slots where both people of `request` are free (no other booking, no absence, no
    dialogue seat), earliest first, with the free tables the stand rule allows there.

    `meeting` is the request's own meeting, if it has one: its place does not count as
    taken by someone else, but is not offered either.
    """
    pair = (request.sender_id, request.recipient_id)
    own = meeting.id if meeting is not None else -1
    slots = list(session.scalars(select(Slot).where(Slot.event_id == event.id)
                                 .order_by(Slot.starts_at)))
    busy = set(session.scalars(select(Booking.slot_id).where(
        Booking.participation_id.in_(pair), Booking.meeting_id != own)))
    busy |= set(session.scalars(select(Absence.slot_id).where(
        Absence.participation_id.in_(pair))))
    dialogues = dialogue_times(session, event, (request.sender, request.recipient))
    candidates = [slot for slot in slots
                  if slot.id not in busy and not any(starts < slot.ends_at
                                                     and slot.starts_at < ends
                                                     for starts, ends in dialogues)]
    if not candidates:
        return []
    # only the places taken at times both are free: not every meeting of the event
    taken = {(s, t) for s, t in session.execute(
        select(Meeting.slot_id, Meeting.table_id).where(
            Meeting.event_id == event.id, Meeting.id != own,
            Meeting.slot_id.in_([slot.id for slot in candidates])))}
    if meeting is not None:
        taken.add((meeting.slot_id, meeting.table_id))
    owned = owned_tables(session, event, pair)
    tables = owned or list(session.scalars(
        select(Table).where(Table.event_id == event.id, Table.owner_id.is_(None))
        .order_by(Table.spare, Table.number)))
    out = []
    for slot in candidates:
        free = [t for t in tables if (slot.id, t.id) not in taken]
        if free:
            out.append((slot, free))
    return out


def move_meeting(session: Session, event: Event, meeting: Meeting, slot: Slot,
                 table: Table, *, notify: bool = True) -> Meeting:
    """Move a meeting by hand; it is locked there so that a re-solve keeps it."""
    clashes = move_clashes(session, event, meeting, slot, table)
    if clashes:
        field_name, message = clashes[0]
        raise DomainError(message, field=field_name)
    try:
        with session.begin_nested():
            # One statement, not a row-by-row delete: a concurrent move of the same meeting
            # may have replaced its bookings already.
            session.execute(delete(Booking).where(Booking.meeting_id == meeting.id))
            session.expire(meeting, ["bookings"])
            meeting.slot, meeting.table = slot, table
            meeting.sequence = (meeting.sequence or 0) + 1
            meeting.locked = True
            session.flush()
            publish.book(session, meeting)
            session.flush()
    except IntegrityError:
        raise DomainError(_("Someone else just took this place; pick another."),
                          field="table") from None
    if notify and event.schedule_published:
        notify_schedule_changed(session, event, [meeting.request.sender, meeting.request.recipient],
                                "changed")
    return meeting
