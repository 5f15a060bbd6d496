"""Why a meeting stayed unscheduled: a reason code with its parameters, and its
English rendering (other languages render the same code and parameters)."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from .domains import Domains
from .problem import Meeting, Unscheduled

_MAX_LISTED = 6


class Occupancy:
    """Who and what is busy in each slot of a (partial) schedule."""

    def __init__(self, d: Domains, placements: Mapping[str, tuple[str, str]]) -> None:
        self.d = d
        self.person: dict[tuple[str, int], str] = {}
        self.table: dict[tuple[str, int], str] = {}
        self.count: Counter[str] = Counter()
        self.pooled_used: Counter[int] = Counter()
        self._next_pooled: Counter[int] = Counter()
        for mid, (slot, table) in placements.items():
            self.add(d.meeting[mid], d.slot_pos[slot], table)

    def add(self, m: Meeting, pos: int, table: str) -> None:
        for p in m.participants:
            self.person[(p, pos)] = m.id
            self.count[p] += 1
        self.table[(table, pos)] = m.id
        if self.d.is_pooled(m):
            self.pooled_used[pos] += 1

    def free_table(self, m: Meeting, pos: int) -> str | None:
        """The first free table the meeting may use in slot `pos`, if any."""
        d = self.d
        if not d.is_pooled(m):
            for t in d.allowed_tables(m):
                if (t, pos) not in self.table:
                    return t
            return None
        if self.pooled_used[pos] >= len(d.pooled):
            return None
        # Tables are only ever added here, so the first free one never moves back.
        i = self._next_pooled[pos]
        while (d.pooled[i], pos) in self.table:
            i += 1
        self._next_pooled[pos] = i
        return d.pooled[i]


# Every reason a meeting can stay unscheduled, with its parameters. Slots are
# listed as [slot id, meeting id or None] pairs, all of them (renderings shorten).
REASON_CODES = {
    "no_table": (),
    "no_slot_in_meeting_availability": ("a", "b"),
    "no_common_slot": ("a", "b"),
    "cap_reached": ("full",),  # [{"participant", "cap"}]
    "room_left": ("slot",),
    # lost to other meetings: "busy" [{"participant", "at"}], "tables_taken"
    # {"tables" (own tables; empty: the shared ones), "at"} or None
    "lost_to_priority": ("busy", "tables_taken"),
    "lost_to_earlier": ("busy", "tables_taken"),
}


def _slots_text(items: list) -> str:
    parts = [slot + (f" ({mid})" if mid else "") for slot, mid in items[:_MAX_LISTED]]
    if len(items) > _MAX_LISTED:
        parts.append(f"{len(items) - _MAX_LISTED} more")
    return ", ".join(parts)


def describe(code: str, params: Mapping[str, Any]) -> str:
    """The reason in plain English (the CLI's and the schedule file's `reason`)."""
    if code == "no_table":
        return "no table allowed: every table is a stand of another participant"
    if code == "no_slot_in_meeting_availability":
        return f"no slot in the meeting's own availability suits both {params['a']} and {params['b']}"
    if code == "no_common_slot":
        return f"{params['a']} and {params['b']} have no common available slot"
    if code == "cap_reached":
        return "; ".join(f"{f['participant']} reached its max_meetings ({f['cap']})"
                         for f in params["full"])
    if code == "room_left":
        return (f"not placed although slot {params['slot']} has room; "
                "the search stopped before it found this improvement")
    if code in ("lost_to_priority", "lost_to_earlier"):
        parts = [f"{b['participant']} is busy at {_slots_text(b['at'])}" for b in params["busy"]]
        taken = params.get("tables_taken")
        if taken:
            what = ("table " + "/".join(taken["tables"])) if taken["tables"] else "every shared table"
            parts.append(f"{what} is taken at {_slots_text(taken['at'])}")
        lost = "lost to meetings of higher total priority" if code == "lost_to_priority" \
            else "lost to earlier requests"
        return f"{lost}: " + "; ".join(parts)
    raise ValueError(f"unknown reason code {code!r}")


def unscheduled(meeting: str, code: str, params: Mapping[str, Any]) -> Unscheduled:
    return Unscheduled(meeting=meeting, reason=describe(code, params), code=code,
                       params=dict(params))


def explain(d: Domains, m: Meeting, occ: Occupancy,
            lost: str = "lost_to_priority") -> tuple[str, dict[str, Any]]:
    """Why `m` is not in the schedule `occ` describes: a reason code and its parameters."""
    a, b = m.participants
    if not d.allowed_tables(m):
        return "no_table", {}
    if not d.allowed_slots(m):
        if m.available is not None:
            return "no_slot_in_meeting_availability", {"a": a, "b": b}
        return "no_common_slot", {"a": a, "b": b}
    full = [p for p in m.participants if (cap := d.participant[p].max_meetings) is not None
            and occ.count[p] >= cap]
    if full:
        return "cap_reached", {"full": [{"participant": p, "cap": d.participant[p].max_meetings}
                                        for p in full]}
    busy: dict[str, list[list]] = defaultdict(list)
    tables_full: list[list] = []
    free: list[int] = []
    for pos in d.allowed_slots(m):
        blocked = False
        for p in m.participants:
            other = occ.person.get((p, pos))
            if other is not None:
                busy[p].append([d.slot_ids[pos], other])
                blocked = True
        if not blocked:
            if occ.free_table(m, pos) is None:
                tables_full.append([d.slot_ids[pos], None])
            else:
                free.append(pos)
    if free:
        return "room_left", {"slot": d.slot_ids[free[0]]}
    return lost, {
        "busy": [{"participant": p, "at": busy[p]} for p in m.participants if busy[p]],
        "tables_taken": {"tables": list(d.own_tables(m)), "at": tables_full} if tables_full else None,
    }


def reasons(d: Domains, placements: Mapping[str, tuple[str, str]],
            lost: str = "lost_to_priority") -> list[Unscheduled]:
    occ = Occupancy(d, placements)
    return [unscheduled(m.id, *explain(d, m, occ, lost))
            for m in d.problem.meetings if m.id not in placements]
