"""iCalendar output: a participant's agenda, the whole event, one table.

Pure module (no Flask): the builders take plain `Entry` rows, the three public
functions read them from the database. Calendar clients merge by UID, so UIDs are
derived from database ids and the host (`meeting-{id}@{host}`), never random; PRODID
is fixed; SEQUENCE follows `Meeting.sequence` so that a moved meeting replaces the
old one. Times carry the event's zone (TZID) and the calendar embeds the matching
VTIMEZONE. Text goes through icalendar, which escapes commas, semicolons and line
breaks, so names and messages cannot add properties.

The words of the entries follow the current language; a participant's own calendar
(download or subscription) is written in that participant's saved language.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Mapping

import icalendar
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..i18n import group_name, in_language
from ..models import (DialogueSeat, DialogueSession, DialogueTable, Event, Meeting,
                      MeetingRequest, MeetingStatus, Participation, Side, Table)
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
    status: str = "CONFIRMED"  # CANCELLED for a no-show: calendar apps drop it


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
    cal = icalendar.Calendar.new(prodid=PRODID, name=name, uid=uid)
    # RFC 7986 asks for VALUE=DURATION on REFRESH-INTERVAL; icalendar leaves it out.
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-WR-TIMEZONE", tz_name)
    # An X- property is text to icalendar: hand it the DURATION ("PT1H"), not "1:00:00".
    cal.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH))
    for entry in entries:
        vevent = icalendar.Event.new(
            uid=entry.uid, start=entry.start.astimezone(tz), end=entry.end.astimezone(tz),
            summary=entry.summary, sequence=entry.sequence, stamp=stamp,
            location=entry.location or None, description=entry.description or None,
            categories=list(entry.categories),
            last_modified=(entry.last_modified.astimezone(timezone.utc)
                           if entry.last_modified else None))
        vevent.add("STATUS", entry.status)
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


def _place(event: Event) -> str:
    """Where the event is: its venue, else its name, so a calendar entry read on its
    own still says which building the table is in."""
    return " ".join((event.venue or event.name).split())


def _meeting_location(table: Table) -> str:
    if table.zone:
        where = _("Table %(number)d, %(zone)s", number=table.number, zone=table.zone)
    else:
        where = _("Table %(number)d", number=table.number)
    return f"{where}, {_place(table.event)}"


def _meeting_entry(meeting: Meeting, host: str, viewer: Participation | None) -> Entry:
    request = meeting.request
    sender, recipient = request.sender, request.recipient
    if viewer is not None:
        other = recipient if viewer.id == sender.id else sender
        summary = _("Meeting with %(name)s", name=_person(other))
        description = _("One-to-one meeting with %(name)s.", name=_person(other))
    else:
        summary = _("Meeting: %(first)s and %(second)s", first=_person(sender),
                    second=_person(recipient))
        description = _("One-to-one meeting between %(first)s and %(second)s.",
                        first=_person(sender), second=_person(recipient))
    if request.message:
        description += "\n\n" + _("Request: %(message)s", message=request.message)
    return Entry(uid=meeting_uid(meeting.id, host), start=meeting.slot.starts_at,
                 end=meeting.slot.ends_at, summary=summary,
                 location=_meeting_location(meeting.table), description=description,
                 sequence=meeting.sequence, last_modified=meeting.updated_at,
                 categories=(_("One-to-one meeting"),),
                 status="CANCELLED" if meeting.status is MeetingStatus.NO_SHOW else "CONFIRMED")


def _dialogue_title(dialogue: DialogueSession) -> str:
    return dialogue.name or _("Market dialogue: %(group)s",
                              group=group_name(dialogue.product_group))


def _seat_entry(seat: DialogueSeat, host: str) -> Entry:
    table = seat.table
    dialogue = table.session
    title = _dialogue_title(dialogue)
    description = (
        _("%(title)s. You sit on the buyers' side of table %(table)s.",
          title=title, table=table.label) if seat.side is Side.BUYER else
        _("%(title)s. You sit on the suppliers' side of table %(table)s.",
          title=title, table=table.label))
    if table.moderator is not None:
        description += " " + _("Moderator: %(name)s.", name=_person(table.moderator))
    where = _("Dialogue table %(table)s", table=table.label)
    return Entry(uid=dialogue_seat_uid(seat.id, host), start=dialogue.starts_at,
                 end=dialogue.ends_at,
                 summary=_("%(title)s, table %(table)s", title=title, table=table.label),
                 location=f"{where}, {_place(dialogue.event)}",
                 description=description, categories=(_("Market dialogue"),))


def _dialogue_entry(dialogue: DialogueSession, host: str) -> Entry:
    title = _dialogue_title(dialogue)
    labels = ", ".join(t.label for t in dialogue.tables)
    where = _("Dialogue tables %(tables)s", tables=labels) if labels else ""
    return Entry(uid=dialogue_session_uid(dialogue.id, host), start=dialogue.starts_at,
                 end=dialogue.ends_at, summary=title,
                 location=", ".join(filter(None, (where, _place(dialogue.event)))),
                 categories=(_("Market dialogue"),))


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
    if not participation.event.schedule_published:
        return []
    entries = [_meeting_entry(m, host, participation)
               for m in participant_meetings(session, participation)]
    entries += [_seat_entry(s, host) for s in participant_seats(session, participation)]
    return entries


def participant_calendar(session: Session, participation: Participation, host: str, *,
                         stamp: datetime | None = None) -> bytes:
    """In the participant's saved language, else the current one (a subscription has
    no signed-in user, so a saved choice is what it can go by)."""
    event = participation.event
    language = participation.user.language
    with in_language(language) if language else nullcontext():
        entries = participant_entries(session, participation, host)
    cal = build_calendar(entries, name=f"{event.name}: {participation.user.name}",
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
