"""One-to-one meeting scheduling: pure Python and OR-Tools, no Flask.

The web app, the CLI and the benchmarks all go through this API: read or build
a `Problem`, `solve()` it (or take the `fcfs()` baseline), `check()` the result.

Names are loaded on first use, so that a solver child process that needs one
module (say `problem` or `maxsat`) does not import OR-Tools and every stage.
"""
from __future__ import annotations

from ..lazy_names import lazy_package

_HOME = {
    "check": "check", "metrics": "check", "schedule_metrics": "check",
    "fcfs": "fcfs",
    "FormatError": "formats", "InstanceError": "formats", "ScheduleError": "formats",
    "dumps_instance": "formats", "dumps_schedule": "formats", "parse_instance": "formats",
    "parse_schedule": "formats", "problem_from_dict": "formats", "problem_to_dict": "formats",
    "read_instance": "formats", "read_schedule": "formats", "schedule_from_dict": "formats",
    "schedule_to_dict": "formats", "write_instance": "formats", "write_schedule": "formats",
    "generate": "generate",
    "INSTANCE_FORMAT": "problem", "SCHEDULE_FORMAT": "problem", "Assignment": "problem",
    "Meeting": "problem", "Participant": "problem", "Placement": "problem", "Problem": "problem",
    "Schedule": "problem", "Slot": "problem", "Table": "problem", "Unscheduled": "problem",
    "ScheduleInvalid": "solve", "solve": "solve",
}

__all__ = lazy_package(__name__, _HOME)
