"""Why the solvers left a meeting unscheduled, a dialogue table closed or an interest
without a seat, in the reader's language.

The solvers give a reason as a code with parameters that name their own ids; `render`
(one-to-one meetings) and `render_dialogue` (market dialogues) put them in words with one
message per code, the ids resolved by a names object (`solver_names`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _, ngettext

from ..exports.tables import side_in_sentence
from .solver_names import DialogueNames, MeetingNames, role_count

MAX_LISTED = 6


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
    """An `Unscheduled` in words."""
    return _by_code_or_text(item, render, names)


def _by_code_or_text(item, render_code: Callable[[str, Mapping[str, Any], Any], str],
                     names: MeetingNames | DialogueNames) -> str:
    """A left-out item in words: by its code, or its stored text when it has none (a
    draft written before reasons had codes) or one this version cannot put in words."""
    if item.code:
        try:
            return render_code(item.code, item.params, names)
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


# --- market dialogues ------------------------------------------------------------------

def _sides(sides: list[str]) -> str:
    return _(" or ").join(side_in_sentence(s) for s in sides)



def _closed(code: str, p: Mapping[str, Any]) -> str | None:
    if code == "too_few_seats":
        return _("It has seats for %(seats)s, while at least %(needed)s are needed to open it.",
                 seats=role_count(p["role"], int(p["seats"])),
                 needed=role_count(p["role"], int(p["needed"])))
    if code == "too_few_can_attend":
        return _("Only %(count)s can attend, while at least %(needed)s are needed to open it.",
                 count=role_count(p["role"], int(p["count"])),
                 needed=role_count(p["role"], int(p["needed"])))
    if code == "nobody_can_attend":
        return _("Nobody can attend.")
    if code == "lack_of_people":
        short = "; ".join(_("%(free)s free of %(needed)d needed",
                            free=role_count(s["role"], int(s["free"])), needed=int(s["needed"]))
                          for s in p["short"])
        return _("Closed for lack of people (%(short)s): the others sit at other tables.",
                 short=short)
    if code == "would_take_people":
        return _("Closed: opening it would take people from other tables (it needs %(buyers)s "
                 "and %(suppliers)s).", buyers=role_count("buyer", int(p["min_buyers"])),
                 suppliers=role_count("supplier", int(p["min_suppliers"])))
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
    """An `Unseated` in words."""
    return _by_code_or_text(item, render_dialogue, names)
