"""Why a request was not scheduled, in names and in the reader's language.

The solver's reasons and the checkers' violations are codes with parameters, put in
words by `reason_text`. `namer` remains for the one text the solver library gives in
English only, with its ids in it: the error of `scheduling.formats` when a locked
meeting can no longer stay."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import Event, MeetingRequest, Participation, SolveRun
from ..timeutil import format_time
from . import reason_text, solving


@dataclass(frozen=True)
class WhyNot:
    request: MeetingRequest
    reason: str


def why_not(session: Session, event: Event, run: SolveRun) -> list[WhyNot]:
    """Each unscheduled request of a meetings run, with the solver's reason in names."""
    schedule = solving.draft_schedule(run)
    ep = solving.build_problem(session, event, block_dialogues=False)
    names = reason_text.MeetingNames(session, event, ep)
    out = []
    for u in schedule.unscheduled:
        request = ep.requests.get(u.meeting)
        rid = solving.parse_key(u.meeting, "r")
        if request is None and rid is not None:
            request = session.get(MeetingRequest, rid)
        if request is None:
            continue
        out.append(WhyNot(request=request, reason=reason_text.render_unscheduled(u, names)))
    return out


def namer(session: Session, event: Event, ep: solving.EventProblem):
    """Replace solver ids in a reason (p12, s3, T4, r55, x7) by names, times, tables."""
    tz = event.timezone

    def word(match: re.Match) -> str:
        prefix, number = match.group(1), int(match.group(2))
        if prefix == "p":
            p = ep.people.get(f"p{number}") or session.get(Participation, number)
            return p.user.name if p is not None and p.event_id == event.id else match.group(0)
        if prefix == "s":
            s = ep.slots.get(f"s{number}")
            return format_time(s.starts_at, tz) if s is not None else match.group(0)
        if prefix == "T":
            return f"table {number}"
        if prefix == "x":
            return "a no-show kept at its table"
        r = ep.requests.get(f"r{number}")
        if r is None:
            return match.group(0)
        return f"the meeting with {r.sender.user.name} and {r.recipient.user.name}"

    pattern = re.compile(r'"?\b([psTrx])(\d+)\b"?')
    return lambda text: pattern.sub(word, text)

