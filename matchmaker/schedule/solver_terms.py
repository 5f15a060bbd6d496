"""How the database's rows appear to the solver packages.

Solver ids are derived from database ids, so a draft, an exported instance and an
imported schedule all name the same things: slot `s<slot id>`, table `T<number>`,
participant `p<participation id>`, meeting `r<request id>` (a meeting is an accepted
request), dialogue session `d<id>`, dialogue table `t<id>`, organisation `o<id>`.
Times reach the solvers as wall-clock times in the event's zone, without a zone.
"""
from __future__ import annotations

from datetime import datetime

from ..models import Role
from ..timeutil import to_local

MEETING_ROLES = (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR)


def slot_key(slot_id: int) -> str:
    return f"s{slot_id}"


def table_key(number: int) -> str:
    return f"T{number}"


def person_key(participation_id: int) -> str:
    return f"p{participation_id}"


def meeting_key(request_id: int) -> str:
    return f"r{request_id}"


def blocker_key(meeting_id: int) -> str:
    return f"x{meeting_id}"


def dialogue_session_key(session_id: int) -> str:
    return f"d{session_id}"


def dialogue_table_key(table_id: int) -> str:
    return f"t{table_id}"


def parse_key(key: str, prefix: str) -> int | None:
    """The database id in a solver id like `s12`, or None if it is not one of ours."""
    if not key.startswith(prefix) or not key[len(prefix):].isdigit():
        return None
    return int(key[len(prefix):])


def naive_local(moment: datetime, tz_name: str) -> datetime:
    return to_local(moment, tz_name).replace(tzinfo=None)
