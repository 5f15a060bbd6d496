"""Read the B2B-forum MiniZinc data files (Bofill et al.) into a `Problem`.

The `.dzn` files hold plain assignments `name = value;` where a value is an
integer, a set (`{1,2}` or `1..3`), a one-dimensional array of those (`[a, b]`)
or a two-dimensional array (`[| a, b | c, d |]`). `parse_dzn` reads that subset
of the MiniZinc data language; `to_problem` maps the B2B fields onto the solver's
dataclasses:

- `nBusiness` businesses become participants `b1..bN`; `forbidden[p]` (a set of
  slot numbers, `{0}` meaning none) is removed from their `available` slots;
- `nTotalSlots` slots `s01..sT` on one day, the first `nMorningSlots` in the
  morning and the rest after a lunch break (the break is not a slot);
- each `requested` row `b1, b2, session` is a meeting `m1..mM` whose own
  `available` is the morning (session 1), the afternoon (2) or every slot (3);
- `fixed[i] > 0` pins meeting i to that slot (any table);
- `nTables` pooled tables `T01..`, owned by nobody.

`meetingsxBusiness` and `nMeetingsBusiness` are derived data: they are checked
against `requested` rather than trusted. `precedences` (meeting orderings used by
other variants of the benchmark) are returned in `DznInstance` but have no
counterpart in the matchmaker contract; the `original` instances have none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from matchmaker.scheduling.problem import Meeting, Participant, Placement, Problem, Slot, Table

_TOKEN = re.compile(r"\s*(?:(%[^\n]*)|(\[\||\|\]|\.\.|[\[\]{}|,;=()])|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*))")


class DznError(ValueError):
    """The text is not in the subset of MiniZinc data this reader understands."""


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise DznError(f"unexpected character at offset {pos}: {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.group(1) is not None:  # comment
            continue
        tok = m.group(2) or m.group(3) or m.group(4)
        if tok is not None:
            out.append(tok)
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None:
            raise DznError("unexpected end of data")
        if expected is not None and tok != expected:
            raise DznError(f"expected {expected!r}, found {tok!r}")
        self.i += 1
        return tok

    def int_(self) -> int:
        tok = self.take()
        try:
            return int(tok)
        except ValueError:
            raise DznError(f"expected an integer, found {tok!r}") from None

    def value(self) -> Any:
        tok = self.peek()
        if tok == "[|":
            return self.matrix()
        if tok == "[":
            return self.array()
        if tok == "{":
            return self.set_()
        lo = self.int_()
        if self.peek() == "..":
            self.take()
            return frozenset(range(lo, self.int_() + 1))
        return lo

    def set_(self) -> frozenset[int]:
        self.take("{")
        items: set[int] = set()
        while self.peek() != "}":
            lo = self.int_()
            if self.peek() == "..":
                self.take()
                items.update(range(lo, self.int_() + 1))
            else:
                items.add(lo)
            if self.peek() == ",":
                self.take()
        self.take("}")
        return frozenset(items)

    def array(self) -> list[Any]:
        self.take("[")
        items: list[Any] = []
        while self.peek() != "]":
            items.append(self.value())
            if self.peek() == ",":
                self.take()
        self.take("]")
        return items

    def matrix(self) -> list[list[Any]]:
        self.take("[|")
        rows: list[list[Any]] = []
        row: list[Any] = []
        while True:
            tok = self.peek()
            if tok == "|]":
                self.take()
                break
            if tok == "|":
                self.take()
                rows.append(row)
                row = []
                continue
            row.append(self.value())
            if self.peek() == ",":
                self.take()
        if row:
            rows.append(row)
        return rows


def parse_dzn(text: str) -> dict[str, Any]:
    """Parse MiniZinc data assignments into a dict of ints, frozensets and lists."""
    p = _Parser(_tokens(text))
    out: dict[str, Any] = {}
    while p.peek() is not None:
        name = p.take()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise DznError(f"expected a name, found {name!r}")
        p.take("=")
        out[name] = p.value()
        p.take(";")
    return out


@dataclass(frozen=True)
class DznInstance:
    """One B2B-forum instance: the matchmaker problem plus the raw facts kept for reporting."""

    name: str
    problem: Problem
    n_business: int
    n_tables: int
    n_slots: int
    n_morning_slots: int
    precedences: tuple[frozenset[int], ...]


DAY = datetime(2026, 3, 12)
SLOT_MINUTES = 20
MORNING_START = DAY.replace(hour=9)
AFTERNOON_START = DAY.replace(hour=14)


def _slot_times(n_slots: int, n_morning: int) -> list[tuple[datetime, datetime]]:
    out = []
    for k in range(n_slots):
        if k < n_morning:
            start = MORNING_START + timedelta(minutes=SLOT_MINUTES * k)
        else:
            start = AFTERNOON_START + timedelta(minutes=SLOT_MINUTES * (k - n_morning))
        out.append((start, start + timedelta(minutes=SLOT_MINUTES - 5)))
    return out


def slot_id(k: int, n_slots: int) -> str:
    """Id of slot number k (1-based), zero-padded so ids sort in time order."""
    return f"s{k:0{max(2, len(str(n_slots)))}d}"


def to_problem(data: dict[str, Any], name: str = "") -> DznInstance:
    """Build the matchmaker `Problem` of one parsed B2B-forum instance."""
    try:
        n_business = int(data["nBusiness"])
        n_meetings = int(data["nMeetings"])
        n_tables = int(data["nTables"])
        n_slots = int(data["nTotalSlots"])
        n_morning = int(data["nMorningSlots"])
        requested = data["requested"]
    except KeyError as exc:
        raise DznError(f"missing field {exc.args[0]}") from None
    if len(requested) != n_meetings:
        raise DznError(f"nMeetings = {n_meetings} but requested has {len(requested)} rows")
    forbidden = data.get("forbidden") or [frozenset()] * n_business
    fixed = data.get("fixed") or [0] * n_meetings
    precedences = data.get("precedences") or [frozenset()] * n_meetings
    if len(forbidden) != n_business or len(fixed) != n_meetings:
        raise DznError("forbidden/fixed do not match nBusiness/nMeetings")

    sids = [slot_id(k, n_slots) for k in range(1, n_slots + 1)]
    times = _slot_times(n_slots, n_morning)
    slots = tuple(Slot(sids[k], *times[k]) for k in range(n_slots))
    morning = frozenset(sids[:n_morning])
    afternoon = frozenset(sids[n_morning:])
    width = max(2, len(str(n_tables)))
    tables = tuple(Table(f"T{k:0{width}d}") for k in range(1, n_tables + 1))

    participants = []
    for b in range(1, n_business + 1):
        banned = {k for k in forbidden[b - 1] if k != 0}
        if any(not 1 <= k <= n_slots for k in banned):
            raise DznError(f"business {b}: forbidden slot out of range")
        available = None if not banned else frozenset(sids[k - 1] for k in range(1, n_slots + 1) if k not in banned)
        participants.append(Participant(id=f"b{b}", role="business", available=available))

    meetings = []
    count = [0] * (n_business + 1)
    for i, row in enumerate(requested, start=1):
        if len(row) != 3:
            raise DznError(f"requested row {i} has {len(row)} fields, expected 3")
        a, b, session = (int(v) for v in row)
        if not (1 <= a <= n_business and 1 <= b <= n_business) or a == b:
            raise DznError(f"requested row {i}: bad businesses {a}, {b}")
        count[a] += 1
        count[b] += 1
        if session not in (1, 2, 3):
            raise DznError(f"requested row {i}: session {session} is not 1, 2 or 3")
        available = {1: morning, 2: afternoon}.get(session)
        pin = int(fixed[i - 1])
        if pin < 0 or pin > n_slots:
            raise DznError(f"fixed[{i}] = {pin} is out of range")
        meetings.append(Meeting(
            id=f"m{i}",
            participants=(f"b{a}", f"b{b}"),
            available=available,
            fixed=Placement(sids[pin - 1]) if pin else None,
        ))
    per_business = data.get("nMeetingsBusiness")
    if per_business is not None and list(per_business) != count[1:]:
        raise DznError("nMeetingsBusiness does not match the requested meetings")

    problem = Problem(
        slots=slots,
        tables=tables,
        participants=tuple(participants),
        meetings=tuple(meetings),
        event_name=name or "B2B forum",
        timezone="Europe/Madrid",
    )
    return DznInstance(
        name=name,
        problem=problem,
        n_business=n_business,
        n_tables=n_tables,
        n_slots=n_slots,
        n_morning_slots=n_morning,
        precedences=tuple(frozenset(p) for p in precedences),
    )


def read_instance(path: str | Path) -> DznInstance:
    """Read one `.dzn` file into a `DznInstance`."""
    path = Path(path)
    return to_problem(parse_dzn(path.read_text(encoding="utf-8")), name=path.name)
