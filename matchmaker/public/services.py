"""What the public pages show: events, their programme and their numbers."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (DialogueSession, Event, Listing, ListingKind, Meeting, MeetingRequest,
                      Participation, Phase, RequestStatus, Role, Slot)
from ..i18n import format_day, group_name
from ..timeutil import format_time, to_local


@dataclass(frozen=True)
class EventCounts:
    buyers: int
    suppliers: int
    facilitators: int
    organisations: int
    offers: int
    queries: int
    requests: int
    accepted: int
    meetings: int


def list_events(session: Session) -> list[Event]:
    """The events the public sees: drafts are their organisers' until booking opens."""
    return list(session.scalars(select(Event).where(Event.phase != Phase.DRAFT)
                                .order_by(Event.created_at.desc())))


def event_by_slug(session: Session, slug: str) -> Event | None:
    return session.scalar(select(Event).where(Event.slug == slug))


def event_counts(session: Session, event: Event) -> EventCounts:
    roles = dict(session.execute(
        select(Participation.role, func.count()).where(Participation.event_id == event.id)
        .group_by(Participation.role)).all())
    kinds = dict(session.execute(
        select(Listing.kind, func.count()).where(Listing.event_id == event.id)
        .group_by(Listing.kind)).all())
    statuses = dict(session.execute(
        select(MeetingRequest.status, func.count()).where(MeetingRequest.event_id == event.id)
        .group_by(MeetingRequest.status)).all())
    organisations = session.scalar(
        select(func.count(func.distinct(Participation.organisation_id)))
        .where(Participation.event_id == event.id)) or 0
    meetings = session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.event_id == event.id)) or 0
    return EventCounts(
        buyers=roles.get(Role.BUYER, 0), suppliers=roles.get(Role.SUPPLIER, 0),
        facilitators=roles.get(Role.FACILITATOR, 0), organisations=organisations,
        offers=kinds.get(ListingKind.OFFER, 0), queries=kinds.get(ListingKind.QUERY, 0),
        requests=sum(statuses.values()), accepted=statuses.get(RequestStatus.ACCEPTED, 0),
        meetings=meetings)


@dataclass(frozen=True)
class ProgrammeItem:
    start: str
    end: str
    title: str
    detail: str


@dataclass(frozen=True)
class ProgrammeDay:
    label: str
    items: list[ProgrammeItem]


def programme(session: Session, event: Event) -> list[ProgrammeDay]:
    """The event's day-by-day programme: meeting blocks and market dialogues, local time,
    in the language of the request."""
    tz = event.timezone
    entries = []
    for block in event.blocks:
        slots = [s for s in block.slots]
        if not slots:
            continue
        start, end = to_local(slots[0].starts_at, tz), to_local(slots[-1].ends_at, tz)
        entries.append((start, end, block.name or _("One-to-one meetings"),
                        ngettext("%(num)d meeting of %(minutes)d minutes",
                                 "%(num)d meetings of %(minutes)d minutes", len(slots),
                                 minutes=block.meeting_minutes)))
    dialogues = session.scalars(select(DialogueSession).where(
        DialogueSession.event_id == event.id).order_by(DialogueSession.starts_at))
    for dialogue in dialogues:
        tables = len(dialogue.tables)
        entries.append((to_local(dialogue.starts_at, tz), to_local(dialogue.ends_at, tz),
                        dialogue.name or _("Market dialogue: %(group)s",
                                              group=group_name(dialogue.product_group)),
                        ngettext("%(num)d table", "%(num)d tables", tables)))
    entries.sort(key=lambda e: (e[0], e[2]))
    days = []
    for day, items in groupby(entries, key=lambda e: e[0].date()):
        days.append(ProgrammeDay(
            label=format_day(day),
            items=[ProgrammeItem(format_time(s), format_time(e), t, d)
                   for s, e, t, d in items]))
    return days


def slot_count(session: Session, event: Event) -> int:
    return session.scalar(select(func.count()).select_from(Slot)
                          .where(Slot.event_id == event.id)) or 0
