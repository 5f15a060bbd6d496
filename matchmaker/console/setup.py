"""Setting an event up: the event, meeting blocks and their slots, tables, stands,
market-dialogue sessions and the booking phase."""
from __future__ import annotations

import re
from dataclasses import dataclass
import secrets
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import available_timezones

from flask_babel import gettext as _, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import DomainError
from ..models import (ContactVisibility, DialogueSeat, DialogueSession, DialogueTable, Event, JoinPolicy, Meeting,
                      MeetingBlock,
                      Participation, Phase, ProductGroup, Role, Slot, Table, User)
from ..timeutil import local_to_utc


def slot_times(start: time, end: time, meeting_minutes: int,
               break_minutes: int) -> list[tuple[time, time]]:
    """Local (start, end) of every meeting that fits between start and end."""
    if meeting_minutes <= 0:
        raise DomainError(_("A meeting lasts at least one minute."), field="meeting_minutes")
    if break_minutes < 0:
        raise DomainError(_("A break cannot be negative."), field="break_minutes")
    if end <= start:
        raise DomainError(_("The block must end after it starts."), field="end_time")
    anchor = date(2000, 1, 1)
    cursor, stop = datetime.combine(anchor, start), datetime.combine(anchor, end)
    length, pause = timedelta(minutes=meeting_minutes), timedelta(minutes=break_minutes)
    times = []
    while cursor + length <= stop:
        times.append((cursor.time(), (cursor + length).time()))
        cursor += length + pause
    if not times:
        raise DomainError(_("No meeting fits in this block; make it longer or the meetings "
                            "shorter."), field="end_time")
    return times


def add_meeting_block(session: Session, event: Event, *, day: date, start: time, end: time,
                      meeting_minutes: int = 20, break_minutes: int = 5,
                      name: str = "") -> MeetingBlock:
    """Create a block of one-to-one meetings and its slots (stored in UTC)."""
    times = slot_times(start, end, meeting_minutes, break_minutes)
    for other in event.blocks:
        if other.day == day and other.start_time < end and start < other.end_time:
            times_of = {"start": f"{other.start_time:%H:%M}", "end": f"{other.end_time:%H:%M}"}
            raise DomainError(
                _("This block overlaps '%(name)s' (%(start)s-%(end)s).", name=other.name,
                  **times_of) if other.name else
                _("This block overlaps another block (%(start)s-%(end)s).", **times_of),
                field="start_time")
    block = MeetingBlock(event=event, name=name, day=day, start_time=start, end_time=end,
                         meeting_minutes=meeting_minutes, break_minutes=break_minutes)
    session.add(block)
    for slot_start, slot_end in times:
        block.slots.append(Slot(event=event,
                                starts_at=local_to_utc(day, slot_start, event.timezone),
                                ends_at=local_to_utc(day, slot_end, event.timezone)))
    session.flush()
    return block


def add_tables(session: Session, event: Event, count: int, *, zone: str = "",
               first_number: int | None = None) -> list[Table]:
    if count <= 0:
        raise DomainError(_("Add at least one table."), field="count")
    taken = {t.number for t in event.tables}
    number = first_number or (max(taken) + 1 if taken else 1)
    tables = []
    while len(tables) < count:
        if number in taken:
            raise DomainError(_("Table %(number)s exists already.", number=number),
                              field="first_number")
        table = Table(event=event, number=number, zone=zone)
        session.add(table)
        tables.append(table)
        number += 1
    session.flush()
    return tables


# --- The event itself -------------------------------------------------------------------

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class PhaseMove:
    """An organiser's phase action: from which stages, to which, and what it does.

    A stage is a phase, or "live" / "published" for a published schedule with live
    booking on / off.
    """
    sources: tuple[str, ...]
    target: str
    label: LazyString
    effect: LazyString


PHASE_MOVES = {
    "open": PhaseMove(("draft",), "booking_open", _l("Open booking"),
                      _l("Participants can send and accept meeting requests.")),
    "close": PhaseMove(("booking_open",), "booking_closed", _l("Close booking"),
                       _l("No new requests or answers while you build the schedule; sent "
                          "requests wait. Publishing the schedule does not reopen booking.")),
    "reopen": PhaseMove(("booking_closed",), "booking_open", _l("Reopen booking"),
                        _l("Participants can send and accept meeting requests again.")),
    "live_on": PhaseMove(("published",), "live", _l("Open live booking"),
                         _l("Participants can send and accept requests again; an accepted "
                            "request gets a free time and table in the published schedule at "
                            "once, without a solver run.")),
    "live_off": PhaseMove(("live",), "published", _l("Close live booking"),
                          _l("No new requests or answers; the published schedule stays as it "
                             "is and participants keep their agendas.")),
    "end": PhaseMove(("booking_closed", "published", "live"), "over", _l("End the event"),
                     _l("Nothing can be requested, booked or changed any more; agendas and "
                        "calendar feeds stay readable.")),
    "resume": PhaseMove(("over",), "published", _l("Resume the event"),
                        _l("The event runs again with the schedule published and live booking "
                           "closed.")),
}


def phase_stage(event: Event) -> str:
    if event.phase is Phase.PUBLISHED:
        return "live" if event.live_booking else "published"
    return event.phase.value


PHASE_SUMMARIES = {
    "draft": _l("Participants cannot request meetings yet."),
    "booking_open": _l("Participants can request and accept meetings; the solver places "
                       "them when you publish a schedule."),
    "booking_closed": _l("Booking is closed: participants see their requests but cannot "
                         "send or answer them. Build and publish the schedule."),
    "live": _l("The schedule is published and booking is live: an accepted request is "
               "placed at once at a free time and table, and participants can move or cancel "
               "their meetings until you freeze changes."),
    "published": _l("The schedule is published; booking is closed. Participants see their "
                    "agendas and cannot send or answer requests."),
    "over": _l("The event is over: agendas and feeds stay readable; nothing can be booked."),
}


def phase_summary(event: Event) -> str:
    return str(PHASE_SUMMARIES[phase_stage(event)])


def phase_moves(event: Event) -> list[tuple[str, PhaseMove]]:
    """The phase actions open to the organiser now."""
    stage = phase_stage(event)
    return [(name, move) for name, move in PHASE_MOVES.items() if stage in move.sources]


def check_slug(session: Session, slug: str, *, event: Event | None = None) -> str:
    slug = slug.strip()
    if not slug or len(slug) > 80 or not SLUG_PATTERN.match(slug):
        raise DomainError(_("Use lowercase letters, digits and single hyphens, e.g. "
                            "'circular-days-2027'."), field="slug")
    query = select(Event.id).where(Event.slug == slug)
    if event is not None and event.id is not None:
        query = query.where(Event.id != event.id)
    if session.scalar(query) is not None:
        raise DomainError(_("Another event uses this address already; choose another."),
                          field="slug")
    return slug


def check_timezone(name: str) -> str:
    name = name.strip()
    if name not in available_zones():
        raise DomainError(_("Unknown time zone; use a name like 'Europe/Brussels'."),
                          field="timezone")
    return name


@lru_cache(maxsize=1)
def available_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def create_event(session: Session, *, creator: User, name: str, slug: str, timezone: str,
                 venue: str = "", description: str = "") -> Event:
    """A new event in draft; its creator becomes its organiser."""
    event = Event(name=_required(name, "name"), slug=check_slug(session, slug),
                  timezone=check_timezone(timezone), venue=venue.strip(),
                  description=description.strip(), phase=Phase.DRAFT)
    _flush_unique_slug(session, event)
    session.add(Participation(event=event, user=creator, role=Role.ORGANISER))
    session.flush()
    return event


def _flush_unique_slug(session: Session, event: Event) -> None:
    """Flush, reporting a slug taken by a concurrent request as a form error."""
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:
        raise DomainError(_("Another event uses this address already; choose another."),
                          field="slug") from None


def update_event(session: Session, event: Event, *, name: str, slug: str, timezone: str,
                 venue: str = "", description: str = "") -> Event:
    """Change the event's details. The time zone is fixed once slots exist: moving it
    would silently shift every meeting."""
    name = _required(name, "name")
    slug = check_slug(session, slug, event=event)
    timezone = check_timezone(timezone)
    if timezone != event.timezone and event.slots:
        raise DomainError(_("The time zone cannot change once meeting blocks exist; delete "
                            "the blocks first."), field="timezone")
    event.name, event.slug, event.timezone = name, slug, timezone
    event.venue, event.description = venue.strip(), description.strip()
    _flush_unique_slug(session, event)
    return event


def set_booking_rules(session: Session, event: Event, *, max_open_requests: int,
                      default_max_meetings: int, request_expiry_days: int | None) -> None:
    if max_open_requests < 0:
        raise DomainError(_("Cannot be negative."), field="max_open_requests")
    if default_max_meetings < 0:
        raise DomainError(_("Cannot be negative."), field="default_max_meetings")
    if request_expiry_days is not None and request_expiry_days < 1:
        raise DomainError(_("At least one day, or empty for requests that never expire."),
                          field="request_expiry_days")
    event.max_open_requests = max_open_requests
    event.default_max_meetings = default_max_meetings
    event.request_expiry_days = request_expiry_days
    session.flush()


def set_access(session: Session, event: Event, *, join_policy: JoinPolicy, join_code: str,
               contact_visibility: ContactVisibility) -> None:
    """Joining on the organiser's terms; a code policy without a code gets a fresh one."""
    code = " ".join(join_code.split())
    if join_policy is JoinPolicy.CODE and not code:
        code = secrets.token_urlsafe(6)
    if code and len(code) < 4:
        raise DomainError(_("At least 4 characters, or empty for a code made for you."),
                          field="join_code")
    event.join_policy = join_policy
    event.join_code = code
    event.contact_visibility = contact_visibility
    session.flush()


def move_phase(session: Session, event: Event, move: str) -> str:
    """Apply one of PHASE_MOVES; returns the new phase label.

    Publishing a schedule is what takes an event to "published" the first time; it
    keeps live booking on when booking was open then.
    """
    if move not in PHASE_MOVES:
        raise DomainError(_("Unknown action."))
    action = PHASE_MOVES[move]
    if phase_stage(event) not in action.sources:
        raise DomainError(_("'%(action)s' is not possible while the event is '%(current)s'.",
                            action=action.label, current=event.phase_label))
    if move == "open" and not event.slots:
        raise DomainError(_("Add at least one meeting block before opening booking."))
    if action.target in ("live", "published"):
        event.phase, event.live_booking = Phase.PUBLISHED, action.target == "live"
    else:
        event.phase = Phase(action.target)
        event.live_booking = False
    session.flush()
    return event.phase_label


def set_changes_frozen_from(session: Session, event: Event, moment: datetime | None) -> None:
    """From `moment` on, participants cannot place, move or cancel meetings themselves
    (None: never frozen)."""
    event.changes_frozen_from = moment
    session.flush()


def set_product_groups(session: Session, event: Event, groups: list[ProductGroup]) -> None:
    event.product_groups = sorted(set(groups), key=lambda g: g.sort_order)
    session.flush()


def _required(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("This field is required."), field=field)
    return value


# --- Blocks, tables, stands ---------------------------------------------------------------

def delete_meeting_block(session: Session, block: MeetingBlock) -> None:
    """Delete a block and its slots, unless a meeting uses one of them."""
    used = session.scalar(select(func.count()).select_from(Meeting)
                          .join(Slot, Meeting.slot_id == Slot.id)
                          .where(Slot.block_id == block.id))
    if used:
        raise DomainError(_("%(num)d meeting(s) are scheduled in this block; move or remove "
                            "them before deleting it.", num=used))
    session.delete(block)
    session.flush()


def add_table_batch(session: Session, event: Event, *, count: int, first_number: int | None,
                    zone: str = "", spare: bool = False) -> list[Table]:
    if count > 500:
        raise DomainError(_("Add at most 500 tables at a time."), field="count")
    if first_number is not None and first_number < 1:
        raise DomainError(_("Table numbers start at 1."), field="first_number")
    tables = add_tables(session, event, count, zone=zone.strip()[:80], first_number=first_number)
    for table in tables:
        table.spare = spare
    session.flush()
    return tables


def assign_stand(session: Session, table: Table, owner: Participation | None) -> None:
    """Make `table` the stand of a supplier (or a pooled table again with None)."""
    if owner is not None:
        if owner.event_id != table.event_id or owner.role is not Role.SUPPLIER:
            raise DomainError(_("Only a supplier of this event can own a stand."),
                              field="owner")
        other = session.scalar(select(Table).where(Table.owner_id == owner.id,
                                                   Table.id != table.id))
        if other is not None:
            raise DomainError(_("%(name)s has a stand already: table %(number)s.",
                                name=owner.display_name, number=other.number), field="owner")
    table.owner = owner
    if owner is not None:
        table.spare = False
    session.flush()


def delete_table(session: Session, table: Table) -> None:
    if session.scalar(select(func.count()).select_from(Meeting)
                      .where(Meeting.table_id == table.id)):
        raise DomainError(_("Table %(number)s has meetings; it cannot be deleted.",
                            number=table.number))
    session.delete(table)
    session.flush()


# --- Market dialogues --------------------------------------------------------------------

def add_dialogue_session(session: Session, event: Event, *, product_group: ProductGroup,
                         day: date, start: time, end: time, name: str = "") -> DialogueSession:
    if end <= start:
        raise DomainError(_("The session must end after it starts."), field="end_time")
    dialogue = DialogueSession(
        event=event, product_group=product_group, name=name.strip(),
        starts_at=local_to_utc(day, start, event.timezone),
        ends_at=local_to_utc(day, end, event.timezone))
    session.add(dialogue)
    session.flush()
    return dialogue


def add_dialogue_table(session: Session, dialogue: DialogueSession, *, label: str,
                       buyer_seats: int, supplier_seats: int,
                       moderator: Participation | None) -> DialogueTable:
    label = _required(label, "label")[:40]
    if buyer_seats < 1 or supplier_seats < 1:
        raise DomainError(_("A table has at least one seat on each side."),
                          field="buyer_seats")
    if buyer_seats + supplier_seats > 40:
        raise DomainError(_("At most 40 seats at one table."), field="buyer_seats")
    if any(t.label == label for t in dialogue.tables):
        raise DomainError(_("This session has a table with that label already."),
                          field="label")
    if moderator is not None and (moderator.event_id != dialogue.event_id or moderator.role
                                  not in (Role.FACILITATOR, Role.MODERATOR)):
        raise DomainError(_("The moderator must be a facilitator or moderator of this event."),
                          field="moderator")
    table = DialogueTable(session=dialogue, label=label, buyer_seats=buyer_seats,
                          supplier_seats=supplier_seats, moderator=moderator)
    session.add(table)
    session.flush()
    return table


def delete_dialogue_session(session: Session, dialogue: DialogueSession) -> None:
    if session.scalar(select(func.count()).select_from(DialogueSeat)
                      .where(DialogueSeat.session_id == dialogue.id)):
        raise DomainError(_("People are seated in this session; clear the seating plan "
                            "before deleting it."))
    session.delete(dialogue)
    session.flush()
