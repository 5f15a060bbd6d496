"""The rules a draft breaks, in the reader's language.

The checkers' violations of a draft (`scheduling.check.Violation`,
`marketdialogue.check.DialogueViolation`) name the solvers' ids; `render_violation` and
`render_dialogue_violation` put them in words with people's names, tables, times and
sessions (`solver_names`).
"""
from __future__ import annotations

from flask_babel import gettext as _, ngettext

from ..exports.tables import side_in_sentence
from ..marketdialogue.check import DialogueViolation, Rule as DialogueRule
from ..scheduling.check import VIOLATION_CODES as CHECK_CODES, Rule, Violation
from .solver_names import DialogueNames, MeetingNames, role_count


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
                 buyers=role_count("buyer", int(v.buyers or 0)),
                 suppliers=role_count("supplier", int(v.suppliers or 0)),
                 min_buyers=role_count("buyer", int(v.min_buyers or 0)),
                 min_suppliers=role_count("supplier", int(v.min_suppliers or 0)),
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
