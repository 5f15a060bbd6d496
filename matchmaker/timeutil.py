"""Times are stored in UTC and shown in the event's time zone."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def local_to_utc(day: date, clock: time, tz_name: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def format_time(moment: datetime, tz_name: str | None = None) -> str:
    """'10:30' on a 24-hour clock, in `tz_name` (a moment already local when None)."""
    return f"{to_local(moment, tz_name) if tz_name else moment:%H:%M}"


def zone_label(moment: datetime, tz_name: str) -> str:
    """'Europe/Brussels, CET' – the zone a time is shown in."""
    return f"{tz_name}, {to_local(moment, tz_name).tzname()}"
