"""Read, validate and write `matchmaker-instance/1` and `matchmaker-schedule/1`.

The contract is shared/formats/README.md. Readers ignore fields they do not
know. Every problem in a file raises `InstanceError` (or `ScheduleError` for a
schedule file) with a message that says what is wrong and where, e.g.
``meetings[3] (id "m4"): participant "p9" is unknown``.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .domains import Domains
from .reasons import REASON_CODES, describe
from .problem import (
    INSTANCE_FORMAT,
    SCHEDULE_FORMAT,
    Assignment,
    Meeting,
    Participant,
    Placement,
    Problem,
    Schedule,
    Slot,
    Table,
    Unscheduled,
)

STATUSES = ("optimal", "feasible", "infeasible", "unknown")


class FormatError(ValueError):
    """A solver file is broken; the message names the problem and where it is."""


class InstanceError(FormatError):
    """A `matchmaker-instance/1` file or problem is not valid."""


class ScheduleError(FormatError):
    """A `matchmaker-schedule/1` file is not well formed."""


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


class _Reader:
    def __init__(self, error: type[FormatError]) -> None:
        self.error = error

    def fail(self, where: str, message: str) -> None:
        raise self.error(f"{where}: {message}" if where else message)

    def load(self, text: str | bytes) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.error(
                f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except UnicodeDecodeError as exc:
            raise self.error(f"not valid UTF-8 text: {exc.reason}") from None

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"expected an object, got {_type_name(value)}")
        return value

    def field(self, obj: dict, key: str, where: str, kind: type | tuple, *,
              required: bool = True, default: Any = None) -> Any:
        if key not in obj or (obj[key] is None and not required):
            if required:
                self.fail(where, f'missing field "{key}"')
            return default
        value = obj[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            expected = " or ".join(_type_name(k()) for k in kinds)
            self.fail(where, f'"{key}" must be {expected}, got {_type_name(value)}')
        return value

    def ident(self, obj: dict, where: str) -> str:
        value = self.field(obj, "id", where, str)
        if not value:
            self.fail(where, '"id" must not be empty')
        return value

    def check_format(self, data: Any, expected: str) -> dict:
        data = self.obj(data, "")
        tag = data.get("format")
        if tag is None:
            self.fail("", f'missing field "format" (expected "{expected}")')
        if tag != expected:
            self.fail("", f'"format" is {json.dumps(tag)}, expected "{expected}"')
        return data


def _label(section: str, index: int, ident: str | None) -> str:
    return f'{section}[{index}] (id "{ident}")' if isinstance(ident, str) and ident \
        else f"{section}[{index}]"


def _time(reader: _Reader, obj: dict, key: str, where: str) -> datetime:
    text = reader.field(obj, key, where, str)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        reader.fail(where, f'"{key}" is not an ISO 8601 date and time: {text!r}')
    if value.tzinfo is not None:
        reader.fail(where, f'"{key}" must be a local time without UTC offset: {text!r}')
    return value


def _id_list(reader: _Reader, obj: dict, key: str, where: str, known: dict[str, Any],
             what: str) -> frozenset[str] | None:
    values = reader.field(obj, key, where, list, required=False)
    if values is None:
        return None
    for i, v in enumerate(values):
        if not isinstance(v, str):
            reader.fail(where, f'"{key}"[{i}] must be a string, got {_type_name(v)}')
        if v not in known:
            reader.fail(where, f'{what} "{v}" in "{key}" is unknown')
    return frozenset(values)


def _placement(reader: _Reader, obj: dict, key: str, where: str, slots: dict,
               tables: dict, *, table_required: bool) -> Placement | None:
    raw = reader.field(obj, key, where, dict, required=False)
    if raw is None:
        return None
    here = f"{where}, {key}"
    slot = reader.field(raw, "slot", here, str)
    if slot not in slots:
        reader.fail(here, f'slot "{slot}" is unknown')
    table = reader.field(raw, "table", here, str, required=table_required)
    if table is not None and table not in tables:
        reader.fail(here, f'table "{table}" is unknown')
    return Placement(slot=slot, table=table)


def _unique(reader: _Reader, section: str, ids: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in seen:
            reader.fail(_label(section, i, ident),
                        f'duplicate id, already used by {section}[{seen[ident]}]')
        seen[ident] = i


def problem_from_dict(data: Any) -> Problem:
    """Build a validated `Problem` from parsed JSON; raises `InstanceError`."""
    r = _Reader(InstanceError)
    data = r.check_format(data, INSTANCE_FORMAT)
    event = r.field(data, "event", "", dict, required=False, default={})
    name = r.field(event, "name", "event", str, required=False, default="")
    timezone = r.field(event, "timezone", "event", str, required=False, default="UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail("event", f'time zone "{timezone}" is not a known IANA time zone name')
    slots = _slots(r, r.field(data, "slots", "", list))
    slot_by_id = {s.id: s for s in slots}
    tables = _tables(r, r.field(data, "tables", "", list))
    table_by_id = {t.id: t for t in tables}
    participants = _participants(r, r.field(data, "participants", "", list), slot_by_id,
                                 table_by_id)
    person_by_id = {p.id: p for p in participants}
    meetings = [_meeting(r, raw, i, slot_by_id, table_by_id, person_by_id)
                for i, raw in enumerate(r.field(data, "meetings", "", list))]
    _unique(r, "meetings", [m.id for m in meetings])

    problem = Problem(slots=tuple(slots), tables=tuple(tables),
                      participants=tuple(participants), meetings=tuple(meetings),
                      event_name=name, timezone=timezone)
    validate_pins(problem)
    return problem


def _slots(r: _Reader, raw_slots: list) -> list[Slot]:
    slots: list[Slot] = []
    for i, raw in enumerate(raw_slots):
        where = _label("slots", i, raw.get("id") if isinstance(raw, dict) else None)
        raw = r.obj(raw, where)
        ident = r.ident(raw, where)
        start, end = _time(r, raw, "start", where), _time(r, raw, "end", where)
        if end <= start:
            r.fail(where, f"ends at {end.isoformat()}, not after its start {start.isoformat()}")
        slots.append(Slot(id=ident, start=start, end=end))
    _unique(r, "slots", [s.id for s in slots])
    for i in range(1, len(slots)):
        prev, cur = slots[i - 1], slots[i]
        if cur.start < prev.start:
            r.fail(_label("slots", i, cur.id),
                   f'starts at {cur.start.isoformat()}, before slots[{i - 1}] (id "{prev.id}") '
                   "that comes earlier in the list: slots must be in time order")
        if cur.start < prev.end:
            r.fail(_label("slots", i, cur.id),
                   f'starts at {cur.start.isoformat()}, overlapping slots[{i - 1}] '
                   f'(id "{prev.id}") that ends at {prev.end.isoformat()}')
    return slots


def _tables(r: _Reader, raw_tables: list) -> list[Table]:
    tables: list[Table] = []
    for i, raw in enumerate(raw_tables):
        where = _label("tables", i, raw.get("id") if isinstance(raw, dict) else None)
        tables.append(Table(id=r.ident(r.obj(raw, where), where)))
    _unique(r, "tables", [t.id for t in tables])
    return tables


def _participants(r: _Reader, raw_people: list, slot_by_id: dict, table_by_id: dict
                  ) -> list[Participant]:
    participants: list[Participant] = []
    for i, raw in enumerate(raw_people):
        where = _label("participants", i, raw.get("id") if isinstance(raw, dict) else None)
        raw = r.obj(raw, where)
        ident = r.ident(raw, where)
        role = r.field(raw, "role", where, str, required=False, default="buyer")
        available = _id_list(r, raw, "available", where, slot_by_id, "slot")
        cap = r.field(raw, "max_meetings", where, int, required=False)
        if cap is not None and cap < 0:
            r.fail(where, f'"max_meetings" must not be negative, got {cap}')
        table = r.field(raw, "table", where, str, required=False)
        if table is not None and table not in table_by_id:
            r.fail(where, f'own table "{table}" is unknown')
        participants.append(Participant(id=ident, role=role, available=available,
                                        max_meetings=cap, table=table))
    _unique(r, "participants", [p.id for p in participants])
    return participants


def _meeting(r: _Reader, raw: Any, i: int, slot_by_id: dict, table_by_id: dict,
             person_by_id: dict) -> Meeting:
    where = _label("meetings", i, raw.get("id") if isinstance(raw, dict) else None)
    raw = r.obj(raw, where)
    ident = r.ident(raw, where)
    pair = r.field(raw, "participants", where, list)
    if len(pair) != 2:
        r.fail(where, f'"participants" must list exactly two participants, got {len(pair)}')
    for k, p in enumerate(pair):
        if not isinstance(p, str):
            r.fail(where, f'"participants"[{k}] must be a string, got {_type_name(p)}')
        if p not in person_by_id:
            r.fail(where, f'participant "{p}" is unknown')
    if pair[0] == pair[1]:
        r.fail(where, f'participant "{pair[0]}" cannot meet with itself')
    priority = r.field(raw, "priority", where, int, required=False, default=1)
    if priority <= 0:
        r.fail(where, f'"priority" must be a positive integer, got {priority}')
    available = _id_list(r, raw, "available", where, slot_by_id, "slot")
    fixed = _placement(r, raw, "fixed", where, slot_by_id, table_by_id, table_required=False)
    previous = _placement(r, raw, "previous", where, slot_by_id, table_by_id,
                          table_required=False)
    return Meeting(id=ident, participants=(pair[0], pair[1]), priority=priority,
                   available=available, fixed=fixed, previous=previous)


def validate_pins(problem: Problem) -> None:
    """Reject pins that no valid schedule can keep: the solver must never face them."""
    d = Domains(problem)
    slot_users: dict[tuple[str, str], str] = {}
    table_users: dict[tuple[str, str], str] = {}
    pooled_count: Counter[str] = Counter()
    pinned_of: Counter[str] = Counter()
    for i, m in enumerate(problem.meetings):
        if m.fixed is None:
            continue
        where = f'{_label("meetings", i, m.id)}, fixed'
        slot, table = m.fixed.slot, m.fixed.table
        allowed = d.allowed_tables(m)
        if table is not None and table not in allowed:
            if d.own_tables(m):
                rule = "its participants own " + ", ".join(f'"{t}"' for t in d.own_tables(m))
            else:
                owners = ", ".join(f'"{p}"' for p in sorted(d.owners.get(table, ())))
                rule = f"that table belongs to {owners}"
            raise InstanceError(f'{where}: table "{table}" is not allowed here: {rule}')
        if not allowed:
            raise InstanceError(f"{where}: no table is allowed for this meeting "
                                "(every table is a stand of someone else)")
        if m.available is not None and slot not in m.available:
            raise InstanceError(f'{where}: slot "{slot}" is not in the meeting\'s "available"')
        for p in m.participants:
            if not d.available(p, slot):
                raise InstanceError(f'{where}: participant "{p}" is not available in slot "{slot}"')
            other = slot_users.get((p, slot))
            if other is not None:
                raise InstanceError(
                    f'{where}: participant "{p}" is also pinned to slot "{slot}" by meeting "{other}"')
            slot_users[(p, slot)] = m.id
            pinned_of[p] += 1
            cap = d.participant[p].max_meetings
            if cap is not None and pinned_of[p] > cap:
                raise InstanceError(
                    f'{where}: participant "{p}" has more pinned meetings than max_meetings ({cap})')
        if table is not None:
            other = table_users.get((table, slot))
            if other is not None:
                raise InstanceError(
                    f'{where}: table "{table}" is also pinned in slot "{slot}" by meeting "{other}"')
            table_users[(table, slot)] = m.id
        if d.is_pooled(m):
            pooled_count[slot] += 1
            if pooled_count[slot] > len(d.pooled):
                raise InstanceError(f'{where}: more meetings are pinned to slot "{slot}" than '
                                    f"there are shared tables ({len(d.pooled)})")


def parse_instance(text: str | bytes) -> Problem:
    return problem_from_dict(_Reader(InstanceError).load(text))


def read_instance(path: str | os.PathLike) -> Problem:
    """Read and validate an instance file; a missing file raises `InstanceError` too."""
    return parse_instance(_read_bytes(path, InstanceError))


def _read_bytes(path: str | os.PathLike, error: type[FormatError]) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise error(f"{os.fspath(path)}: cannot read file: {exc.strerror or exc}") from None


def _placement_dict(p: Placement) -> dict:
    out: dict[str, str] = {"slot": p.slot}
    if p.table is not None:
        out["table"] = p.table
    return out


def problem_to_dict(problem: Problem) -> dict:
    participants = []
    for p in problem.participants:
        item: dict[str, Any] = {"id": p.id, "role": p.role}
        if p.available is not None:
            item["available"] = [s.id for s in problem.slots if s.id in p.available]
        if p.max_meetings is not None:
            item["max_meetings"] = p.max_meetings
        if p.table is not None:
            item["table"] = p.table
        participants.append(item)
    meetings = []
    for m in problem.meetings:
        item = {"id": m.id, "participants": list(m.participants), "priority": m.priority}
        if m.available is not None:
            item["available"] = [s.id for s in problem.slots if s.id in m.available]
        if m.fixed is not None:
            item["fixed"] = _placement_dict(m.fixed)
        if m.previous is not None:
            item["previous"] = _placement_dict(m.previous)
        meetings.append(item)
    return {
        "format": INSTANCE_FORMAT,
        "event": {"name": problem.event_name, "timezone": problem.timezone},
        "slots": [{"id": s.id, "start": s.start.isoformat(), "end": s.end.isoformat()}
                  for s in problem.slots],
        "tables": [{"id": t.id} for t in problem.tables],
        "participants": participants,
        "meetings": meetings,
    }


def dumps_instance(problem: Problem) -> str:
    return json.dumps(problem_to_dict(problem), indent=1, ensure_ascii=False) + "\n"


def write_instance(problem: Problem, path: str | os.PathLike) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(dumps_instance(problem))


def schedule_from_dict(data: Any) -> Schedule:
    """Build a `Schedule` from parsed JSON, checking its shape (not its validity:
    that is `check()`'s job, against a problem)."""
    r = _Reader(ScheduleError)
    data = r.check_format(data, SCHEDULE_FORMAT)
    status = r.field(data, "status", "", str)
    if status not in STATUSES:
        r.fail("", f'"status" is "{status}", expected one of {", ".join(STATUSES)}')
    assignments = []
    for i, raw in enumerate(r.field(data, "assignments", "", list)):
        where = f"assignments[{i}]"
        raw = r.obj(raw, where)
        assignments.append(Assignment(meeting=r.field(raw, "meeting", where, str),
                                      slot=r.field(raw, "slot", where, str),
                                      table=r.field(raw, "table", where, str)))
    unscheduled = []
    for i, raw in enumerate(r.field(data, "unscheduled", "", list, required=False, default=[])):
        where = f"unscheduled[{i}]"
        raw = r.obj(raw, where)
        unscheduled.append(_unscheduled(r, raw, where))
    stats = r.field(data, "stats", "", dict, required=False, default={})
    return Schedule(status=status, assignments=tuple(assignments),
                    unscheduled=tuple(unscheduled), stats=dict(stats))


def _unscheduled(r: _Reader, raw: dict, where: str) -> Unscheduled:
    """An entry of `unscheduled`: files written before reasons had codes carry the
    text alone; a code this version does not know keeps the text it came with."""
    meeting = r.field(raw, "meeting", where, str)
    reason = r.field(raw, "reason", where, str, required=False, default="")
    code = r.field(raw, "code", where, str, required=False, default="")
    params = r.field(raw, "params", where, dict, required=False, default={})
    if code in REASON_CODES and not reason:
        try:
            reason = describe(code, params)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            r.fail(where, f'"params" do not fit the reason code "{code}"')
    return Unscheduled(meeting=meeting, reason=reason, code=code, params=dict(params))


def parse_schedule(text: str | bytes) -> Schedule:
    return schedule_from_dict(_Reader(ScheduleError).load(text))


def read_schedule(path: str | os.PathLike) -> Schedule:
    return parse_schedule(_read_bytes(path, ScheduleError))


def schedule_to_dict(schedule: Schedule) -> dict:
    return {
        "format": SCHEDULE_FORMAT,
        "status": schedule.status,
        "assignments": [{"meeting": a.meeting, "slot": a.slot, "table": a.table}
                        for a in schedule.assignments],
        "unscheduled": [{"meeting": u.meeting, "reason": u.reason,
                         **({"code": u.code, "params": dict(u.params)} if u.code else {})}
                        for u in schedule.unscheduled],
        "stats": dict(schedule.stats),
    }


def dumps_schedule(schedule: Schedule) -> str:
    return json.dumps(schedule_to_dict(schedule), indent=1, ensure_ascii=False) + "\n"


def write_schedule(schedule: Schedule, path: str | os.PathLike) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(dumps_schedule(schedule))

