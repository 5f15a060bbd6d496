"""The market-dialogue problem and its plan, as frozen dataclasses.

They mirror the `matchmaker-dialogue/1` and `matchmaker-dialogue-plan/1` formats
(shared/formats/README.md, section 2). Reading and writing JSON lives in
`formats.py`; these classes carry no I/O and no validation beyond their types.

Interpretations the formats leave open, kept in one place:

- Table ids are unique within a session; a seat names its session and table.
- A participant holds at most one seat per product group: a group's sessions in
  several rounds are repeats of one dialogue, and `unseated` speaks of an interest
  that "got no seat", one seat per interest.
- A moderator leads its table and is not seated there: it does not count towards
  the sides, the minimums or `max_per_organisation`.
- A participant without an organisation is an organisation of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

DIALOGUE_FORMAT = "matchmaker-dialogue/1"
PLAN_FORMAT = "matchmaker-dialogue-plan/1"

ROLES = ("buyer", "supplier", "facilitator")
SIDES = ("buyer", "supplier")
STATUSES = ("optimal", "feasible", "infeasible", "unknown")


@dataclass(frozen=True)
class DialogueTable:
    id: str
    buyer_seats: int
    supplier_seats: int
    moderator: str | None = None  # participant id


@dataclass(frozen=True)
class Session:
    id: str
    product_group: str
    start: datetime  # naive local time of the event's time zone
    end: datetime
    tables: tuple[DialogueTable, ...] = ()

    def overlaps(self, other: "Session") -> bool:
        return overlaps(self.start, self.end, other.start, other.end)


@dataclass(frozen=True)
class DialogueParticipant:
    id: str
    role: str  # buyer | supplier | facilitator
    organisation: str | None = None
    interests: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def org_key(self) -> str:
        """The organisation for `max_per_organisation`; alone if it names none."""
        return self.organisation if self.organisation is not None else "\0" + self.id

    def sides(self) -> tuple[str, ...]:
        """Sides of a table this participant may sit on."""
        return SIDES if self.role == "facilitator" else (self.role,)


@dataclass(frozen=True)
class Rules:
    min_buyers: int = 1
    min_suppliers: int = 1
    max_per_organisation: int | None = 1  # None: no limit


@dataclass(frozen=True)
class DialogueProblem:
    sessions: tuple[Session, ...]
    participants: tuple[DialogueParticipant, ...]
    rules: Rules = Rules()
    event_name: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True)
class Seat:
    participant: str
    session: str
    table: str
    side: str  # buyer | supplier


@dataclass(frozen=True)
class ClosedTable:
    """A table that stayed closed; `code` and `params` are the reason as data (see
    `reasons.describe`), `reason` its English rendering."""
    session: str
    table: str
    reason: str = ""
    code: str = ""
    params: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Unseated:
    """An interest that got no seat, with its reason as for `ClosedTable`."""
    participant: str
    product_group: str
    reason: str
    code: str = ""
    params: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Plan:
    status: str  # optimal | feasible | infeasible | unknown
    seats: tuple[Seat, ...]
    closed_tables: tuple[ClosedTable, ...] = ()
    unseated: tuple[Unseated, ...] = ()
    stats: Mapping[str, object] = field(default_factory=dict, hash=False)


def overlaps(start_a: datetime, end_a: datetime, start_b: datetime, end_b: datetime) -> bool:
    """Half-open intervals: a session ending at 10:45 does not overlap one starting then."""
    return start_a < end_b and start_b < end_a
