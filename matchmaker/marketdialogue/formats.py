"""Read, validate and write `matchmaker-dialogue/1` and `matchmaker-dialogue-plan/1`.

Readers ignore fields they do not know. Every problem in the input raises one
`DialogueFormatError` whose message says what is wrong and where, e.g.
``sessions[2].tables[0] (id "TX-1"): moderator "p99" is unknown``.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from collections.abc import Iterator, Mapping
from typing import Any, Literal, overload

from .problem import (
    DIALOGUE_FORMAT,
    PLAN_FORMAT,
    ROLES,
    SIDES,
    STATUSES,
    ClosedTable,
    DialogueParticipant,
    DialogueProblem,
    DialogueTable,
    Plan,
    Rules,
    Seat,
    Session,
    Unseated,
)
from .reasons import REASON_CODES, describe


class DialogueFormatError(ValueError):
    """Input that does not follow the dialogue formats; the message names what and where."""


def _fail(where: str, message: str) -> DialogueFormatError:
    return DialogueFormatError(f"{where}: {message}" if where else message)


def _at(where: str, ident: object) -> str:
    return f'{where} (id "{ident}")' if isinstance(ident, str) and ident else where


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(where, f"must be an object, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _with_ids(items: list, where: str, what: str, scope: str = "") -> Iterator[tuple[str, str, dict]]:
    """Each object of the list `where` whose ids must differ: its id, its place for messages
    (`where[i]` with the id) and the object itself."""
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        item = _object(item, here)
        ident = _string(item, "id", here)
        here = _at(here, ident)
        if ident in seen:
            also = f"{where.rsplit('.', 1)[-1]}[{seen[ident]}]"
            raise _fail(here, f'duplicate {what} id "{ident}"{scope} (also {also})')
        seen[ident] = i
        yield ident, here, item


def _field(obj: dict, key: str, where: str, *, required: bool = True, default: Any = None) -> Any:
    if key not in obj or obj[key] is None:
        if required:
            raise _fail(where, f'missing field "{key}"')
        return default
    return obj[key]


def _list(obj: dict, key: str, where: str, *, required: bool = True) -> list:
    value = _field(obj, key, where, required=required, default=[])
    if not isinstance(value, list):
        raise _fail(where, f'"{key}" must be a list, not {_kind(value)}')
    return value


@overload
def _string(obj: dict, key: str, where: str, *, required: Literal[True] = ...) -> str: ...
@overload
def _string(obj: dict, key: str, where: str, *, required: bool) -> str | None: ...


def _string(obj: dict, key: str, where: str, *, required: bool = True) -> str | None:
    value = _field(obj, key, where, required=required)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f'"{key}" must be a non-empty string, not {_describe(value)}')
    return value


@overload
def _count(obj: dict, key: str, where: str, *, required: Literal[True] = ...,
           default: int | None = ..., minimum: int = ...) -> int: ...
@overload
def _count(obj: dict, key: str, where: str, *, required: bool, default: int,
           minimum: int = ...) -> int: ...
@overload
def _count(obj: dict, key: str, where: str, *, required: bool, default: None = ...,
           minimum: int = ...) -> int | None: ...


def _count(obj: dict, key: str, where: str, *, required: bool = True, default: int | None = None,
           minimum: int = 0) -> int | None:
    value = _field(obj, key, where, required=required, default=default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f'"{key}" must be a whole number, not {_describe(value)}')
    if value < minimum:
        word = "negative" if minimum == 0 else f"below {minimum}"
        raise _fail(where, f'"{key}" must not be {word} (got {value})')
    return value


def _describe(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, (dict, list)) else _kind(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _time(obj: dict, key: str, where: str) -> datetime:
    value = _string(obj, key, where)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(where, f'"{key}" is not an ISO 8601 time: "{value}"') from None
    if moment.tzinfo is not None:
        raise _fail(where, f'"{key}" must be a local time without offset: "{value}"')
    return moment


def _format_tag(data: dict, expected: str) -> None:
    tag = data.get("format")
    if tag is None:
        raise _fail("", f'missing field "format" (expected "{expected}")')
    if tag != expected:
        raise _fail("format", f'expected "{expected}", got {_describe(tag)}')


def _parse_json(text: str | bytes, name: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DialogueFormatError(f"{name}: broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise DialogueFormatError(f"{name}: not UTF-8 text ({exc.reason})") from None
    if not isinstance(data, dict):
        raise DialogueFormatError(f"{name}: the top level must be an object, not {_kind(data)}")
    return data


# --------------------------------------------------------------------------- problem


def parse_dialogue(data: Any) -> DialogueProblem:
    """Validate a decoded `matchmaker-dialogue/1` document and build the problem."""
    data = _object(data, "document")
    _format_tag(data, DIALOGUE_FORMAT)
    event = _object(_field(data, "event", "", required=False, default={}), "event")
    name, zone = event.get("name"), event.get("timezone")
    event_name = name if isinstance(name, str) else ""
    timezone = zone if isinstance(zone, str) else "UTC"

    participants = _parse_participants(_list(data, "participants", ""))
    known = {p.id: p for p in participants}
    sessions = _parse_sessions(_list(data, "sessions", ""), known)
    rules = _parse_rules(_object(_field(data, "rules", "", required=False, default={}), "rules"))
    problem = DialogueProblem(sessions=sessions, participants=participants, rules=rules,
                              event_name=event_name, timezone=timezone)
    _check_moderators(problem)
    return problem


def _parse_participants(items: list) -> tuple[DialogueParticipant, ...]:
    result = []
    for pid, where, item in _with_ids(items, "participants", "participant"):
        role = _string(item, "role", where)
        if role not in ROLES:
            raise _fail(where, f'unknown role "{role}" (expected one of {", ".join(ROLES)})')
        organisation = _string(item, "organisation", where, required=False)
        raw = _object(_field(item, "interests", where, required=False, default={}), f"{where}.interests")
        interests: dict[str, int] = {}
        for group, weight in raw.items():
            if not group.strip():
                raise _fail(f"{where}.interests", "product group names must not be empty")
            interests[group] = _count(raw, group, f"{where}.interests")
        result.append(DialogueParticipant(id=pid, role=role, organisation=organisation, interests=interests))
    return tuple(result)


def _parse_sessions(items: list, known: dict[str, DialogueParticipant]) -> tuple[Session, ...]:
    result = []
    for i, (sid, where, item) in enumerate(_with_ids(items, "sessions", "session")):
        group = _string(item, "product_group", where)
        start = _time(item, "start", where)
        end = _time(item, "end", where)
        if end <= start:
            raise _fail(where, f"end {end.isoformat()} is not after start {start.isoformat()}")
        tables = []
        for tid, twhere, raw in _with_ids(_list(item, "tables", where), f"sessions[{i}].tables",
                                          "table", f' in session "{sid}"'):
            buyer_seats = _count(raw, "buyer_seats", twhere)
            supplier_seats = _count(raw, "supplier_seats", twhere)
            moderator = _field(raw, "moderator", twhere, required=False)
            if moderator is not None:
                moderator = _string(raw, "moderator", twhere)
                if moderator not in known:
                    raise _fail(twhere, f'moderator "{moderator}" is unknown')
            tables.append(DialogueTable(id=tid, buyer_seats=buyer_seats, supplier_seats=supplier_seats,
                                        moderator=moderator))
        result.append(Session(id=sid, product_group=group, start=start, end=end, tables=tuple(tables)))
    return tuple(result)


def _parse_rules(raw: dict) -> Rules:
    """Absent rules take the defaults of `Rules`; `"max_per_organisation": null` means no limit."""
    defaults = Rules()
    if "max_per_organisation" in raw and raw["max_per_organisation"] is None:
        max_per_organisation = None
    else:
        max_per_organisation = _count(raw, "max_per_organisation", "rules", required=False,
                                      default=defaults.max_per_organisation, minimum=1)
    return Rules(
        min_buyers=_count(raw, "min_buyers", "rules", required=False, default=defaults.min_buyers),
        min_suppliers=_count(raw, "min_suppliers", "rules", required=False, default=defaults.min_suppliers),
        max_per_organisation=max_per_organisation,
    )


def _check_moderators(problem: DialogueProblem) -> None:
    """A moderator cannot lead two tables at once."""
    led: dict[str, list[tuple[int, int, Session]]] = {}
    for i, session in enumerate(problem.sessions):
        for j, table in enumerate(session.tables):
            if table.moderator is None:
                continue
            for (oi, oj, other) in led.get(table.moderator, []):
                if other.overlaps(session):
                    raise _fail(
                        _at(f"sessions[{i}].tables[{j}]", table.id),
                        f'moderator "{table.moderator}" already leads sessions[{oi}].tables[{oj}] '
                        f'(session "{other.id}", table "{other.tables[oj].id}") at the same time')
            led.setdefault(table.moderator, []).append((i, j, session))


def dialogue_to_dict(problem: DialogueProblem) -> dict:
    rules: dict[str, int | None] = {"min_buyers": problem.rules.min_buyers,
                                    "min_suppliers": problem.rules.min_suppliers,
                                    "max_per_organisation": problem.rules.max_per_organisation}
    participants = []
    for p in problem.participants:
        item: dict[str, Any] = {"id": p.id, "role": p.role}
        if p.organisation is not None:
            item["organisation"] = p.organisation
        if p.interests:
            item["interests"] = dict(p.interests)
        participants.append(item)
    return {
        "format": DIALOGUE_FORMAT,
        "event": {"name": problem.event_name, "timezone": problem.timezone},
        "sessions": [
            {"id": s.id, "product_group": s.product_group,
             "start": s.start.isoformat(), "end": s.end.isoformat(),
             "tables": [{"id": t.id, "buyer_seats": t.buyer_seats, "supplier_seats": t.supplier_seats,
                         **({"moderator": t.moderator} if t.moderator is not None else {})}
                        for t in s.tables]}
            for s in problem.sessions
        ],
        "participants": participants,
        "rules": rules,
    }


def loads_dialogue(text: str | bytes, name: str = "input") -> DialogueProblem:
    return parse_dialogue(_parse_json(text, name))


def dumps_dialogue(problem: DialogueProblem) -> str:
    return json.dumps(dialogue_to_dict(problem), indent=2, ensure_ascii=False) + "\n"


def read_dialogue(path: str | Path) -> DialogueProblem:
    """Read a dialogue file; unreadable files raise `DialogueFormatError` too."""
    return loads_dialogue(_read_bytes(path), str(path))


def write_dialogue(problem: DialogueProblem, path: str | Path) -> None:
    Path(path).write_text(dumps_dialogue(problem), encoding="utf-8")


def _read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DialogueFormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DialogueFormatError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise DialogueFormatError(f"{path}: cannot read ({exc.strerror})") from None


# --------------------------------------------------------------------------- plan


def parse_plan(data: Any, problem: DialogueProblem | None = None) -> Plan:
    """Validate a decoded plan. With `problem`, ids must name its participants, sessions and tables."""
    data = _object(data, "document")
    _format_tag(data, PLAN_FORMAT)
    status = _string(data, "status", "")
    if status not in STATUSES:
        raise _fail("status", f'unknown status "{status}" (expected one of {", ".join(STATUSES)})')
    sessions = {s.id: s for s in problem.sessions} if problem else None
    participants = {p.id for p in problem.participants} if problem else None

    def known_table(where: str, session_id: str, table_id: str) -> None:
        if sessions is None:
            return
        if session_id not in sessions:
            raise _fail(where, f'session "{session_id}" is unknown')
        if table_id not in {t.id for t in sessions[session_id].tables}:
            raise _fail(where, f'table "{table_id}" is unknown in session "{session_id}"')

    seats = []
    for i, item in enumerate(_list(data, "seats", "")):
        where = f"seats[{i}]"
        item = _object(item, where)
        pid = _string(item, "participant", where)
        sid = _string(item, "session", where)
        tid = _string(item, "table", where)
        side = _string(item, "side", where)
        if side not in SIDES:
            raise _fail(where, f'unknown side "{side}" (expected buyer or supplier)')
        if participants is not None and pid not in participants:
            raise _fail(where, f'participant "{pid}" is unknown')
        known_table(where, sid, tid)
        seats.append(Seat(participant=pid, session=sid, table=tid, side=side))

    closed = []
    for i, item in enumerate(_list(data, "closed_tables", "", required=False)):
        where = f"closed_tables[{i}]"
        item = _object(item, where)
        sid = _string(item, "session", where)
        tid = _string(item, "table", where)
        known_table(where, sid, tid)
        reason = item.get("reason") if isinstance(item.get("reason"), str) else ""
        reason, code, params = _reason(item, where, reason)
        closed.append(ClosedTable(session=sid, table=tid, reason=reason, code=code, params=params))

    unseated = []
    for i, item in enumerate(_list(data, "unseated", "", required=False)):
        where = f"unseated[{i}]"
        item = _object(item, where)
        pid = _string(item, "participant", where)
        group = _string(item, "product_group", where)
        reason, code, params = _reason(item, where, _string(item, "reason", where,
                                                            required="code" not in item))
        if participants is not None and pid not in participants:
            raise _fail(where, f'participant "{pid}" is unknown')
        unseated.append(Unseated(participant=pid, product_group=group, reason=reason,
                                 code=code, params=params))

    stats = _object(_field(data, "stats", "", required=False, default={}), "stats")
    return Plan(status=status, seats=tuple(seats), closed_tables=tuple(closed), unseated=tuple(unseated),
                stats=dict(stats))


def _reason(item: dict, where: str, reason: str | None) -> tuple[str, str, dict]:
    """The reason of a closed table or unseated interest: text, code, parameters.
    Plans written before reasons had codes carry the text alone; a code this
    version does not know keeps the text it came with."""
    code = _field(item, "code", where, required=False, default="")
    params = _field(item, "params", where, required=False, default={})
    if not isinstance(code, str):
        raise _fail(where, f'"code" must be a string, not {_describe(code)}')
    params = _object(params, f"{where}.params")
    if code and not reason:
        try:
            reason = describe(code, params)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            if code in REASON_CODES:
                raise _fail(where, f'"params" do not fit the reason code "{code}"') from None
    return reason or "", code, dict(params)


def _coded(reason: str, code: str, params: Mapping[str, Any]) -> dict:
    return {"reason": reason, **({"code": code, "params": dict(params)} if code else {})}


def plan_to_dict(plan: Plan) -> dict:
    return {
        "format": PLAN_FORMAT,
        "status": plan.status,
        "seats": [{"participant": s.participant, "session": s.session, "table": s.table, "side": s.side}
                  for s in plan.seats],
        "closed_tables": [{"session": c.session, "table": c.table, **_coded(c.reason, c.code, c.params)}
                          for c in plan.closed_tables],
        "unseated": [{"participant": u.participant, "product_group": u.product_group,
                      **_coded(u.reason, u.code, u.params)} for u in plan.unseated],
        "stats": dict(plan.stats),
    }


def loads_plan(text: str | bytes, problem: DialogueProblem | None = None, name: str = "input") -> Plan:
    return parse_plan(_parse_json(text, name), problem)


def dumps_plan(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"


def read_plan(path: str | Path, problem: DialogueProblem | None = None) -> Plan:
    return loads_plan(_read_bytes(path), problem, str(path))


def write_plan(plan: Plan, path: str | Path) -> None:
    Path(path).write_text(dumps_plan(plan), encoding="utf-8")
