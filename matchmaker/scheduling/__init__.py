"""One-to-one meeting scheduling: pure Python and OR-Tools, no Flask.

The web app, the CLI and the benchmarks all go through this API: read or build
a `Problem`, `solve()` it (or take the `fcfs()` baseline), `check()` the result.

Names are loaded on first use, so that a solver child process that needs one
module (say `problem` or `maxsat`) does not import OR-Tools and every stage.
"""
from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

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

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


class _Package(types.ModuleType):
    """`check`, `fcfs`, `generate` and `solve` are functions named like their modules:
    importing such a module must not replace the function on the package (eager
    imports used to rebind it right after)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _HOME.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
