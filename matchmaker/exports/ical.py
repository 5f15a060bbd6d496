"""iCalendar output: a participant's agenda, the whole event, one table.

Pure module (no Flask): the builders take plain `Entry` rows, the three public
functions read them from the database. Calendar clients merge by UID, so UIDs are
derived from database ids and the host (`meeting-{id}@{host}`), never random; PRODID
is fixed; SEQUENCE follows `Meeting.sequence` so that a moved meeting replaces the
old one. Times carry the event's zone (TZID) and the calendar embeds the matching
VTIMEZONE. Text goes through icalendar, which escapes commas, semicolons and line
breaks, so names and messages cannot add properties.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Mapping

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import (DialogueSeat, DialogueSession, DialogueTable, Event, Meeting,
                      MeetingRequest, Participation, Phase, Table)
from ..timeutil import zone

PRODID = "-//matchmaker//Buyer meets Supplier//EN"
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """One VEVENT. `start` and `end` are aware datetimes (any zone)."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    sequence: int = 0
    last_modified: datetime | None = None
    categories: tuple[str, ...] = ()


def host_from_config(config: Mapping) -> str:
    """The host part of UIDs, the same for web downloads, feeds and CLI exports:
    CALENDAR_HOST, else SERVER_NAME, else "matchmaker.local" (never the request's host,
    which differs between addresses of one site)."""
    return config.get("CALENDAR_HOST") or config.get("SERVER_NAME") or "matchmaker.local"


def meeting_uid(meeting_id: int, host: str) -> str:
    return f"meeting-{meeting_id}@{host}"


def dialogue_seat_uid(seat_id: int, host: str) -> str:
    return f"dialogue-seat-{seat_id}@{host}"


def dialogue_session_uid(session_id: int, host: str) -> str:
    return f"dialogue-session-{session_id}@{host}"


def build_calendar(entries: Iterable[Entry], *, name: str, tz_name: str, uid: str,
                   stamp: datetime | None = None) -> icalendar.Calendar:
    """A VCALENDAR with one VEVENT per entry, times in `tz_name`, with its VTIMEZONE."""
    tz = zone(tz_name)
    stamp = (stamp or datetime.now(timezone.utc)).astimezone(timezone.utc)
    entries = sorted(entries, key=lambda e: (e.start, e.uid))
    # icalendar does not escape line breaks in the calendar NAME: keep it on one line.
    name = " ".join(name.split())
    cal = icalendar.Calendar.new(prodid=PRODID, name=name, uid=uid, refresh_interval=REFRESH)
    cal.add("X-WR-TIMEZONE", tz_name)
    cal.add("X-PUBLISHED-TTL", REFRESH)
    for entry in entries:
        vevent = icalendar.Event.new(
            uid=entry.uid, start=entry.start.astimezone(tz), end=entry.end.astimezone(tz),
            summary=entry.summary, sequence=entry.sequence, stamp=stamp,
            location=entry.location or None, description=entry.description or None,
            categories=list(entry.categories),
            last_modified=(entry.last_modified.astimezone(timezone.utc)
                           if entry.last_modified else None))
        vevent.add("STATUS", "CONFIRMED")
        cal.add_component(vevent)
    first, last = _date_range(entries, tz_name)
    cal.add_missing_timezones(first_date=first, last_date=last)
    return cal


def to_bytes(cal: icalendar.Calendar) -> bytes:
    return cal.to_ical()


def _date_range(entries: list[Entry], tz_name: str) -> tuple[date, date]:
    """Years around the entries: enough transitions for the VTIMEZONE, not fifty years."""
    if entries:
        year_first = entries[0].start.astimezone(zone(tz_name)).year
        year_last = entries[-1].end.astimezone(zone(tz_name)).year
    else:
        year_first = year_last = datetime.now(timezone.utc).year
    return date(year_first - 1, 1, 1), date(year_last + 2, 1, 1)


def _person(participation: Participation) -> str:
    return participation.display_name


def _meeting_location(table: Table) -> str:
    return f"Table {table.number}, {table.zone}" if table.zone else f"Table {table.number}"


def _meeting_entry(meeting: Meeting, host: str, viewer: Participation | None) -> Entry:
    request = meeting.request
    sender, recipient = request.sender, request.recipient
    if viewer is not None:
        other = recipient if viewer.id == sender.id else sender
        summary = f"Meeting with {_person(other)}"
        description = f"One-to-one meeting with {_person(other)}."
    else:
        summary = f"Meeting: {_person(sender)} and {_person(recipient)}"
        description = f"One-to-one meeting between {_person(sender)} and {_person(recipient)}."
    if request.message:
        description += f"\n\nRequest: {request.message}"
    return Entry(uid=meeting_uid(meeting.id, host), start=meeting.slot.starts_at,
                 end=meeting.slot.ends_at, summary=summary,
                 location=_meeting_location(meeting.table), description=description,
                 sequence=meeting.sequence, last_modified=meeting.updated_at,
                 categories=("One-to-one meeting",))


def _seat_entry(seat: DialogueSeat, host: str) -> Entry:
    table = seat.table
    dialogue = table.session
    title = dialogue.name or f"Market dialogue: {dialogue.product_group.name}"
    description = f"{title}. You sit on the {seat.side.value}s' side of table {table.label}."
    if table.moderator is not None:
        description += f" Moderator: {_person(table.moderator)}."
    return Entry(uid=dialogue_seat_uid(seat.id, host), start=dialogue.starts_at,
                 end=dialogue.ends_at, summary=f"{title}, table {table.label}",
                 location=f"Dialogue table {table.label}", description=description,
                 categories=("Market dialogue",))


def _dialogue_entry(dialogue: DialogueSession, host: str) -> Entry:
    title = dialogue.name or f"Market dialogue: {dialogue.product_group.name}"
    labels = ", ".join(t.label for t in dialogue.tables)
    return Entry(uid=dialogue_session_uid(dialogue.id, host), start=dialogue.starts_at,
                 end=dialogue.ends_at, summary=title,
                 location=f"Dialogue tables {labels}" if labels else "",
                 categories=("Market dialogue",))


def _meetings_query():
    return (select(Meeting).options(
        selectinload(Meeting.slot), selectinload(Meeting.table),
        selectinload(Meeting.request).selectinload(MeetingRequest.sender)
        .selectinload(Participation.user),
        selectinload(Meeting.request).selectinload(MeetingRequest.recipient)
        .selectinload(Participation.user)))


def participant_meetings(session: Session, participation: Participation) -> list[Meeting]:
    return list(session.scalars(
        _meetings_query().join(Meeting.request).where(
            Meeting.event_id == participation.event_id,
            (MeetingRequest.sender_id == participation.id)
            | (MeetingRequest.recipient_id == participation.id))))


def participant_seats(session: Session, participation: Participation) -> list[DialogueSeat]:
    return list(session.scalars(
        select(DialogueSeat).where(DialogueSeat.participation_id == participation.id)
        .options(selectinload(DialogueSeat.table).selectinload(DialogueTable.session))))


def participant_entries(session: Session, participation: Participation,
                        host: str) -> list[Entry]:
    """A participant's meetings and dialogue seats; nothing before the schedule is published."""
    if participation.event.phase is not Phase.PUBLISHED:
        return []
    entries = [_meeting_entry(m, host, participation)
               for m in participant_meetings(session, participation)]
    entries += [_seat_entry(s, host) for s in participant_seats(session, participation)]
    return entries


def participant_calendar(session: Session, participation: Participation, host: str, *,
                         stamp: datetime | None = None) -> bytes:
    event = participation.event
    cal = build_calendar(participant_entries(session, participation, host),
                         name=f"{event.name}: {participation.user.name}",
                         tz_name=event.timezone, stamp=stamp,
                         uid=f"agenda-{participation.id}@{host}")
    return to_bytes(cal)


def event_calendar(session: Session, event: Event, host: str, *,
                   stamp: datetime | None = None) -> bytes:
    """Every meeting and market dialogue of the event (the caller decides who may see it)."""
    meetings = session.scalars(_meetings_query().where(Meeting.event_id == event.id))
    entries = [_meeting_entry(m, host, None) for m in meetings]
    dialogues = session.scalars(select(DialogueSession).where(DialogueSession.event_id == event.id))
    entries += [_dialogue_entry(d, host) for d in dialogues]
    cal = build_calendar(entries, name=event.name, tz_name=event.timezone, stamp=stamp,
                         uid=f"event-{event.id}@{host}")
    return to_bytes(cal)


def table_calendar(session: Session, table: Table, host: str, *,
                   stamp: datetime | None = None) -> bytes:
    """The meetings at one table, for printing at or syncing to that table."""
    meetings = session.scalars(_meetings_query().where(Meeting.table_id == table.id))
    event = table.event
    cal = build_calendar([_meeting_entry(m, host, None) for m in meetings],
                         name=f"{event.name}: {table.label}", tz_name=event.timezone,
                         stamp=stamp, uid=f"table-{table.id}@{host}")
    return to_bytes(cal)
