"""The console home: counts per phase and the charts organisers read at a glance.

Everything is computed here as plain numbers and labels in the page's language;
templates draw them as inline SVG (no JavaScript, no inline styles: the CSP forbids them).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import format_decimal, gettext as _, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..i18n import format_day, group_name
from ..models import (MEETING_ROLES, Event, Listing, ListingKind, Meeting, MeetingFeedback,
                      MeetingRequest, MeetingStatus, Participation, RequestStatus, Role, RunKind,
                      RunStatus, SolveRun)
from ..profiles.services import groups_of_pair
from ..schedule.solver_reasons import short_label
from ..timeutil import format_time

SCHEDULE_FORMAT = "matchmaker-schedule/1"
ROLE_PLURALS = {Role.BUYER: _l("Buyers"), Role.SUPPLIER: _l("Suppliers"),
                Role.FACILITATOR: _l("Facilitators"), Role.ORGANISER: _l("Organisers"),
                Role.MODERATOR: _l("Moderators")}
CELL_STATES = {"": _l("free"), "scheduled": _l("scheduled"), "held": _l("held"),
               "no_show": _l("no-show")}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    second: int = 0  # a second series drawn beside the first (meetings next to requests)


@dataclass
class Heatmap:
    rows: list[str]  # table labels
    columns: list[str]  # slot start times, local
    cells: list[list[str]]  # '' free, or a meeting status value
    day_labels: list[str] = field(default_factory=list)

    @staticmethod
    def state(cell: str) -> str:
        """The word for a cell: 'free', 'scheduled', 'held', 'no-show'."""
        return str(CELL_STATES.get(cell, cell))


@dataclass
class Board:
    roles: list[tuple[str, int]]
    offers: int
    queries: int
    requests: list[tuple[str, int]]
    requests_total: int
    meetings: list[tuple[str, int]]
    meetings_total: int
    checked_in: int
    participants: int
    slots: int
    tables: int
    per_group: list[Bar]
    heatmap: Heatmap
    fairness: list[Bar]
    unscheduled: list[Bar]
    unscheduled_run: int | None  # the solver run the reasons come from
    unscheduled_problem: str  # '', 'unreadable' or 'format': why the run shows no reasons
    feedback: "FeedbackSummary"

    @property
    def group_max(self) -> int:
        return max([max(b.value, b.second) for b in self.per_group] + [1])

    @property
    def fairness_max(self) -> int:
        return max([b.value for b in self.fairness] + [1])

    @property
    def unscheduled_max(self) -> int:
        return max([b.value for b in self.unscheduled] + [1])

    @property
    def schedule_format(self) -> str:
        return SCHEDULE_FORMAT


def build(session: Session, event: Event) -> Board:
    people = list(session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.product_groups))))
    roles = Counter(p.role for p in people)
    kinds = dict(session.execute(
        select(Listing.kind, func.count()).where(Listing.event_id == event.id)
        .group_by(Listing.kind)).all())
    requests = list(session.execute(
        select(MeetingRequest.id, MeetingRequest.sender_id, MeetingRequest.recipient_id,
               MeetingRequest.status).where(MeetingRequest.event_id == event.id)))
    meetings = list(session.scalars(
        select(Meeting).where(Meeting.event_id == event.id)
        .options(selectinload(Meeting.request))))
    statuses = Counter(r.status for r in requests)
    meeting_statuses = Counter(m.status for m in meetings)
    return Board(
        roles=[(str(ROLE_PLURALS[role]), roles.get(role, 0)) for role in Role],
        offers=kinds.get(ListingKind.OFFER, 0), queries=kinds.get(ListingKind.QUERY, 0),
        requests=[(s.label, statuses.get(s, 0)) for s in RequestStatus],
        requests_total=len(requests),
        meetings=[(s.label, meeting_statuses.get(s, 0)) for s in MeetingStatus],
        meetings_total=len(meetings),
        checked_in=sum(1 for p in people if p.checked_in_at is not None),
        participants=len(people), slots=len(event.slots), tables=len(event.tables),
        per_group=per_product_group(event, people, requests, meetings),
        heatmap=occupation(event, meetings),
        fairness=fairness(people, meetings),
        unscheduled=(unscheduled := unscheduled_reasons(session, event))[0],
        unscheduled_run=unscheduled[1], unscheduled_problem=unscheduled[2],
        feedback=feedback_summary(session, event),
    )


@dataclass(frozen=True)
class FeedbackSummary:
    answers: int
    average: float | None
    follow_ups: int
    scores: list[Bar]

    @property
    def scores_max(self) -> int:
        return max([b.value for b in self.scores] + [1])

    @property
    def average_text(self) -> str:
        """'3.5', or '3,5' in Dutch and French."""
        return format_decimal(self.average or 0, "0.0")


def feedback_summary(session: Session, event: Event) -> FeedbackSummary:
    rows = list(session.execute(
        select(MeetingFeedback.useful, MeetingFeedback.follow_up)
        .join(Meeting, MeetingFeedback.meeting_id == Meeting.id)
        .where(Meeting.event_id == event.id)))
    scores = Counter(r.useful for r in rows)
    average = sum(r.useful for r in rows) / len(rows) if rows else None
    return FeedbackSummary(answers=len(rows), average=average,
                           follow_ups=sum(1 for r in rows if r.follow_up),
                           scores=[Bar(str(k), scores.get(k, 0)) for k in range(1, 6)])


def per_product_group(event: Event, people, requests, meetings) -> list[Bar]:
    by_id = {p.id: p for p in people}
    request_counts: Counter[int] = Counter()
    meeting_counts: Counter[int] = Counter()
    for r in requests:
        if r.status in (RequestStatus.DECLINED, RequestStatus.EXPIRED, RequestStatus.CANCELLED):
            continue
        for gid in groups_of_pair(by_id, r.sender_id, r.recipient_id):
            request_counts[gid] += 1
    for m in meetings:
        for gid in groups_of_pair(by_id, m.request.sender_id, m.request.recipient_id):
            meeting_counts[gid] += 1
    return [Bar(group_name(g), request_counts.get(g.id, 0), meeting_counts.get(g.id, 0))
            for g in event.product_groups]


def occupation(event: Event, meetings) -> Heatmap:
    """Which table is busy in which slot (cells hold the meeting status or '')."""
    slots = list(event.slots)
    tables = list(event.tables)
    where = {(m.table_id, m.slot_id): m.status.value for m in meetings}
    columns, day_labels, last_day = [], [], None
    for slot in slots:
        columns.append(format_time(slot.starts_at, event.timezone))
        day = format_day(slot.starts_at, event.timezone, "short")
        day_labels.append(day if day != last_day else "")
        last_day = day
    cells = [[where.get((t.id, s.id), "") for s in slots] for t in tables]
    rows = [_("Stand %(number)s", number=t.number) if t.owner_id else
            _("%(number)s spare", number=t.number) if t.spare else str(t.number)
            for t in tables]
    return Heatmap(rows=rows, columns=columns, cells=cells, day_labels=day_labels)


def fairness(people, meetings) -> list[Bar]:
    """How many participants got 0, 1, 2, ... meetings (organisers left out)."""
    count: Counter[int] = Counter()
    for m in meetings:
        if m.status is MeetingStatus.NO_SHOW:
            continue
        count[m.request.sender_id] += 1
        count[m.request.recipient_id] += 1
    takers = [p for p in people if p.role in MEETING_ROLES]
    histogram = Counter(count.get(p.id, 0) for p in takers)
    top = max(histogram) if histogram else 0
    return [Bar(str(k), histogram.get(k, 0)) for k in range(top + 1)]


def unscheduled_reasons(session: Session, event: Event) -> tuple[list[Bar], int | None, str]:
    """Reasons of the latest finished meetings run, grouped: (bars, run id, problem), the
    problem being '' or why the run's result shows no reasons ('unreadable', 'format').
    Reasons are grouped by their code, labelled in the reader's language."""
    run = session.scalar(
        select(SolveRun).where(SolveRun.event_id == event.id, SolveRun.kind == RunKind.MEETINGS,
                               SolveRun.status.in_([RunStatus.FINISHED, RunStatus.STOPPED]),
                               SolveRun.result.is_not(None))
        .order_by(SolveRun.finished_at.desc().nulls_last(), SolveRun.id.desc()).limit(1))
    if run is None:
        return [], None, ""
    try:
        document = json.loads(run.result or "")
    except ValueError:
        return [], run.id, "unreadable"
    if not isinstance(document, dict) or document.get("format") != SCHEDULE_FORMAT:
        return [], run.id, "format"
    groups: Counter[str] = Counter()
    for item in document.get("unscheduled") or []:
        if isinstance(item, dict):
            groups[short_label(str(item.get("code") or ""))] += 1
    bars = [Bar(label, n) for label, n in groups.most_common(12)]
    return bars, run.id, ""
