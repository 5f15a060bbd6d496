"""The one-to-one meeting problem and its schedule, as frozen dataclasses.

They mirror the `matchmaker-instance/1` and `matchmaker-schedule/1` formats
(the contract in shared/formats/README.md). Reading and writing JSON lives in `formats.py`; these
classes carry no I/O and no validation beyond their types.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

INSTANCE_FORMAT = "matchmaker-instance/1"
SCHEDULE_FORMAT = "matchmaker-schedule/1"


@dataclass(frozen=True)
class Slot:
    id: str
    start: datetime  # naive local time of the event's time zone
    end: datetime


@dataclass(frozen=True)
class Table:
    id: str


@dataclass(frozen=True)
class Participant:
    id: str
    role: str = "buyer"
    available: frozenset[str] | None = None  # None: every slot
    max_meetings: int | None = None
    table: str | None = None  # own table (a supplier's stand)


@dataclass(frozen=True)
class Placement:
    slot: str
    table: str | None = None  # None in a pin: any allowed table


@dataclass(frozen=True)
class Meeting:
    id: str
    participants: tuple[str, str]
    priority: int = 1
    available: frozenset[str] | None = None  # None: every slot
    fixed: Placement | None = None
    previous: Placement | None = None


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    tables: tuple[Table, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    event_name: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True)
class Assignment:
    meeting: str
    slot: str
    table: str


@dataclass(frozen=True)
class Unscheduled:
    """A meeting left out. `code` and `params` are the reason as data (see
    `reasons.REASON_CODES`), for rendering in any language; `reason` is its
    English rendering (or, from a schedule file without a code, the text it had)."""
    meeting: str
    reason: str
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Schedule:
    status: str  # optimal | feasible | infeasible | unknown
    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...]
    stats: dict = field(default_factory=dict)
