"""My agenda and my availability: what a participant sees and sets for themselves."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import groupby

from flask_babel import gettext as _, ngettext
from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain import DomainError
from ..exports import ical
from ..i18n import format_day, group_name
from ..models import (Absence, DialogueSession, Event, Meeting, MeetingBlock, MeetingRequest,
                      MeetingStatus, Participation, Phase, RequestStatus, Slot, Table)
from ..models.people import new_token
from ..timeutil import to_local

AVAILABILITY_PHASES = (Phase.DRAFT, Phase.BOOKING_OPEN)


@dataclass(frozen=True)
class AgendaItem:
    """One line of the agenda, in the event's time zone."""

    kind: str  # "meeting" or "dialogue"
    start: datetime
    end: datetime
    title: str
    where: str
    counterpart: Participation | None = None
    detail: str = ""
    meeting_id: int | None = None


@dataclass(frozen=True)
class AgendaDay:
    day: date
    items: list[AgendaItem]


def _both_sides(path=None) -> list:
    """Loader options for a request's sender and recipient with names and organisations,
    joined into the query that loads the requests (all many-to-one: no extra rows)."""
    return [(path.joinedload(side) if path is not None else joinedload(side)).options(
                joinedload(Participation.user), joinedload(Participation.organisation))
            for side in (MeetingRequest.sender, MeetingRequest.recipient)]


def _with_people(stmt):
    return stmt.options(*_both_sides())


# The agenda's queries are built once, with the reader as a parameter: building them with
# their loader options on every view cost more than running them.

def _accepted(me_id):
    return (select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.ACCEPTED,
        or_(MeetingRequest.sender_id == me_id, MeetingRequest.recipient_id == me_id))
        .order_by(MeetingRequest.priority.desc(), MeetingRequest.responded_at))


@lru_cache(maxsize=2)
def _accepted_statement(unscheduled: bool):
    statement = _with_people(_accepted(bindparam("me")))
    return statement.where(~MeetingRequest.meeting.has()) if unscheduled else statement


def accepted_requests(session: Session, me: Participation) -> list[MeetingRequest]:
    return list(session.scalars(_accepted_statement(False), {"me": me.id}))


def unscheduled_requests(session: Session, me: Participation) -> list[MeetingRequest]:
    """Accepted requests the published schedule has no meeting for."""
    return list(session.scalars(_accepted_statement(True), {"me": me.id}))


def counterpart(request: MeetingRequest, me: Participation) -> Participation:
    return request.recipient if request.sender_id == me.id else request.sender


@lru_cache(maxsize=1)
def _meetings_statement():
    me = bindparam("me")
    return (select(Meeting).join(Meeting.request).where(
        Meeting.event_id == bindparam("event_id"), Meeting.status != MeetingStatus.NO_SHOW,
        or_(MeetingRequest.sender_id == me, MeetingRequest.recipient_id == me))
        .options(joinedload(Meeting.slot), joinedload(Meeting.table),
                 *_both_sides(joinedload(Meeting.request))))


def agenda_days(session: Session, me: Participation) -> list[AgendaDay]:
    """Meetings and dialogue seats of a published schedule, in time order, by day."""
    tz = me.event.timezone
    items = []
    meetings = session.scalars(_meetings_statement(), {"me": me.id, "event_id": me.event_id})
    for meeting in meetings:
        other = counterpart(meeting.request, me)
        items.append(AgendaItem(
            kind="meeting", start=to_local(meeting.slot.starts_at, tz),
            end=to_local(meeting.slot.ends_at, tz), title=other.user.name,
            where=table_label(meeting.table), counterpart=other,
            detail=other.organisation.name if other.organisation else "",
            meeting_id=meeting.id))
    for seat in ical.participant_seats(session, me):
        dialogue = seat.table.session
        items.append(AgendaItem(
            kind="dialogue", start=to_local(dialogue.starts_at, tz),
            end=to_local(dialogue.ends_at, tz),
            title=dialogue.name or _("Market dialogue: %(group)s",
                                     group=group_name(dialogue.product_group)),
            where=_("Dialogue table %(table)s", table=seat.table.label),
            detail=seat.side.label))
    items.sort(key=lambda item: (item.start, item.kind))
    return [AgendaDay(day=day, items=list(group))
            for day, group in groupby(items, key=lambda item: item.start.date())]


@dataclass(frozen=True)
class NowNext:
    """On an event day: what the participant is in now and where they go next (today)."""

    current: AgendaItem | None
    upcoming: AgendaItem | None


def event_days(session: Session, event: Event) -> set[date]:
    """Days of the event in its own zone: meeting blocks and market dialogues."""
    days = set(session.scalars(select(MeetingBlock.day).where(MeetingBlock.event_id == event.id)))
    starts = session.scalars(select(DialogueSession.starts_at)
                             .where(DialogueSession.event_id == event.id))
    return days | {to_local(start, event.timezone).date() for start in starts}


def now_and_next(days: list[AgendaDay], on_event_days: set[date], now: datetime,
                 tz: str) -> NowNext | None:
    """None unless today, in the event's zone, is an event day. `days` as agenda_days."""
    today = to_local(now, tz).date()
    if today not in on_event_days and all(day.day != today for day in days):
        return None
    items = next((day.items for day in days if day.day == today), [])
    current = next((item for item in items if item.start <= now < item.end), None)
    upcoming = next((item for item in items if item.start >= now and item is not current), None)
    return NowNext(current=current, upcoming=upcoming)


def table_label(table: Table) -> str:
    """'Table 4 (Hall B)' in the reader's language."""
    if table.zone:
        return _("Table %(number)d (%(zone)s)", number=table.number, zone=table.zone)
    return _("Table %(number)d", number=table.number)


def rotate_feed_token(session: Session, me: Participation) -> str:
    """A new private feed address; the old one stops working at once."""
    me.feed_token = new_token()
    session.flush()
    return me.feed_token


def participation_by_feed_token(session: Session, token: str) -> Participation | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Participation).where(Participation.feed_token == token))


@dataclass(frozen=True)
class BlockSlots:
    block: MeetingBlock
    label: str
    slots: list[tuple[Slot, str]]  # slot and its local "HH:MM–HH:MM"


def availability_grid(session: Session, event: Event) -> list[BlockSlots]:
    tz = event.timezone
    blocks = session.scalars(select(MeetingBlock).where(MeetingBlock.event_id == event.id)
                             .order_by(MeetingBlock.day, MeetingBlock.start_time)
                             .options(selectinload(MeetingBlock.slots)))
    grid = []
    for block in blocks:
        name = block.name or _("One-to-one meetings")
        grid.append(BlockSlots(
            block=block, label=f"{format_day(block.day)}: {name}",
            slots=[(slot, _clock_range(slot, tz)) for slot in block.slots]))
    return grid


def _clock_range(slot: Slot, tz: str) -> str:
    return f"{to_local(slot.starts_at, tz):%H:%M}–{to_local(slot.ends_at, tz):%H:%M}"


def absent_slot_ids(session: Session, me: Participation) -> set[int]:
    return set(session.scalars(select(Absence.slot_id).where(Absence.participation_id == me.id)))


def set_availability(session: Session, me: Participation, *, available_slot_ids: set[int],
                     max_meetings: int | None) -> None:
    """Store the slots a participant cannot meet in as absences, and their meeting cap."""
    event = me.event
    if event.phase not in AVAILABILITY_PHASES:
        raise DomainError(_("The schedule is being made: ask the organisers to change your "
                            "availability."))
    slot_ids = set(session.scalars(select(Slot.id).where(Slot.event_id == event.id)))
    unknown = available_slot_ids - slot_ids
    if unknown:
        raise DomainError(_("Some of the chosen times are not part of this event."),
                          field="slots")
    if max_meetings is not None and not 0 <= max_meetings <= event.default_max_meetings:
        raise DomainError(ngettext("Choose between 0 and %(num)d meeting.",
                                   "Choose between 0 and %(num)d meetings.",
                                   event.default_max_meetings), field="max_meetings")
    wanted_absent = slot_ids - available_slot_ids
    current = absent_slot_ids(session, me)
    if current - wanted_absent:
        session.execute(delete(Absence).where(Absence.participation_id == me.id,
                                              Absence.slot_id.in_(current - wanted_absent)))
    for slot_id in sorted(wanted_absent - current):
        session.add(Absence(participation_id=me.id, slot_id=slot_id))
    me.max_meetings = max_meetings
    session.flush()
    session.expire(me, ["absences"])


def stand_of(session: Session, me: Participation) -> Table | None:
    return session.scalar(select(Table).where(Table.owner_id == me.id))
