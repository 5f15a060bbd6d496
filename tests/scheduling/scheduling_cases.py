"""Shared cases for the scheduling tests: the contract's example and broken variants of it."""
from __future__ import annotations

from matchmaker.scheduling import dumps_instance, dumps_schedule, parse_instance, parse_schedule

EXAMPLE = {
    "format": "matchmaker-instance/1",
    "event": {"name": "Buyer meets Supplier", "timezone": "Europe/Brussels"},
    "slots": [
        {"id": "s01", "start": "2026-11-21T13:00:00", "end": "2026-11-21T13:20:00"},
        {"id": "s02", "start": "2026-11-21T13:25:00", "end": "2026-11-21T13:45:00"},
    ],
    "tables": [{"id": "T01"}, {"id": "T02"}, {"id": "STAND-7"}],
    "participants": [
        {"id": "p1", "role": "buyer", "available": ["s01", "s02"], "max_meetings": 6},
        {"id": "p2", "role": "supplier", "table": "STAND-7"},
        {"id": "p3", "role": "facilitator"},
        {"id": "p4", "role": "buyer"},
    ],
    "meetings": [
        {"id": "m1", "participants": ["p1", "p2"], "priority": 3},
        {"id": "m2", "participants": ["p1", "p3"], "priority": 1,
         "fixed": {"slot": "s02", "table": "T01"}},
        {"id": "m4", "participants": ["p4", "p2"], "available": ["s02"], "fixed": {"slot": "s02"}},
        {"id": "m3", "participants": ["p2", "p3"], "previous": {"slot": "s01", "table": "STAND-7"}},
    ],
}



def _set(path: str, value):
    """A change to the example: a dotted path (list indices as numbers) set to value;
    the value `...` deletes the key."""
    def change(data: dict) -> dict:
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        target = data
        for k in keys[:-1]:
            target = target[k]
        if value is ...:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
        return data
    return change


def _swap_slots(data: dict) -> dict:
    data["slots"].reverse()
    return data


# (change to the example, expected words in the message)
BAD = {
    "wrong format tag": (_set("format", "matchmaker-schedule/1"),
                         '"format" is "matchmaker-schedule/1", expected "matchmaker-instance/1"'),
    "missing format": (_set("format", ...), 'missing field "format"'),
    "missing meetings": (_set("meetings", ...), 'missing field "meetings"'),
    "missing slot id": (_set("slots.0.id", ...), 'slots[0]: missing field "id"'),
    "slots not a list": (_set("slots", {}), '"slots" must be a list, got an object'),
    "priority as text": (_set("meetings.0.priority", "3"),
                         'meetings[0] (id "m1"): "priority" must be an integer, got a string'),
    "cap as boolean": (_set("participants.0.max_meetings", True),
                       'participants[0] (id "p1"): "max_meetings" must be an integer, got a boolean'),
    "meeting not an object": (_set("meetings.1", 5), "meetings[1]: expected an object, got an integer"),
    "unknown participant": (_set("meetings.3.participants", ["p2", "p9"]),
                            'meetings[3] (id "m3"): participant "p9" is unknown'),
    "three participants": (_set("meetings.0.participants", ["p1", "p2", "p3"]),
                           "exactly two participants, got 3"),
    "self meeting": (_set("meetings.0.participants", ["p1", "p1"]),
                     'meetings[0] (id "m1"): participant "p1" cannot meet with itself'),
    "unknown slot in availability": (_set("participants.0.available", ["s01", "s09"]),
                                     'participants[0] (id "p1"): slot "s09" in "available" is unknown'),
    "unknown slot in meeting availability": (_set("meetings.0.available", ["s07"]),
                                             'meetings[0] (id "m1"): slot "s07" in "available" is unknown'),
    "own table unknown": (_set("participants.1.table", "STAND-9"),
                          'participants[1] (id "p2"): own table "STAND-9" is unknown'),
    "overlapping slots": (_set("slots.1.start", "2026-11-21T13:10:00"),
                          'slots[1] (id "s02"): starts at 2026-11-21T13:10:00, overlapping slots[0]'),
    "out of order slots": (_swap_slots, "slots must be in time order"),
    "end before start": (_set("slots.0.end", "2026-11-21T12:00:00"),
                         'slots[0] (id "s01"): ends at 2026-11-21T12:00:00, not after its start'),
    "bad time": (_set("slots.0.start", "half past one"), "not an ISO 8601 date and time"),
    "negative priority": (_set("meetings.0.priority", -1),
                          '"priority" must be a positive integer, got -1'),
    "zero priority": (_set("meetings.0.priority", 0), '"priority" must be a positive integer, got 0'),
    "negative cap": (_set("participants.0.max_meetings", -2), '"max_meetings" must not be negative'),
    "duplicate meeting id": (_set("meetings.1.id", "m1"),
                             'meetings[1] (id "m1"): duplicate id, already used by meetings[0]'),
    "duplicate participant id": (_set("participants.3.id", "p1"),
                                 'participants[3] (id "p1"): duplicate id'),
    "duplicate slot id": (_set("slots.1.id", "s01"), 'slots[1] (id "s01"): duplicate id'),
    "duplicate table id": (_set("tables.1.id", "T01"), 'tables[1] (id "T01"): duplicate id'),
    "pin to unknown slot": (_set("meetings.1.fixed.slot", "s09"),
                            'meetings[1] (id "m2"), fixed: slot "s09" is unknown'),
    "pin to unknown table": (_set("meetings.1.fixed.table", "T09"),
                             'meetings[1] (id "m2"), fixed: table "T09" is unknown'),
    "pin to a stand of someone else": (_set("meetings.1.fixed.table", "STAND-7"),
                                       'meetings[1] (id "m2"), fixed: table "STAND-7" is not allowed'),
    "pin of a stand owner to a pooled table": (_set("meetings.2.fixed.table", "T02"),
                                               'table "T02" is not allowed here: its participants own "STAND-7"'),
    "pin where participant unavailable": (_set("participants.0.available", ["s01"]),
                                          'participant "p1" is not available in slot "s02"'),
    "two pins on one participant": (_set("meetings.3.fixed", {"slot": "s02"}),
                                    'participant "p2" is also pinned to slot "s02" by meeting "m4"'),
    "previous in unknown slot": (_set("meetings.3.previous.slot", "s05"),
                                 'meetings[3] (id "m3"), previous: slot "s05" is unknown'),
    "unknown time zone": (_set("event.timezone", "Mars/Olympus"), "not a known IANA time zone"),
}


def assert_files_round_trip(problem, schedule) -> None:
    """The instance and the schedule read back from their files as they were written."""
    assert parse_instance(dumps_instance(problem)) == problem
    assert parse_schedule(dumps_schedule(schedule)) == schedule
