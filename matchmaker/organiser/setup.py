"""Setting an event up: meeting blocks and their slots, tables."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from ..domain import DomainError
from ..models import Event, MeetingBlock, Slot, Table
from ..timeutil import local_to_utc


def slot_times(start: time, end: time, meeting_minutes: int,
               break_minutes: int) -> list[tuple[time, time]]:
    """Local (start, end) of every meeting that fits between start and end."""
    if meeting_minutes <= 0:
        raise DomainError("A meeting lasts at least one minute.", field="meeting_minutes")
    if break_minutes < 0:
        raise DomainError("A break cannot be negative.", field="break_minutes")
    if end <= start:
        raise DomainError("The block must end after it starts.", field="end_time")
    anchor = date(2000, 1, 1)
    cursor, stop = datetime.combine(anchor, start), datetime.combine(anchor, end)
    length, pause = timedelta(minutes=meeting_minutes), timedelta(minutes=break_minutes)
    times = []
    while cursor + length <= stop:
        times.append((cursor.time(), (cursor + length).time()))
        cursor += length + pause
    if not times:
        raise DomainError("No meeting fits in this block; make it longer or the meetings shorter.",
                          field="end_time")
    return times


def add_meeting_block(session: Session, event: Event, *, day: date, start: time, end: time,
                      meeting_minutes: int = 20, break_minutes: int = 5,
                      name: str = "") -> MeetingBlock:
    """Create a block of one-to-one meetings and its slots (stored in UTC)."""
    times = slot_times(start, end, meeting_minutes, break_minutes)
    for other in event.blocks:
        if other.day == day and other.start_time < end and start < other.end_time:
            raise DomainError(f"This block overlaps '{other.name or 'another block'}' "
                              f"({other.start_time:%H:%M}-{other.end_time:%H:%M}).",
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
        raise DomainError("Add at least one table.", field="count")
    taken = {t.number for t in event.tables}
    number = first_number or (max(taken) + 1 if taken else 1)
    tables = []
    while len(tables) < count:
        if number in taken:
            raise DomainError(f"Table {number} exists already.", field="first_number")
        table = Table(event=event, number=number, zone=zone)
        session.add(table)
        tables.append(table)
        number += 1
    session.flush()
    return tables
