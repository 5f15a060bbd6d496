"""On the day: check-in, held / no-show / cancelled meetings, filling freed slots from
the standby list.

A no-show keeps its meeting row (the record, and its table in that slot) but releases
both participants' bookings, so the one who came can meet someone else in that slot; its
`sequence` goes up and calendars show it cancelled, agendas and exports leave it out.
A cancellation deletes the meeting and cancels its request, which frees the table too.
Standby meetings go to any table that is free in the slot: spare tables first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import secrets

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..attendees.services import UNUSABLE_PREFIX
from ..domain import DomainError
from ..models import (Absence, Booking, Event, Meeting, MeetingRequest, MeetingStatus,
                      Participation, RequestStatus, Role, Slot, Table, User)
from ..profiles.services import organisation_named

STATUS_CHOICES = ("scheduled", "held", "no_show", "cancelled")


# --- Check-in ------------------------------------------------------------------------------

def check_in(session: Session, participation: Participation, *, now: datetime,
             undo: bool = False) -> None:
    participation.checked_in_at = None if undo else (participation.checked_in_at or now)
    session.flush()


# --- Walk-ins ------------------------------------------------------------------------------

WALK_IN_ROLES = (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR)


@dataclass(frozen=True)
class WalkIn:
    participation: Participation
    new_account: bool
    was_registered: bool


def register_walk_in(session: Session, event: Event, *, name: str, email: str,
                     organisation: str, role: Role, now: datetime,
                     language: str | None = None) -> WalkIn:
    """Register someone at the desk and check them in.

    A new account gets an unusable password (an invitation sets one, as for imported
    attendees); a known address keeps its account and password. Someone already
    registered for the event is only checked in: their role and organisation stay.
    """
    if role not in WALK_IN_ROLES:
        raise DomainError(_("Choose buyer, supplier or facilitator."), field="role")
    email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    new_account = user is None
    if user is None:
        user = User(email=email, name=" ".join(name.split()), language=language,
                    password_hash=UNUSABLE_PREFIX + secrets.token_hex(16))
        session.add(user)
        session.flush()
    participation = session.scalar(select(Participation).where(
        Participation.event_id == event.id, Participation.user_id == user.id))
    was_registered = participation is not None
    if participation is None:
        participation = Participation(event=event, user=user, role=role,
                                      organisation=organisation_named(session, organisation))
        session.add(participation)
        session.flush()
    check_in(session, participation, now=now)
    return WalkIn(participation=participation, new_account=new_account,
                  was_registered=was_registered)


def _partner_roles(role: Role) -> tuple[Role, ...]:
    return {Role.BUYER: (Role.SUPPLIER, Role.FACILITATOR),
            Role.SUPPLIER: (Role.BUYER, Role.FACILITATOR),
            Role.FACILITATOR: (Role.BUYER, Role.SUPPLIER)}.get(role, ())


def free_partners(session: Session, event: Event, slot: Slot,
                  person: Participation) -> list[Participation]:
    """Checked-in people of the other side who are free and available in `slot`, for a
    standby meeting with `person` (a walk-in); none when no table is free or `person`
    is busy."""
    booked = set(session.scalars(select(Booking.participation_id).where(
        Booking.slot_id == slot.id)))
    absent = set(session.scalars(select(Absence.participation_id).where(
        Absence.slot_id == slot.id)))
    if person.id in booked or person.id in absent or not free_tables(session, event, slot):
        return []
    people = session.scalars(
        select(Participation).join(User, Participation.user_id == User.id).where(
            Participation.event_id == event.id, Participation.checked_in_at.is_not(None),
            Participation.role.in_(_partner_roles(person.role)),
            Participation.id != person.id)
        .options(selectinload(Participation.user), selectinload(Participation.organisation))
        .order_by(User.name))
    return [p for p in people if p.id not in booked and p.id not in absent]


def book_walk_in(session: Session, event: Event, slot: Slot, person: Participation,
                 partner: Participation, *, now: datetime) -> Meeting:
    """A standby meeting of `person` with `partner` in `slot`, at the first suitable free
    table. The organiser arranges it at the desk, so the request is made accepted (or an
    open request between the two is accepted)."""
    if partner.event_id != event.id or person.event_id != event.id or partner.id == person.id:
        raise DomainError(_("Choose someone else of this event."))
    open_request = session.scalar(select(MeetingRequest).where(
        MeetingRequest.pair_low == min(person.id, partner.id),
        MeetingRequest.pair_high == max(person.id, partner.id),
        MeetingRequest.status.in_((RequestStatus.PENDING, RequestStatus.ACCEPTED))))
    if open_request is None:
        open_request = MeetingRequest(event_id=event.id, sender_id=person.id,
                                      recipient_id=partner.id, status=RequestStatus.ACCEPTED,
                                      responded_at=now)
        session.add(open_request)
        session.flush()
    elif open_request.status is RequestStatus.PENDING:
        open_request.status = RequestStatus.ACCEPTED
        open_request.responded_at = now
        session.flush()
    table = _table_for(free_tables(session, event, slot), open_request)
    if table is None:
        raise DomainError(_("No table is free in this slot."))
    return book_standby(session, event, slot, open_request, table)


# --- Meetings of a slot --------------------------------------------------------------------

def current_slot(event: Event, now: datetime) -> Slot | None:
    """The slot running now, else the next one, else the last one."""
    slots = list(event.slots)
    for slot in slots:
        if slot.ends_at > now:
            return slot
    return slots[-1] if slots else None


def meetings_in_slot(session: Session, slot: Slot) -> list[Meeting]:
    return list(session.scalars(
        select(Meeting).where(Meeting.slot_id == slot.id)
        .options(selectinload(Meeting.request).selectinload(MeetingRequest.sender),
                 selectinload(Meeting.request).selectinload(MeetingRequest.recipient),
                 selectinload(Meeting.table), selectinload(Meeting.bookings))
        .join(Table, Meeting.table_id == Table.id).order_by(Table.number)))


def set_meeting_status(session: Session, meeting: Meeting, status: str) -> Meeting | None:
    """Mark a meeting held, no-show, scheduled again, or cancelled (deleted).

    Returns the meeting, or None when it was cancelled.
    """
    if status not in STATUS_CHOICES:
        raise DomainError(_("Unknown meeting status."), field="status")
    request = meeting.request
    if status == "cancelled":
        request.status = RequestStatus.CANCELLED
        session.delete(meeting)
        session.flush()
        return None
    if status == "no_show":
        if meeting.status is not MeetingStatus.NO_SHOW:
            meeting.sequence = (meeting.sequence or 0) + 1  # calendars drop the entry
        meeting.status = MeetingStatus.NO_SHOW
        for booking in list(meeting.bookings):
            meeting.bookings.remove(booking)
        session.flush()
        return meeting
    if not meeting.bookings:
        _book_both(session, meeting, request)
    if meeting.status is MeetingStatus.NO_SHOW:
        meeting.sequence = (meeting.sequence or 0) + 1  # back in the calendars
    meeting.status = MeetingStatus(status)
    session.flush()
    return meeting


def _book_both(session: Session, meeting: Meeting, request: MeetingRequest) -> None:
    """Bookings for both participants; the unique (slot, participant) constraint refuses a
    clash, which is reported as a DomainError."""
    try:
        with session.begin_nested():
            for pid in (request.sender_id, request.recipient_id):
                session.add(Booking(meeting_id=meeting.id, participation_id=pid,
                                    slot_id=meeting.slot_id))
            session.flush()
    except IntegrityError:
        session.expire(meeting, ["bookings"])
        raise DomainError(_("One of the two participants has another meeting in this slot "
                            "now; the meeting cannot be restored.")) from None


# --- Standby list --------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    request: MeetingRequest
    table: Table


def free_tables(session: Session, event: Event, slot: Slot) -> list[Table]:
    """Tables without a meeting in `slot`: spare tables first, then pooled, then stands."""
    used = select(Meeting.table_id).where(Meeting.slot_id == slot.id)
    tables = session.scalars(select(Table).where(Table.event_id == event.id,
                                                 Table.id.not_in(used)))
    return sorted(tables, key=lambda t: (not t.spare, t.owner_id is not None, t.number))


def _table_for(tables: list[Table], request: MeetingRequest) -> Table | None:
    pair = {request.sender_id, request.recipient_id}
    own = [t for t in tables if t.owner_id in pair]
    if own:
        return own[0]
    return next((t for t in tables if t.owner_id is None), None)


def standby(session: Session, event: Event, slot: Slot, *, limit: int = 20) -> list[Candidate]:
    """Accepted requests without a meeting whose two participants are checked in, free
    and available in `slot`, each with the table it would get. Must-meet first, then the
    oldest request."""
    tables = free_tables(session, event, slot)
    if not tables:
        return []
    booked = set(session.scalars(select(Booking.participation_id).where(
        Booking.slot_id == slot.id)))
    absent = set(session.scalars(select(Absence.participation_id).where(
        Absence.slot_id == slot.id)))
    present = set(session.scalars(select(Participation.id).where(
        Participation.event_id == event.id, Participation.checked_in_at.is_not(None))))
    requests = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status == RequestStatus.ACCEPTED,
            ~exists().where(Meeting.request_id == MeetingRequest.id))
        .options(selectinload(MeetingRequest.sender), selectinload(MeetingRequest.recipient))
        .order_by(MeetingRequest.priority.desc(), MeetingRequest.created_at))
    found = []
    for request in requests:
        pair = (request.sender_id, request.recipient_id)
        if any(p in booked or p in absent or p not in present for p in pair):
            continue
        table = _table_for(tables, request)
        if table is None:
            continue
        found.append(Candidate(request=request, table=table))
        if len(found) >= limit:
            break
    return found


def book_standby(session: Session, event: Event, slot: Slot, request: MeetingRequest,
                 table: Table) -> Meeting:
    """Book `request` in `slot` at `table`: one Meeting and two Bookings, atomically.

    Clashes (the table or a participant taken meanwhile) are refused by the database's
    unique constraints and reported as a DomainError; nothing is saved then.
    """
    if slot.event_id != event.id or table.event_id != event.id or request.event_id != event.id:
        raise DomainError(_("This slot, table or request belongs to another event."))
    if request.status is not RequestStatus.ACCEPTED:
        raise DomainError(_("Only accepted requests can be booked."))
    if session.scalar(select(Meeting.id).where(Meeting.request_id == request.id)) is not None:
        raise DomainError(_("This request has a meeting already."))
    for who in (request.sender, request.recipient):
        if who.checked_in_at is None:
            raise DomainError(_("%(name)s has not checked in.", name=who.display_name))
    if table.owner_id is not None and table.owner_id not in (request.sender_id,
                                                             request.recipient_id):
        raise DomainError(_("Table %(number)s is another supplier's stand.",
                            number=table.number))
    try:
        with session.begin_nested():
            meeting = Meeting(event_id=event.id, request_id=request.id, slot_id=slot.id,
                              table_id=table.id, locked=True)
            session.add(meeting)
            session.flush()
            for pid in (request.sender_id, request.recipient_id):
                session.add(Booking(meeting_id=meeting.id, participation_id=pid,
                                    slot_id=slot.id))
            session.flush()
    except IntegrityError:
        raise DomainError(_("Table %(number)s or one of the two participants was booked in "
                            "this slot meanwhile; nothing was saved. Pick another proposal.",
                            number=table.number)) from None
    return meeting
