"""Market dialogues: seat buyers and suppliers at product-group tables. Pure Python and OR-Tools, no Flask.

The web app, the CLI and the benchmarks all go through this API: read or build a
`DialogueProblem`, `solve()` it, `check()` the plan, and `block_dialogue_slots()`
to keep the one-to-one schedule clear of the dialogue seats. The click group
`dialogue_group` lives in `matchmaker.marketdialogue.cli`.
"""
from .check import check
from .formats import (
    DialogueFormatError,
    dialogue_to_dict,
    dumps_dialogue,
    dumps_plan,
    loads_dialogue,
    loads_plan,
    parse_dialogue,
    parse_plan,
    plan_to_dict,
    read_dialogue,
    read_plan,
    write_dialogue,
    write_plan,
)
from .generate import generate
from .link import DialogueClash, block_dialogue_slots
from .problem import (
    DIALOGUE_FORMAT,
    PLAN_FORMAT,
    ClosedTable,
    DialogueParticipant,
    DialogueProblem,
    DialogueTable,
    Plan,
    Rules,
    Seat,
    Session,
    Unseated,
)
from .solve import SolverError, solve

__all__ = [
    "DIALOGUE_FORMAT", "PLAN_FORMAT", "ClosedTable", "DialogueClash", "DialogueFormatError",
    "DialogueParticipant", "DialogueProblem", "DialogueTable", "Plan", "Rules", "Seat", "Session",
    "SolverError", "Unseated", "block_dialogue_slots", "check", "dialogue_to_dict", "dumps_dialogue",
    "dumps_plan", "generate", "loads_dialogue", "loads_plan", "parse_dialogue", "parse_plan",
    "plan_to_dict", "read_dialogue", "read_plan", "solve", "write_dialogue", "write_plan",
]
