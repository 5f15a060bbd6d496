"""Every solver reason code and run message in words, in English, Dutch and French,
with names in place of the solvers' ids.

These tests need the compiled catalogues (`make translations`).
"""
from __future__ import annotations

import re

import pytest

from matchmaker.i18n import in_language
from matchmaker.marketdialogue import reasons as dialogue_reasons
from matchmaker.schedule import reason_text
from matchmaker.scheduling import reasons as meeting_reasons
from matchmaker.marketdialogue.check import VIOLATION_CODES as DIALOGUE_VIOLATION_CODES
from matchmaker.marketdialogue.check import DialogueViolation
from matchmaker.marketdialogue.check import Rule as DialogueRule
from matchmaker.scheduling.check import VIOLATION_CODES, Rule, Violation


class Names:
    """Names for the ids of a made-up problem (the rendering only asks these)."""

    people = {"p12": "Dries De Smet", "p40": "Sophie Martin"}

    def person(self, pid):
        return self.people[pid]

    def slot(self, sid):
        return {"s3": "10:30", "s4": "11:00"}.get(sid, "?")  # as MeetingNames does

    def table(self, tid):
        return {"T4": "Tafel-Vier", "t7": "Tafel-Zeven"}[tid]

    def meeting_with(self, mid, busy):
        return "" if mid is None else "met Jan Peeters"

    def meeting(self, mid):
        return {"r55": "het gesprek Dries–Sophie", "r56": "het gesprek Jan–Sophie"}[mid]

    def dialogue(self, sid):
        return {"d3": "Circulair Bouwen", "d4": "Textiel Terug"}[sid]

    def organisation(self, oid):
        return "Groene Werf"

    def group(self, code):
        return {"G1": "Bouwmaterialen"}[code]


CAP = {"full": [{"participant": "p12", "cap": 10}]}
LOST = {"busy": [{"participant": "p12", "at": [["s3", "r55"], ["s4", None]]}],
        "tables_taken": {"tables": ["T4"], "at": [["s4", None]]}}
MEETING_CASES = {
    "no_table": ({}, []),
    "no_slot_in_meeting_availability": ({"a": "p12", "b": "p40"}, ["Dries De Smet", "Sophie Martin"]),
    "no_common_slot": ({"a": "p12", "b": "p40"}, ["Dries De Smet", "Sophie Martin"]),
    "cap_reached": (CAP, ["Dries De Smet", "10"]),
    "room_left": ({"slot": "s3"}, ["10:30"]),
    "lost_to_priority": (LOST, ["Dries De Smet", "10:30", "Tafel-Vier"]),
    "lost_to_earlier": ({"busy": [], "tables_taken": {"tables": [], "at": [["s3", None]]}},
                        ["10:30"]),
}
CLOSED = {"code": "too_few_can_attend", "params": {"role": "buyer", "count": 1, "needed": 2}}
PART = {"session": "d3", "table": "t7"}
DIALOGUE_CASES = {
    "too_few_seats": ({"role": "supplier", "seats": 1, "needed": 2}, []),
    "too_few_can_attend": ({"role": "buyer", "count": 0, "needed": 2}, []),
    "nobody_can_attend": ({}, []),
    "lack_of_people": ({"short": [{"role": "buyer", "free": 1, "needed": 2}]}, []),
    "would_take_people": ({"min_buyers": 2, "min_suppliers": 3}, []),
    "moderates": ({"session": "d3"}, ["Circulair Bouwen"]),
    "overlaps_moderated": ({"session": "d3", "other": "d4"}, ["Circulair Bouwen", "Textiel Terug"]),
    "overlaps_seated": ({"session": "d3", "other": "d4", "group": "G1"},
                        ["Circulair Bouwen", "Textiel Terug", "Bouwmaterialen"]),
    "table_closed": (dict(PART, closed=CLOSED), ["Tafel-Zeven", "Circulair Bouwen"]),
    "organisation_limit": (dict(PART, count=2, organisation="o4", max=2),
                           ["Tafel-Zeven", "Groene Werf"]),
    "weight_zero": (PART, ["Tafel-Zeven", "Circulair Bouwen"]),
    "free_seat_breaks_rule": (PART, ["Tafel-Zeven"]),
    "free_seat_unfilled": (PART, ["Tafel-Zeven"]),
    "tables_full": ({"session": "d3", "tables": ["t7"], "sides": ["buyer"], "low": 2, "high": 3,
                     "weight": 1, "participant": "p12"}, ["Tafel-Zeven", "Dries De Smet"]),
    "no_session": ({"group": "G1"}, ["Bouwmaterialen"]),
    "no_seats_for_side": ({"group": "G1", "sides": ["buyer", "supplier"]}, ["Bouwmaterialen"]),
    "every_session_clashes": ({"group": "G1", "clashes": [
        {"code": "moderates", "params": {"session": "d3"}}]}, ["Bouwmaterialen", "Circulair Bouwen"]),
    "no_table_takes_side": ({"group": "G1", "sides": ["supplier"]}, ["Bouwmaterialen"]),
    "seat_notes": ({"notes": [{"code": "weight_zero", "params": PART}]}, ["Tafel-Zeven"]),
}
SOLVER_IDS = re.compile(r"\b[psTtrdo]\d+\b")


def test_every_solver_code_has_a_case():
    assert set(MEETING_CASES) == set(meeting_reasons.REASON_CODES)
    assert set(DIALOGUE_CASES) == set(dialogue_reasons.REASON_CODES)


def _in_three_languages(app, render):
    with app.test_request_context():
        texts = {}
        for language in ("en", "nl", "fr"):
            with in_language(language):
                texts[language] = render()
    return texts


@pytest.mark.parametrize("code", sorted(MEETING_CASES))
def test_meeting_reason_in_three_languages(app, code):
    params, expected = MEETING_CASES[code]
    texts = _in_three_languages(app, lambda: reason_text.render(code, params, Names()))
    assert texts["nl"] != texts["en"] and texts["fr"] != texts["en"]
    for text in texts.values():
        assert not SOLVER_IDS.search(text), text
        assert "max_meetings" not in text
        for words in expected:
            assert words in text, (code, text)


@pytest.mark.parametrize("code", sorted(DIALOGUE_CASES))
def test_dialogue_reason_in_three_languages(app, code):
    params, expected = DIALOGUE_CASES[code]
    texts = _in_three_languages(app, lambda: reason_text.render_dialogue(code, params, Names()))
    assert texts["nl"] != texts["en"] and texts["fr"] != texts["en"]
    for text in texts.values():
        assert not SOLVER_IDS.search(text), text
        for words in expected:
            assert words in text, (code, text)


def test_plain_words_and_plural_forms(app):
    with app.test_request_context():
        names = Names()
        assert reason_text.render("cap_reached", CAP, names) == \
            "Dries De Smet has reached the 10 meetings they allow."
        one = {"full": [{"participant": "p12", "cap": 1}]}
        assert reason_text.render("cap_reached", one, names) == \
            "Dries De Smet has reached the 1 meeting they allow."
        with in_language("nl"):
            assert reason_text.render("cap_reached", CAP, names) == \
                "Dries De Smet heeft het maximum van 10 afspraken bereikt."
        lost = reason_text.render("lost_to_priority", LOST, names)
        assert lost == ("Lost to meetings of higher total priority. Dries De Smet is busy at "
                        "10:30 (met Jan Peeters), 11:00. Tafel-Vier is taken at 11:00.")
        many = {"busy": [{"participant": "p12", "at": [["s3", None]] * 9}], "tables_taken": None}
        assert reason_text.render("lost_to_earlier", many, names).endswith(
            "10:30, 10:30, 3 more times.")


def test_unknown_codes_fall_back_to_the_stored_text(app):
    from matchmaker.scheduling import Unscheduled
    with app.test_request_context():
        with pytest.raises(ValueError):
            reason_text.render("no_such_code", {}, Names())
        old = Unscheduled(meeting="r1", reason="stored words")
        assert reason_text.render_unscheduled(old, Names()) == "stored words"
        broken = Unscheduled(meeting="r1", reason="stored words", code="cap_reached", params={})
        assert reason_text.render_unscheduled(broken, Names()) == "stored words"


AT = {"meeting": "r55", "index": 0}
VIOLATION_CASES = {
    Rule.UNKNOWN_MEETING: (AT, ["Het gesprek Dries–Sophie"]),
    Rule.UNKNOWN_UNSCHEDULED: (AT, ["Het gesprek Dries–Sophie"]),
    Rule.UNKNOWN_SLOT: (dict(AT, slot="s99"), ["Het gesprek Dries–Sophie"]),
    Rule.UNKNOWN_TABLE: (dict(AT, table="T4"), ["Tafel-Vier"]),
    reason_text.SPARE_TABLE: (dict(AT, table="T4"), ["Het gesprek Dries–Sophie", "Tafel-Vier"]),
    Rule.NOT_AVAILABLE: (dict(AT, participant="p12", slot="s3"),
                          ["Dries De Smet", "10:30", "het gesprek Dries–Sophie"]),
    Rule.OUTSIDE_MEETING_TIMES: (dict(AT, slot="s3"), ["10:30"]),
    Rule.NOT_OWN_TABLE: (dict(AT, table="T4", tables=("t7",)), ["Tafel-Vier", "Tafel-Zeven"]),
    Rule.RESERVED_TABLE: (dict(AT, table="T4", people=("p12", "p40")),
                           ["Tafel-Vier", "Dries De Smet, Sophie Martin"]),
    Rule.MISSING: ({"meeting": "r55"}, ["Het gesprek Dries–Sophie"]),
    Rule.REPEATED: ({"meeting": "r55", "count": 2}, ["Het gesprek Dries–Sophie", "2"]),
    Rule.PARTICIPANT_CLASH: ({"participant": "p12", "slot": "s3", "count": 2,
                               "meetings": ("r55", "r56")},
                              ["Dries De Smet", "10:30", "met Jan Peeters"]),
    Rule.TABLE_CLASH: ({"table": "T4", "slot": "s4", "count": 2, "meetings": ("r55", "r56")},
                        ["Tafel-Vier", "11:00", "het gesprek Dries–Sophie",
                         "het gesprek Jan–Sophie"]),
    Rule.OVER_CAP: ({"participant": "p40", "count": 11, "cap": 10},
                     ["Sophie Martin", "11", "10"]),
    Rule.PIN_LEFT_OUT: ({"meeting": "r55", "slot": "s3", "table": "T4"},
                         ["Het gesprek Dries–Sophie", "10:30", "Tafel-Vier"]),
    Rule.PIN_MOVED: ({"meeting": "r55", "slot": "s3", "table": None, "placed_slot": "s4",
                       "placed_table": "t7"}, ["10:30", "11:00", "Tafel-Zeven"]),
}


def test_every_violation_code_has_a_case():
    assert set(VIOLATION_CASES) == set(reason_text.VIOLATION_CODES)
    assert set(VIOLATION_CODES) < set(reason_text.VIOLATION_CODES)


@pytest.mark.parametrize("code", sorted(VIOLATION_CASES))
def test_violation_in_three_languages(app, code):
    fields, expected = VIOLATION_CASES[code]
    violation = Violation(code, **fields)
    texts = _in_three_languages(app, lambda: reason_text.render_violation(violation, Names()))
    assert texts["nl"] != texts["en"] and texts["fr"] != texts["en"]
    for text in texts.values():
        assert not SOLVER_IDS.search(text), text
        assert "max_meetings" not in text and "pinned" not in text and "assignments" not in text
        assert text[0].isupper() and text.endswith("."), text
        for words in expected:
            assert words in text, (code, text)


def test_pins_with_and_without_a_table_and_plural_caps(app):
    with app.test_request_context():
        names = Names()
        left = Violation(Rule.PIN_LEFT_OUT, meeting="r55", slot="s3")
        assert reason_text.render_violation(left, names) == \
            "Het gesprek Dries–Sophie must stay at 10:30, but the draft leaves it out."
        one = Violation(Rule.OVER_CAP, participant="p12", count=2, cap=1)
        assert reason_text.render_violation(one, names) == \
            "Dries De Smet has 2 meetings, more than the 1 meeting they allow."
        with in_language("fr"):
            moved = Violation(Rule.PIN_MOVED, meeting="r55", slot="s3", table="T4",
                              placed_slot="s4", placed_table="t7")
            text = reason_text.render_violation(moved, names)
            assert "10:30" in text and "Tafel-Vier" in text and "11:00" in text
        with pytest.raises(ValueError):
            reason_text.render_violation(Violation("no_such_rule"), names)


D = DialogueRule
AT_TABLE = {"session": "d3", "table": "t7"}
AT_SEAT = dict(AT_TABLE, participant="p12", index=0)
DIALOGUE_VIOLATION_CASES = {
    D.UNKNOWN_PARTICIPANT: (AT_SEAT, []),
    D.UNKNOWN_SESSION: (AT_SEAT, []),
    D.UNKNOWN_TABLE: (AT_SEAT, []),
    D.UNKNOWN_SIDE: (dict(AT_SEAT, side="middle"), []),
    D.WRONG_SIDE: (dict(AT_SEAT, side="supplier", role="buyer"),
                   ["Dries De Smet", "Tafel-Zeven", "Circulair Bouwen"]),
    D.NO_INTEREST: (dict(AT_SEAT, group="G1"), ["Dries De Smet", "Bouwmaterialen"]),
    D.SIDE_FULL: (dict(AT_TABLE, side="buyer", count=3, limit=2),
                  ["Tafel-Zeven", "Circulair Bouwen", "3", "2"]),
    D.TOO_FEW: (dict(AT_TABLE, buyers=1, suppliers=0, min_buyers=1, min_suppliers=2),
                ["Tafel-Zeven", "Circulair Bouwen"]),
    D.ORGANISATION_LIMIT: (dict(AT_TABLE, organisation="o4", count=3, limit=2),
                           ["Tafel-Zeven", "Groene Werf", "3", "2"]),
    D.SEAT_TWICE: (dict(AT_TABLE, participant="p12", count=2), ["Dries De Smet", "Tafel-Zeven"]),
    D.OVERLAP: ({"participant": "p12", "session": "d3", "other": "d4"},
                ["Dries De Smet", "Circulair Bouwen", "Textiel Terug"]),
    D.WHILE_MODERATING: ({"participant": "p12", "session": "d3", "other": "d4"},
                         ["Dries De Smet", "Circulair Bouwen", "Textiel Terug"]),
    D.ONE_PER_GROUP: ({"participant": "p12", "group": "G1", "count": 2},
                      ["Dries De Smet", "Bouwmaterialen"]),
    D.CLOSED_UNKNOWN: (AT_TABLE, []),
    D.CLOSED_WITH_SEATS: (AT_TABLE, ["Tafel-Zeven", "Circulair Bouwen"]),
    D.CLOSED_REPEATED: (dict(AT_TABLE, count=2), ["Tafel-Zeven"]),
    D.EMPTY_NOT_CLOSED: (AT_TABLE, ["Tafel-Zeven", "Circulair Bouwen"]),
    D.UNSEATED_SEATED: ({"participant": "p12", "group": "G1"}, ["Dries De Smet", "Bouwmaterialen"]),
    D.UNSEATED_NOT_ASKED: ({"participant": "p12", "group": "G1"},
                           ["Dries De Smet", "Bouwmaterialen"]),
    D.UNSEATED_REPEATED: ({"participant": "p12", "group": "G1", "count": 2},
                          ["Dries De Smet", "Bouwmaterialen"]),
    D.NOT_EXPLAINED: ({"participant": "p12", "group": "G1"}, ["Dries De Smet", "Bouwmaterialen"]),
    D.WRONG_VALUE: ({"stated": 99, "value": 10}, ["99", "10"]),
    D.BOUND_BELOW_VALUE: ({"bound": 9, "value": 10}, ["9", "10"]),
    D.OPTIMAL_UNPROVEN: ({"bound": 11, "value": 10}, ["11", "10"]),
}


def test_every_dialogue_violation_code_has_a_case():
    assert set(DIALOGUE_VIOLATION_CASES) == set(DIALOGUE_VIOLATION_CODES)


@pytest.mark.parametrize("code", sorted(DIALOGUE_VIOLATION_CASES))
def test_dialogue_violation_in_three_languages(app, code):
    fields, expected = DIALOGUE_VIOLATION_CASES[code]
    violation = DialogueViolation(code, **fields)
    texts = _in_three_languages(
        app, lambda: reason_text.render_dialogue_violation(violation, Names()))
    assert texts["nl"] != texts["en"] and texts["fr"] != texts["en"]
    for text in texts.values():
        assert not SOLVER_IDS.search(text), text
        assert "closed_tables" not in text and "unseated" not in text and "stats" not in text
        assert text[0].isupper() and text.endswith("."), text
        for words in expected:
            assert words in text, (code, text)


RUN_MESSAGES = {
    reason_text.RESTARTED: {},
    reason_text.PROCESS_GONE: {},
    reason_text.QUEUE_LOST: {},
    reason_text.MEETINGS_SUMMARY: {"scheduled": 3, "requested": 4, "status": "optimal"},
    reason_text.SEATS_SUMMARY: {"seats": 5, "status": "feasible"},
    reason_text.STOPPED_EARLY: {"summary": {"code": "seats_summary",
                                            "params": {"seats": 1, "status": "feasible"}}},
    reason_text.LOCKED_CANNOT_STAY: {"reason": "X"},
    reason_text.DIALOGUE_CLASH: {"reason": "X"},
    reason_text.IMPORTED: {"file": "plan.json", "placed": 7},
}


@pytest.mark.parametrize("code", sorted(RUN_MESSAGES))
def test_run_message_in_three_languages(app, code):
    stored = reason_text.encode_message(code, **RUN_MESSAGES[code])
    assert reason_text.decode_message(stored) == (code, RUN_MESSAGES[code])
    texts = _in_three_languages(app, lambda: reason_text.describe_message(stored))
    assert texts["nl"] != texts["en"] and texts["fr"] != texts["en"]
    assert "code" not in texts["en"] and "{" not in texts["nl"]
