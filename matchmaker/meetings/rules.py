"""What the event's phase lets participants do now, and if not, why and until when.

One place for the answers, so that pages show only the actions the phase allows and a
refused action says the same as the page did.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import object_session

from ..i18n import format_moment
from ..models import Event, Phase, Slot


def _moment(event: Event, moment: datetime) -> str:
    return format_moment(moment, event.timezone)


def booking_refusal(event: Event, now: datetime) -> str | None:
    """Why requests cannot be sent or answered now, or None when they can."""
    if event.phase is Phase.DRAFT:
        return _("Booking has not opened yet: the organisers open it once the programme "
                 "is ready.")
    if event.phase is Phase.BOOKING_CLOSED:
        return _("Booking is closed while the organisers build the schedule. Requests "
                 "wait until they publish it and reopen booking.")
    if event.phase is Phase.OVER:
        return _("The event is over: meetings can no longer be requested.")
    if event.phase is Phase.PUBLISHED:
        if not event.live_booking:
            return _("Booking is closed: the schedule is published and the organisers have "
                     "not reopened booking.")
        refusal = change_refusal(event, now)
        if refusal:
            return refusal
        if not _times_to_come(event, now):
            return _("Every meeting time of the event has passed.")
    return None


@lru_cache(maxsize=1)
def _last_start_statement():
    return (select(Slot.starts_at).where(Slot.event_id == bindparam("event_id"))
            .order_by(Slot.starts_at.desc()).limit(1))


def _times_to_come(event: Event, now: datetime) -> bool:
    """Whether a meeting time of the event is still to come. Pages ask on every view,
    some twice: the last start is read once per transaction (one row, not every slot),
    unless the slots are loaded anyway."""
    session = object_session(event)
    if session is None or "slots" not in inspect(event).unloaded:
        return any(slot.starts_at > now for slot in event.slots)
    transaction = session.get_transaction()
    memo = session.info.setdefault("last_slot_start", {})
    known = memo.get(event.id)
    if known is None or transaction is None or known[0] is not transaction:
        last = session.scalar(_last_start_statement(), {"event_id": event.id})
        known = memo[event.id] = (session.get_transaction(), last)
    return known[1] is not None and known[1] > now


def change_refusal(event: Event, now: datetime) -> str | None:
    """Why participants cannot place, move or cancel published meetings now, or None."""
    if event.phase is Phase.OVER:
        return _("The event is over: meetings can no longer be changed.")
    if not event.schedule_published:
        return _("The schedule is not published yet.")
    if event.frozen_at(now):
        return _("The organisers froze changes on %(when)s (the agendas are printed). "
                 "Ask them at the desk.", when=_moment(event, event.changes_frozen_from))
    return None


def open_until(event: Event, now: datetime) -> datetime | None:
    """When self-service booking stops, if the organisers set a freeze ahead."""
    if event.changes_frozen_from is not None and event.changes_frozen_from > now:
        return event.changes_frozen_from
    return None
