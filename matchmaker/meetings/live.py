"""Live booking: with the schedule published, an accepted request is placed at once.

No solver run: the meeting goes to a time both people are free (the one chosen, or the
earliest) at a free table of the right kind (the supplier's stand where there are
stands), found by the same rules as a hand move (`schedule.moves.places_for_request`).
The database's unique (slot, table) and (slot, participant) constraints are what
prevent a double booking when two people race for one place: the insert runs in a
savepoint, and the loser gets `PlaceTaken` with the next free times.

Meetings placed, moved or cancelled here are locked, like hand moves, so a later
solver run keeps them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..domain import DomainError, NotFound
from ..i18n import format_moment, in_language
from ..models import (Absence, Booking, Event, Meeting, MeetingRequest, Participation,
                      RequestStatus, Slot, Table)
from ..notifications import services as notifications
from ..schedule import moves
from . import rules

REASON_MAX = 300
SHOWN_TIMES = 5


@dataclass(frozen=True)
class FreeTime:
    slot: Slot
    tables: list[Table]


class PlaceTaken(DomainError):
    """The chosen time is not (or no longer) free; `times` are the next free ones."""

    def __init__(self, message: str, times: list[FreeTime], tz: str | None = None) -> None:
        if tz is not None:
            if times:
                shown = ", ".join(format_moment(t.slot.starts_at, tz)
                                  for t in times[:SHOWN_TIMES])
                message += " " + _("Next free times: %(times)s.", times=shown)
            else:
                message += " " + _("No other time is free for both of you.")
        super().__init__(message, field="slot")
        self.times = times


def free_times(session: Session, event: Event, request: MeetingRequest, now: datetime, *,
               meeting: Meeting | None = None) -> list[FreeTime]:
    """Times still to come when both people are free and a suitable table is, earliest
    first; for a meeting that has a time, the other times."""
    current = meeting.slot_id if meeting is not None else None
    return [FreeTime(slot, tables) for slot, tables in
            moves.places_for_request(session, event, request, meeting=meeting)
            if slot.starts_at > now and slot.id != current]


def _counterpart(request: MeetingRequest, me: Participation) -> Participation:
    return request.recipient if request.sender_id == me.id else request.sender


def _why_not_free(session: Session, event: Event, request: MeetingRequest, slot: Slot,
                  now: datetime, meeting: Meeting | None) -> str:
    """The clearest reason a time on offer a moment ago, or typed in, is not free."""
    when = format_moment(slot.starts_at, event.timezone)
    if slot.starts_at <= now:
        return _("%(when)s has passed.", when=when)
    own = meeting.id if meeting is not None else -1
    for person in (request.sender, request.recipient):
        if session.get(Absence, (person.id, slot.id)) is not None:
            return _("%(name)s is not available at %(when)s.", name=person.display_name,
                     when=when)
        if session.scalar(select(Booking.meeting_id).where(
                Booking.slot_id == slot.id, Booking.participation_id == person.id,
                Booking.meeting_id != own)) is not None:
            return _("%(name)s has another meeting at %(when)s.", name=person.display_name,
                     when=when)
        if moves.at_dialogue(session, event, person, slot):
            return _("%(name)s sits at a market dialogue at %(when)s.",
                     name=person.display_name, when=when)
    return _("No table is free at %(when)s any more.", when=when)


def _chosen(session: Session, event: Event, request: MeetingRequest, slot_id: int | None,
            now: datetime, meeting: Meeting | None = None) -> FreeTime | None:
    """The free time asked for (the earliest when `slot_id` is None); PlaceTaken if it is
    not free, None if no time at all is free."""
    times = free_times(session, event, request, now, meeting=meeting)
    if slot_id is None:
        return times[0] if times else None
    found = next((t for t in times if t.slot.id == slot_id), None)
    if found is not None:
        return found
    slot = session.get(Slot, slot_id)
    if slot is None or slot.event_id != event.id:
        raise PlaceTaken(_("This time is not one of the event's meeting times."), times,
                         event.timezone)
    if meeting is not None and slot.id == meeting.slot_id:
        raise PlaceTaken(_("The meeting is at that time already."), times, event.timezone)
    raise PlaceTaken(_why_not_free(session, event, request, slot, now, meeting), times,
                     event.timezone)


def _describe(event: Event, meeting: Meeting) -> dict[str, str]:
    return {"when": format_moment(meeting.slot.starts_at, event.timezone),
            "table": meeting.table.label}


def place(session: Session, event: Event, request: MeetingRequest, me: Participation,
          now: datetime, *, slot_id: int | None = None) -> Meeting | None:
    """Place an accepted request in the published schedule and tell both people.

    Returns the meeting, or None when the two have no free time in common left (the
    request stays accepted, for the organisers to place). Raises PlaceTaken when the
    chosen time is not free or was taken meanwhile; nothing is saved then.
    """
    refusal = rules.booking_refusal(event, now)
    if refusal:
        raise DomainError(refusal)
    if request.status is not RequestStatus.ACCEPTED:
        raise DomainError(_("Only accepted requests can be placed."))
    if session.scalar(select(Meeting.id).where(Meeting.request_id == request.id)) is not None:
        raise DomainError(_("This meeting has a time already."))
    choice = _chosen(session, event, request, slot_id, now)
    if choice is None:
        return None
    meeting = _insert(session, event, request, choice)
    if meeting is None:
        raise PlaceTaken(_("Someone took %(when)s a moment ago; choose another time.",
                           when=format_moment(choice.slot.starts_at, event.timezone)),
                         free_times(session, event, request, now), event.timezone)
    other = _counterpart(request, me)
    with in_language(other.user.language):
        text = _("%(name)s accepted: you meet on %(when)s at %(table)s.",
                 name=me.display_name, **_describe(event, meeting))
    notifications.queue(session, other, notifications.REQUEST_ACCEPTED, text, now)
    with in_language(me.user.language):
        text = _("Your meeting with %(name)s is on %(when)s at %(table)s.",
                 name=other.display_name, **_describe(event, meeting))
    notifications.queue(session, me, notifications.MEETING_BOOKED, text, now)
    notifications.deliver(session, [other.user_id, me.user_id], now)  # both in one pass
    return meeting


def _insert(session: Session, event: Event, request: MeetingRequest,
            choice: FreeTime) -> Meeting | None:
    """A meeting and both bookings at the first table of `choice` that is still free."""
    for table in choice.tables:
        try:
            with session.begin_nested():
                meeting = Meeting(event_id=event.id, request_id=request.id,
                                  slot_id=choice.slot.id, table_id=table.id, locked=True)
                for pid in (request.sender_id, request.recipient_id):
                    meeting.bookings.append(Booking(participation_id=pid,
                                                    slot_id=choice.slot.id))
                session.add(meeting)
                session.flush()
        except IntegrityError:
            continue
        set_committed_value(request, "meeting", meeting)  # known: no need to read it back
        return meeting
    return None


def find_meeting(session: Session, event: Event, meeting_id: int,
                 me: Participation) -> Meeting:
    """A meeting of this event that `me` takes part in; NotFound for anyone else."""
    meeting = session.scalar(select(Meeting).join(MeetingRequest).where(
        Meeting.id == meeting_id, Meeting.event_id == event.id,
        (MeetingRequest.sender_id == me.id) | (MeetingRequest.recipient_id == me.id)))
    if meeting is None:
        raise NotFound(_("This meeting does not exist."))
    return meeting


def move(session: Session, event: Event, meeting: Meeting, me: Participation,
         now: datetime, *, slot_id: int) -> Meeting:
    """Move a published meeting to another free time; the other person is told."""
    refusal = rules.change_refusal(event, now) or (
        None if event.is_live else _("Booking is closed: ask the organisers to move the "
                                     "meeting."))
    if refusal:
        raise DomainError(refusal)
    if meeting.slot.starts_at <= now:
        raise DomainError(_("This meeting has started or is over; it cannot move."))
    request = meeting.request
    choice = _chosen(session, event, request, slot_id, now, meeting=meeting)
    assert choice is not None  # slot_id given: a time, or PlaceTaken
    for table in choice.tables:
        try:
            moves.move_meeting(session, event, meeting, choice.slot, table, notify=False)
        except DomainError:
            continue
        break
    else:
        raise PlaceTaken(_("Someone took %(when)s a moment ago; choose another time.",
                           when=format_moment(choice.slot.starts_at, event.timezone)),
                         free_times(session, event, request, now, meeting=meeting), event.timezone)
    other = _counterpart(request, me)
    with in_language(other.user.language):
        text = _("%(name)s moved your meeting to %(when)s at %(table)s.",
                 name=me.display_name, **_describe(event, meeting))
    notifications.notify(session, other, notifications.MEETING_MOVED, text, now)
    return meeting


def cancel(session: Session, event: Event, meeting: Meeting, me: Participation,
           now: datetime, *, reason: str) -> MeetingRequest:
    """Cancel a published meeting with a reason; its place is free again and the other
    person is told why."""
    refusal = rules.change_refusal(event, now)
    if refusal:
        raise DomainError(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tell the other person why you cancel."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep the reason under %(max)d characters.", max=REASON_MAX),
                          field="reason")
    if meeting.slot.starts_at <= now:
        raise DomainError(_("This meeting has started or is over; it cannot be cancelled "
                            "here."))
    request = meeting.request
    other = _counterpart(request, me)
    with in_language(other.user.language):
        text = _("%(name)s cancelled your meeting on %(when)s. Reason: %(reason)s",
                 name=me.display_name, when=format_moment(meeting.slot.starts_at,
                                                          event.timezone), reason=reason)
    session.delete(meeting)
    request.status = RequestStatus.CANCELLED
    request.decline_reason = reason
    request.responded_at = now
    session.flush()
    notifications.notify(session, other, notifications.REQUEST_CANCELLED, text, now)
    return request
