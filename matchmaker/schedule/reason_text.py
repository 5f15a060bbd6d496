"""The solver's reasons and the runs' messages in the reader's language and in names.

The solvers give a reason as a code with parameters that name their own ids (p12, s3,
T4, r55, x7 for one-to-one meetings; p12, d3, t7, o4 and product group codes for market
dialogues). `render` and `render_dialogue` put them in words with one message per code,
the ids resolved to people, times, tables and sessions by a names object built from the
event problem (`MeetingNames`, `DialogueNames`). The checkers' violations of a draft
(`scheduling.check.Violation`, `marketdialogue.check.DialogueViolation`) are put in words
the same way (`render_violation`, `render_dialogue_violation`). A run's message is stored
as a code with parameters too (`encode_message`) and put in words when shown
(`describe_message`).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _, ngettext
from sqlalchemy.orm import Session

from ..exports.tables import side_in_sentence
from ..i18n import group_name
from ..models import Event, MeetingRequest, Organisation, Participation
from ..scheduling.check import VIOLATION_CODES as CHECK_CODES, Rule, Violation
from ..marketdialogue.check import DialogueViolation, Rule as DialogueRule
from ..timeutil import format_time
from . import solving

MAX_LISTED = 6


class MeetingNames:
    """People, times, tables and meetings behind the ids of a one-to-one problem."""

    def __init__(self, session: Session, event: Event, ep: solving.EventProblem) -> None:
        self.session, self.event, self.ep = session, event, ep
        self._pairs: dict[str, tuple[str, ...]] | None = None

    def person(self, pid: str) -> str:
        p = self.ep.people.get(pid)
        if p is None:
            number = solving.parse_key(pid, "p")
            p = self.session.get(Participation, number) if number is not None else None
        if p is None or p.event_id != self.event.id:
            return _("someone who left the event")
        return p.user.name

    def slot(self, sid: str) -> str:
        s = self.ep.slots.get(sid)
        return format_time(s.starts_at, self.event.timezone) if s is not None else "?"

    def table(self, tid: str) -> str:
        t = self.ep.tables.get(tid) or next(
            (t for t in self.event.tables if solving.table_key(t.number) == tid), None)
        if t is not None:
            return t.label
        return _("Table %(number)s", number=tid.lstrip("T"))

    def meeting(self, mid: str) -> str:
        """'the meeting of A and B' for a meeting of the problem or a request of the event."""
        if self._pairs is None:
            self._pairs = {m.id: m.participants for m in self.ep.problem.meetings}
        pair = self._pairs.get(mid)
        if pair is None:
            r = self.ep.requests.get(mid)
            number = solving.parse_key(mid, "r")
            if r is None and number is not None:
                r = self.session.get(MeetingRequest, number)
            if r is not None and r.event_id == self.event.id:
                pair = (solving.person_key(r.sender_id), solving.person_key(r.recipient_id))
        if pair is None or len(pair) != 2:
            return _("a meeting this event does not know")
        a, b = (self.person(p) for p in pair)
        if mid.startswith("x"):
            return _("the missed meeting of %(a)s and %(b)s", a=a, b=b)
        return _("the meeting of %(a)s and %(b)s", a=a, b=b)

    def meeting_with(self, mid: str | None, busy: str) -> str:
        """Who `busy` meets in meeting `mid` ('' when unknown)."""
        if mid is None:
            return ""
        if mid.startswith("x"):
            return _("a missed meeting kept at its table")
        r = self.ep.requests.get(mid)
        if r is None:
            return ""
        other = r.recipient if solving.person_key(r.sender_id) == busy else r.sender
        return _("with %(name)s", name=other.user.name)


class DialogueNames:
    """People, sessions, tables, organisations and product groups of a dialogue problem."""

    def __init__(self, session: Session, built: solving.EventDialogue) -> None:
        self.session, self.built = session, built
        self.tables = {tid: t for (_sid, tid), t in built.tables.items()}
        self.groups = {g.code: group_name(g) for g in built.event.product_groups}

    def person(self, pid: str) -> str:
        p = self.built.people.get(pid)
        return p.user.name if p is not None else _("someone who left the event")

    def dialogue(self, sid: str) -> str:
        d = self.built.sessions.get(sid)
        if d is None:
            return _("a removed session")
        return d.name or group_name(d.product_group)

    def table(self, tid: str) -> str:
        t = self.tables.get(tid)
        return _("Table %(number)s", number=t.label if t is not None else "?")

    def organisation(self, oid: str | None) -> str:
        number = solving.parse_key(oid or "", "o")
        org = self.session.get(Organisation, number) if number is not None else None
        return org.name if org is not None else _("their organisation")

    def group(self, code: str) -> str:
        return self.groups.get(code, code)


# --- one-to-one meetings -------------------------------------------------------------

def _times(items: list, busy: str, names: MeetingNames) -> str:
    parts = []
    for slot, mid in items[:MAX_LISTED]:
        with_whom = names.meeting_with(mid, busy)
        time = names.slot(slot)
        parts.append(_("%(time)s (%(what)s)", time=time, what=with_whom) if with_whom else time)
    if len(items) > MAX_LISTED:
        more = len(items) - MAX_LISTED
        parts.append(ngettext("%(num)d more time", "%(num)d more times", more))
    return ", ".join(parts)


def render(code: str, params: Mapping[str, Any], names: MeetingNames) -> str:
    """Why a meeting stayed unscheduled, in the reader's language."""
    if code == "no_table":
        return _("No table may host it: every table is the stand of another participant.")
    if code == "no_slot_in_meeting_availability":
        return _("No time within the meeting's own availability suits both %(a)s and %(b)s.",
                 a=names.person(params["a"]), b=names.person(params["b"]))
    if code == "no_common_slot":
        return _("%(a)s and %(b)s are never available at the same time.",
                 a=names.person(params["a"]), b=names.person(params["b"]))
    if code == "cap_reached":
        return " ".join(ngettext("%(name)s has reached the %(num)d meeting they allow.",
                                 "%(name)s has reached the %(num)d meetings they allow.",
                                 int(full["cap"]), name=names.person(full["participant"]))
                        for full in params["full"])
    if code == "room_left":
        return _("Not placed although there is room at %(time)s: the search stopped before "
                 "it found this improvement.", time=names.slot(params["slot"]))
    if code in ("lost_to_priority", "lost_to_earlier"):
        parts = [_("Lost to meetings of higher total priority.") if code == "lost_to_priority"
                 else _("Lost to requests made earlier.")]
        for busy in params.get("busy") or []:
            parts.append(_("%(name)s is busy at %(times)s.", name=names.person(busy["participant"]),
                           times=_times(busy["at"], busy["participant"], names)))
        taken = params.get("tables_taken")
        if taken:
            times = _times(taken["at"], "", names)
            if taken["tables"]:
                parts.append(_("%(table)s is taken at %(times)s.", times=times,
                               table=" / ".join(names.table(t) for t in taken["tables"])))
            else:
                parts.append(_("Every shared table is taken at %(times)s.", times=times))
        return " ".join(parts)
    raise ValueError(f"unknown reason code {code!r}")


def render_unscheduled(item, names: MeetingNames) -> str:
    """An `Unscheduled` in words: by its code, or its stored text when it has none (a
    draft written before reasons had codes)."""
    if item.code:
        try:
            return render(item.code, item.params, names)
        except (KeyError, TypeError, ValueError):
            pass
    return item.reason or _("No reason given.")


def short_label(code: str) -> str:
    """A few words for a reason code, to group reasons on the dashboard."""
    labels = {
        "no_table": _("No table allowed"),
        "no_slot_in_meeting_availability": _("No time in the meeting's availability"),
        "no_common_slot": _("Never available together"),
        "cap_reached": _("Meeting limit reached"),
        "room_left": _("Search stopped early"),
        "lost_to_priority": _("Lost to higher priorities"),
        "lost_to_earlier": _("Lost to earlier requests"),
    }
    return labels.get(code) or _("Other reasons")


# --- broken rules of a one-to-one draft -----------------------------------------------

SPARE_TABLE = "spare_table"  # a draft's meeting at a spare table its run may not use
VIOLATION_CODES = (*CHECK_CODES, SPARE_TABLE)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _at(names: MeetingNames, slot: str | None, table: str | None) -> dict[str, str]:
    return {"time": names.slot(slot) if slot else "?",
            "table": names.table(table) if table else ""}


def render_violation(v: Violation, names: MeetingNames) -> str:
    """A rule a draft breaks (`scheduling.check`, or a spare table), in the reader's
    language, with people's names, tables and times."""
    return _sentence(_violation(v, names))


def _violation(v: Violation, names: MeetingNames) -> str:
    code = v.code
    meeting = names.meeting(v.meeting) if v.meeting else ""
    at = _at(names, v.slot, v.table)
    if code in (Rule.UNKNOWN_MEETING, Rule.UNKNOWN_UNSCHEDULED):
        return _("%(meeting)s is in the draft, but not among the meetings to schedule now.",
                 meeting=meeting)
    if code == Rule.UNKNOWN_SLOT:
        return _("%(meeting)s is at a time the event no longer has.", meeting=meeting)
    if code == SPARE_TABLE:
        return _("%(meeting)s is at %(table)s, a spare table this run may not use.",
                 meeting=meeting, table=at["table"])
    if code == Rule.UNKNOWN_TABLE:
        return _("%(meeting)s is at %(table)s, which the event no longer has.",
                 meeting=meeting, table=at["table"])
    if code == Rule.NOT_AVAILABLE:
        return _("%(name)s is not available at %(time)s, the time of %(meeting)s.",
                 name=names.person(v.participant or ""), time=at["time"], meeting=meeting)
    if code == Rule.OUTSIDE_MEETING_TIMES:
        return _("%(meeting)s is at %(time)s, outside the times allowed for it.",
                 meeting=meeting, time=at["time"])
    if code == Rule.NOT_OWN_TABLE:
        return _("%(meeting)s is at %(table)s, but its place is %(tables)s.", meeting=meeting,
                 table=at["table"], tables=_(" or ").join(names.table(t) for t in v.tables))
    if code == Rule.RESERVED_TABLE:
        return _("%(meeting)s is at %(table)s, the stand of %(people)s.", meeting=meeting,
                 table=at["table"], people=", ".join(names.person(p) for p in v.people))
    if code == Rule.MISSING:
        return _("%(meeting)s is missing from the draft.", meeting=meeting)
    if code == Rule.REPEATED:
        return ngettext("%(meeting)s appears %(num)d time in the draft.",
                        "%(meeting)s appears %(num)d times in the draft.", int(v.count or 0),
                        meeting=meeting)
    return _clash(v, names, meeting, at)


def _clash(v: Violation, names: MeetingNames, meeting: str, at: dict[str, str]) -> str:
    code = v.code
    if code == Rule.PARTICIPANT_CLASH:
        busy = v.participant or ""
        return ngettext("%(name)s has %(num)d meeting at %(time)s: %(meetings)s.",
                        "%(name)s has %(num)d meetings at %(time)s: %(meetings)s.",
                        int(v.count or 0), name=names.person(busy), time=at["time"],
                        meetings=", ".join(names.meeting_with(mid, busy) or names.meeting(mid)
                                           for mid in v.meetings))
    if code == Rule.TABLE_CLASH:
        return ngettext("%(table)s has %(num)d meeting at %(time)s: %(meetings)s.",
                        "%(table)s has %(num)d meetings at %(time)s: %(meetings)s.",
                        int(v.count or 0), table=at["table"], time=at["time"],
                        meetings="; ".join(names.meeting(mid) for mid in v.meetings))
    if code == Rule.OVER_CAP:
        return ngettext("%(name)s has %(count)d meetings, more than the %(num)d meeting they "
                        "allow.",
                        "%(name)s has %(count)d meetings, more than the %(num)d meetings they "
                        "allow.", int(v.cap or 0), name=names.person(v.participant or ""),
                        count=int(v.count or 0))
    if code == Rule.PIN_LEFT_OUT:
        if v.table:
            return _("%(meeting)s must stay at %(time)s at %(table)s, but the draft leaves it "
                     "out.", meeting=meeting, **at)
        return _("%(meeting)s must stay at %(time)s, but the draft leaves it out.",
                 meeting=meeting, time=at["time"])
    if code == Rule.PIN_MOVED:
        placed = _at(names, v.placed_slot, v.placed_table)
        if v.table:
            return _("%(meeting)s must stay at %(time)s at %(table)s, but the draft puts it at "
                     "%(placed_time)s at %(placed_table)s.", meeting=meeting,
                     placed_time=placed["time"], placed_table=placed["table"], **at)
        return _("%(meeting)s must stay at %(time)s, but the draft puts it at %(placed_time)s "
                 "at %(placed_table)s.", meeting=meeting, time=at["time"],
                 placed_time=placed["time"], placed_table=placed["table"])
    raise ValueError(f"unknown violation code {code!r}")


# --- market dialogues ------------------------------------------------------------------

def _sides(sides: list[str]) -> str:
    return _(" or ").join(side_in_sentence(s) for s in sides)


def _role_count(role: str, count: int) -> str:
    if role == "buyer":
        return ngettext("%(num)d buyer", "%(num)d buyers", count)
    return ngettext("%(num)d supplier", "%(num)d suppliers", count)


def _closed(code: str, p: Mapping[str, Any]) -> str | None:
    if code == "too_few_seats":
        return _("It has seats for %(seats)s, while at least %(needed)s are needed to open it.",
                 seats=_role_count(p["role"], int(p["seats"])),
                 needed=_role_count(p["role"], int(p["needed"])))
    if code == "too_few_can_attend":
        return _("Only %(count)s can attend, while at least %(needed)s are needed to open it.",
                 count=_role_count(p["role"], int(p["count"])),
                 needed=_role_count(p["role"], int(p["needed"])))
    if code == "nobody_can_attend":
        return _("Nobody can attend.")
    if code == "lack_of_people":
        short = "; ".join(_("%(free)s free of %(needed)d needed",
                            free=_role_count(s["role"], int(s["free"])), needed=int(s["needed"]))
                          for s in p["short"])
        return _("Closed for lack of people (%(short)s): the others sit at other tables.",
                 short=short)
    if code == "would_take_people":
        return _("Closed: opening it would take people from other tables (it needs %(buyers)s "
                 "and %(suppliers)s).", buyers=_role_count("buyer", int(p["min_buyers"])),
                 suppliers=_role_count("supplier", int(p["min_suppliers"])))
    return None


def _part(code: str, p: Mapping[str, Any], names: DialogueNames) -> str | None:
    if code == "moderates":
        return _("They moderate %(session)s.", session=names.dialogue(p["session"]))
    if code == "overlaps_moderated":
        return _("%(session)s overlaps %(other)s, which they moderate.",
                 session=names.dialogue(p["session"]), other=names.dialogue(p["other"]))
    if code == "overlaps_seated":
        return _("%(session)s overlaps %(other)s (%(group)s), where they have a seat.",
                 session=names.dialogue(p["session"]), other=names.dialogue(p["other"]),
                 group=names.group(p["group"]))
    if code not in ("table_closed", "organisation_limit", "weight_zero", "free_seat_breaks_rule",
                    "free_seat_unfilled"):
        return _tables_full(p, names) if code == "tables_full" else None
    table = {"table": names.table(p["table"]), "session": names.dialogue(p["session"])}
    if code == "table_closed":
        return _("%(table)s of %(session)s stays closed. %(reason)s",
                 reason=render_dialogue(p["closed"]["code"], p["closed"]["params"], names), **table)
    if code == "organisation_limit":
        return ngettext("%(table)s of %(session)s already has %(num)d person from "
                        "%(organisation)s, the most it may have is %(max)d.",
                        "%(table)s of %(session)s already has %(num)d people from "
                        "%(organisation)s, the most it may have is %(max)d.", int(p["count"]),
                        organisation=names.organisation(p.get("organisation")),
                        max=int(p["max"]), **table)
    if code == "weight_zero":
        return _("%(table)s of %(session)s has a free seat, but an interest of weight 0 "
                 "adds nothing.", **table)
    if code == "free_seat_breaks_rule":
        return _("%(table)s of %(session)s has a free seat, but taking it would break a rule "
                 "elsewhere.", **table)
    return _("%(table)s of %(session)s has a free seat the solver did not fill within the "
             "time limit.", **table)


def _tables_full(p: Mapping[str, Any], names: DialogueNames) -> str:
    low, high = int(p["low"]), int(p["high"])
    span = str(low) if low == high else _("%(low)d to %(high)d", low=low, high=high)
    return ngettext("%(tables)s of %(session)s is full on the %(side)s: its seats went to "
                    "interests of weight %(span)s, against %(weight)d for %(name)s.",
                    "%(tables)s of %(session)s are full on the %(side)s: their seats went "
                    "to interests of weight %(span)s, against %(weight)d for %(name)s.",
                    len(p["tables"]), tables=", ".join(names.table(t) for t in p["tables"]),
                    session=names.dialogue(p["session"]), side=_sides(p["sides"]),
                    span=span, weight=int(p["weight"]), name=names.person(p["participant"]))


def _unseated(code: str, p: Mapping[str, Any], names: DialogueNames) -> str | None:
    if code == "no_session":
        return _("This event has no session on %(group)s.", group=names.group(p["group"]))
    if code == "no_seats_for_side":
        return _("The tables on %(group)s have no seats on the %(side)s.",
                 group=names.group(p["group"]), side=_sides(p["sides"]))
    if code == "every_session_clashes":
        return _("Every session on %(group)s overlaps one they attend or moderate. %(clashes)s",
                 group=names.group(p["group"]),
                 clashes=" ".join(render_dialogue(c["code"], c["params"], names)
                                  for c in p["clashes"]))
    if code == "no_table_takes_side":
        return _("No table on %(group)s takes anyone on the %(side)s.",
                 group=names.group(p["group"]), side=_sides(p["sides"]))
    if code == "seat_notes":
        return " ".join(render_dialogue(n["code"], n["params"], names) for n in p["notes"])
    return None


def render_dialogue(code: str, params: Mapping[str, Any], names: DialogueNames) -> str:
    """Why a dialogue table stayed closed or an interest got no seat, in the reader's
    language."""
    text = _closed(code, params)
    if text is None:
        text = _part(code, params, names)
    if text is None:
        text = _unseated(code, params, names)
    if text is None:
        raise ValueError(f"unknown reason code {code!r}")
    return text


def render_unseated(item, names: DialogueNames) -> str:
    if item.code:
        try:
            return render_dialogue(item.code, item.params, names)
        except (KeyError, TypeError, ValueError):
            pass
    return item.reason or _("No reason given.")


# --- broken rules of a dialogue plan ---------------------------------------------------

def _role(role: str | None) -> str:
    return {"buyer": _("a buyer"), "supplier": _("a supplier"),
            "facilitator": _("a facilitator")}.get(role or "", role or "")


def render_dialogue_violation(v: DialogueViolation, names: DialogueNames) -> str:
    """A rule a dialogue plan breaks (`marketdialogue.check`), in the reader's language,
    with people's names, sessions and tables."""
    text = _dialogue_seat_rule(v, names)
    if text is None:
        text = _dialogue_plan_rule(v, names)
    return _sentence(text)


def _at_table(v: DialogueViolation, names: DialogueNames) -> dict[str, str]:
    return {"table": names.table(v.table or ""), "session": names.dialogue(v.session or "")}


def _dialogue_seat_rule(v: DialogueViolation, names: DialogueNames) -> str | None:
    code = v.code
    name = names.person(v.participant) if v.participant else ""
    if code in (DialogueRule.UNKNOWN_PARTICIPANT, DialogueRule.UNKNOWN_SESSION,
                DialogueRule.UNKNOWN_TABLE, DialogueRule.UNKNOWN_SIDE):
        return _("A seat of the plan names a person, session, table or side the event does "
                 "not have.")
    if code == DialogueRule.WRONG_SIDE:
        return _("%(name)s sits on the %(side)s at %(table)s of %(session)s, but takes part as "
                 "%(role)s.", name=name, side=side_in_sentence(v.side or "buyer"),
                 role=_role(v.role), **_at_table(v, names))
    if code == DialogueRule.NO_INTEREST:
        return _("%(name)s sits at %(table)s of %(session)s without asking for %(group)s.",
                 name=name, group=names.group(v.group or ""), **_at_table(v, names))
    if code == DialogueRule.SIDE_FULL:
        return ngettext("%(table)s of %(session)s has %(count)d people on the %(side)s, for "
                        "%(num)d seat.",
                        "%(table)s of %(session)s has %(count)d people on the %(side)s, for "
                        "%(num)d seats.", int(v.limit or 0), count=int(v.count or 0),
                        side=side_in_sentence(v.side or "buyer"), **_at_table(v, names))
    if code == DialogueRule.TOO_FEW:
        return _("%(table)s of %(session)s opens with %(buyers)s and %(suppliers)s, while it "
                 "needs at least %(min_buyers)s and %(min_suppliers)s.",
                 buyers=_role_count("buyer", int(v.buyers or 0)),
                 suppliers=_role_count("supplier", int(v.suppliers or 0)),
                 min_buyers=_role_count("buyer", int(v.min_buyers or 0)),
                 min_suppliers=_role_count("supplier", int(v.min_suppliers or 0)),
                 **_at_table(v, names))
    if code == DialogueRule.ORGANISATION_LIMIT:
        return ngettext("%(table)s of %(session)s seats %(num)d person from %(organisation)s, "
                        "more than the %(max)d it may have.",
                        "%(table)s of %(session)s seats %(num)d people from %(organisation)s, "
                        "more than the %(max)d it may have.", int(v.count or 0),
                        organisation=names.organisation(v.organisation), max=int(v.limit or 0),
                        **_at_table(v, names))
    if code == DialogueRule.SEAT_TWICE:
        return ngettext("%(name)s has %(num)d seat at %(table)s of %(session)s.",
                        "%(name)s has %(num)d seats at %(table)s of %(session)s.",
                        int(v.count or 0), name=name, **_at_table(v, names))
    if code == DialogueRule.OVERLAP:
        return _("%(name)s has seats in %(session)s and %(other)s, which overlap.", name=name,
                 session=names.dialogue(v.session or ""), other=names.dialogue(v.other or ""))
    if code == DialogueRule.WHILE_MODERATING:
        return _("%(name)s has a seat in %(session)s while moderating %(other)s.", name=name,
                 session=names.dialogue(v.session or ""), other=names.dialogue(v.other or ""))
    if code == DialogueRule.ONE_PER_GROUP:
        return ngettext("%(name)s has seats in %(num)d session on %(group)s; one is the most.",
                        "%(name)s has seats in %(num)d sessions on %(group)s; one is the most.",
                        int(v.count or 0), name=name, group=names.group(v.group or ""))
    return None


def _dialogue_plan_rule(v: DialogueViolation, names: DialogueNames) -> str:
    code = v.code
    if code == DialogueRule.CLOSED_UNKNOWN:
        return _("The plan closes a table the event does not have.")
    if code == DialogueRule.CLOSED_WITH_SEATS:
        return _("The plan lists %(table)s of %(session)s as closed, but seats people there.",
                 **_at_table(v, names))
    if code == DialogueRule.CLOSED_REPEATED:
        return _("The plan lists %(table)s of %(session)s as closed more than once.",
                 **_at_table(v, names))
    if code == DialogueRule.EMPTY_NOT_CLOSED:
        return _("%(table)s of %(session)s is empty, but the plan does not list it as closed.",
                 **_at_table(v, names))
    if code == DialogueRule.UNSEATED_SEATED:
        return _("The plan gives %(name)s a seat on %(group)s and also says why they have none.",
                 **_who(v, names))
    if code == DialogueRule.UNSEATED_NOT_ASKED:
        return _("The plan says why %(name)s has no seat on %(group)s, which they do not ask "
                 "for (any more).", **_who(v, names))
    if code == DialogueRule.UNSEATED_REPEATED:
        return _("The plan says more than once why %(name)s has no seat on %(group)s.",
                 **_who(v, names))
    if code == DialogueRule.NOT_EXPLAINED:
        return _("%(name)s asks for %(group)s, but the plan gives them neither a seat nor a "
                 "reason (a choice made after the run?).", **_who(v, names))
    if code == DialogueRule.WRONG_VALUE:
        return _("The plan states an interest value of %(stated)s, while its seats give "
                 "%(value)s.", stated=v.stated, value=_number(v.value))
    if code == DialogueRule.BOUND_BELOW_VALUE:
        return _("The plan's bound %(bound)s is below its interest value %(value)s.",
                 bound=_number(v.bound), value=_number(v.value))
    if code == DialogueRule.OPTIMAL_UNPROVEN:
        return _("The plan says it is optimal, but its bound %(bound)s differs from its "
                 "interest value %(value)s.", bound=_number(v.bound), value=_number(v.value))
    raise ValueError(f"unknown violation code {code!r}")


def _who(v: DialogueViolation, names: DialogueNames) -> dict[str, str]:
    return {"name": names.person(v.participant or ""), "group": names.group(v.group or "")}


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


# --- run messages --------------------------------------------------------------------

RESTARTED = "restarted"
PROCESS_GONE = "process_gone"
QUEUE_LOST = "queue_lost"
MEETINGS_SUMMARY = "meetings_summary"  # scheduled, requested, status
SEATS_SUMMARY = "seats_summary"  # seats, status
STOPPED_EARLY = "stopped_early"  # summary: {"code", "params"}
LOCKED_CANNOT_STAY = "locked_cannot_stay"  # reason: the solver's check, in names
DIALOGUE_CLASH = "dialogue_clash"  # reason
IMPORTED = "imported"  # file, placed


def encode_message(code: str, **params: Any) -> str:
    """A run message as stored in `SolveRun.message`: a JSON object with a code."""
    return json.dumps({"code": code, "params": params}, ensure_ascii=False, sort_keys=True)


def decode_message(message: str | None) -> tuple[str, dict[str, Any]] | None:
    """(code, params) of a stored run message, or None for a plain text (an unexpected
    error's own words, or a message stored before messages had codes)."""
    if not message or not message.startswith("{"):
        return None
    try:
        data = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str) \
            or not isinstance(data.get("params", {}), dict):
        return None
    return data["code"], data.get("params", {})


def _status(status: str) -> str:
    return {"optimal": _("optimal"), "feasible": _("feasible")}.get(status, status)


def message_text(code: str, params: Mapping[str, Any]) -> str:
    if code == RESTARTED:
        return _("The application restarted while this run was in progress.")
    if code == PROCESS_GONE:
        return _("Stopped; the process running it is gone.")
    if code == QUEUE_LOST:
        return _("Stopped; the job queue no longer had it (Redis lost its data).")
    if code == MEETINGS_SUMMARY:
        return ngettext("%(scheduled)d of %(num)d meeting scheduled (%(status)s).",
                        "%(scheduled)d of %(num)d meetings scheduled (%(status)s).",
                        int(params["requested"]), scheduled=int(params["scheduled"]),
                        status=_status(params["status"]))
    if code == SEATS_SUMMARY:
        return ngettext("%(num)d seat taken (%(status)s).", "%(num)d seats taken (%(status)s).",
                        int(params["seats"]), status=_status(params["status"]))
    if code == STOPPED_EARLY:
        summary = params["summary"]
        return _("Stopped early; best result kept. %(summary)s",
                 summary=message_text(summary["code"], summary.get("params", {})))
    if code == LOCKED_CANNOT_STAY:
        return _("A locked meeting cannot be kept: %(reason)s. Unlock or move it, then start "
                 "a new run.", reason=params["reason"])
    if code == DIALOGUE_CLASH:
        return _("A locked meeting clashes with a market dialogue: %(reason)s. Unlock or move "
                 "it first.", reason=params["reason"])
    if code == IMPORTED:
        return ngettext("Imported from %(file)s: %(num)d meeting placed.",
                        "Imported from %(file)s: %(num)d meetings placed.", int(params["placed"]),
                        file=params["file"])
    raise ValueError(f"unknown run message {code!r}")


def describe_message(message: str | None) -> str:
    """A stored run message in the current language; a plain text is shown as it is."""
    decoded = decode_message(message)
    if decoded is None:
        return message or ""
    try:
        return message_text(*decoded)
    except (KeyError, TypeError, ValueError):
        return message or ""
