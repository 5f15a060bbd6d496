"""Market dialogues: seat buyers and suppliers at product-group tables. Pure Python and OR-Tools, no Flask.

The web app, the CLI and the benchmarks all go through this API: read or build a
`DialogueProblem`, `solve()` it, `check()` the plan, and `block_dialogue_slots()`
to keep the one-to-one schedule clear of the dialogue seats. The click group
`dialogue_group` lives in `matchmaker.marketdialogue.cli`.

Names are loaded on first use: the web app builds problems and reads plans
without importing OR-Tools.
"""
from __future__ import annotations

from ..lazy_names import lazy_package

_HOME = {
    "check": "check", "generate": "generate", "SolverError": "solve", "solve": "solve",
    "DialogueClash": "link", "block_dialogue_slots": "link",
    **dict.fromkeys([
        "DialogueFormatError", "dialogue_to_dict", "dumps_dialogue", "dumps_plan",
        "loads_dialogue", "loads_plan", "parse_dialogue", "parse_plan", "plan_to_dict",
        "read_dialogue", "read_plan", "write_dialogue", "write_plan"], "formats"),
    **dict.fromkeys([
        "DIALOGUE_FORMAT", "PLAN_FORMAT", "ClosedTable", "DialogueParticipant",
        "DialogueProblem", "DialogueTable", "Plan", "Rules", "Seat", "Session", "Unseated"],
        "problem"),
}

__all__ = lazy_package(__name__, _HOME)
