"""One-to-one meeting scheduling: pure Python and OR-Tools, no Flask.

The web app, the CLI and the benchmarks all go through this API: read or build
a `Problem`, `solve()` it (or take the `fcfs()` baseline), `check()` the result.
"""
from .check import check, metrics, schedule_metrics
from .fcfs import fcfs
from .formats import (
    FormatError,
    InstanceError,
    ScheduleError,
    dumps_instance,
    dumps_schedule,
    parse_instance,
    parse_schedule,
    problem_from_dict,
    problem_to_dict,
    read_instance,
    read_schedule,
    schedule_from_dict,
    schedule_to_dict,
    write_instance,
    write_schedule,
)
from .generate import generate
from .problem import (
    INSTANCE_FORMAT,
    SCHEDULE_FORMAT,
    Assignment,
    Meeting,
    Participant,
    Placement,
    Problem,
    Schedule,
    Slot,
    Table,
    Unscheduled,
)
from .solve import ScheduleInvalid, solve

__all__ = [
    "INSTANCE_FORMAT", "SCHEDULE_FORMAT", "Assignment", "FormatError", "InstanceError",
    "Meeting", "Participant", "Placement", "Problem", "Schedule", "ScheduleError",
    "ScheduleInvalid", "Slot", "Table", "Unscheduled", "check", "dumps_instance",
    "dumps_schedule", "fcfs", "generate", "metrics", "parse_instance", "parse_schedule",
    "problem_from_dict", "problem_to_dict", "read_instance", "read_schedule",
    "schedule_from_dict", "schedule_metrics", "schedule_to_dict", "solve", "write_instance",
    "write_schedule",
]
