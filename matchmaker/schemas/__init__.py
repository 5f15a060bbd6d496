"""JSON Schemas (draft 2020-12) of the solver file formats, shipped with the package.

They check the shape of a file; the readers in `matchmaker.scheduling.formats`
and `matchmaker.marketdialogue.formats` also check what a schema cannot say
(unique ids, ids that name something known, slots in time order, pins that can
be kept). docs/formats.md describes the formats.
"""
from __future__ import annotations

import json
from importlib import resources

FORMATS = ("matchmaker-instance/1", "matchmaker-schedule/1",
           "matchmaker-dialogue/1", "matchmaker-dialogue-plan/1")


def schema_name(format_tag: str) -> str:
    """The schema's file name: ``matchmaker-instance/1`` -> ``matchmaker-instance-1.schema.json``."""
    if format_tag not in FORMATS:
        raise KeyError(f'no schema for format "{format_tag}"')
    return format_tag.replace("/", "-") + ".schema.json"


def load_schema(format_tag: str) -> dict:
    """The parsed JSON Schema of one format, e.g. ``load_schema("matchmaker-schedule/1")``."""
    return json.loads(resources.files(__package__).joinpath(schema_name(format_tag))
                      .read_text(encoding="utf-8"))
