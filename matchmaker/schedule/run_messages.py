"""A run's message, stored as a code with parameters and put in words when shown.

`encode_message` gives the text stored in `SolveRun.message`; `describe_message` shows
it in the reader's language. An unexpected error's own words are stored as they are and
shown unchanged.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _, ngettext


RESTARTED = "restarted"
PROCESS_GONE = "process_gone"
QUEUE_LOST = "queue_lost"
MEETINGS_SUMMARY = "meetings_summary"  # scheduled, requested, status
SEATS_SUMMARY = "seats_summary"  # seats, status
STOPPED_EARLY = "stopped_early"  # summary: {"code", "params"}
LOCKED_CANNOT_STAY = "locked_cannot_stay"  # reason: the solver's check, in names
DIALOGUE_CLASH = "dialogue_clash"  # reason
IMPORTED = "imported"  # file, placed


def encode_message(code: str, **params: Any) -> str:
    """A run message as stored in `SolveRun.message`: a JSON object with a code."""
    return json.dumps({"code": code, "params": params}, ensure_ascii=False, sort_keys=True)


def decode_message(message: str | None) -> tuple[str, dict[str, Any]] | None:
    """(code, params) of a stored run message, or None for a plain text (an unexpected
    error's own words, or a message stored before messages had codes)."""
    if not message or not message.startswith("{"):
        return None
    try:
        data = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str) \
            or not isinstance(data.get("params", {}), dict):
        return None
    return data["code"], data.get("params", {})


def _status(status: str) -> str:
    return {"optimal": _("optimal"), "feasible": _("feasible")}.get(status, status)


def message_text(code: str, params: Mapping[str, Any]) -> str:
    if code == RESTARTED:
        return _("The application restarted while this run was in progress.")
    if code == PROCESS_GONE:
        return _("Stopped; the process running it is gone.")
    if code == QUEUE_LOST:
        return _("Stopped; the job queue no longer had it (Redis lost its data).")
    if code == MEETINGS_SUMMARY:
        return ngettext("%(scheduled)d of %(num)d meeting scheduled (%(status)s).",
                        "%(scheduled)d of %(num)d meetings scheduled (%(status)s).",
                        int(params["requested"]), scheduled=int(params["scheduled"]),
                        status=_status(params["status"]))
    if code == SEATS_SUMMARY:
        return ngettext("%(num)d seat taken (%(status)s).", "%(num)d seats taken (%(status)s).",
                        int(params["seats"]), status=_status(params["status"]))
    if code == STOPPED_EARLY:
        summary = params["summary"]
        return _("Stopped early; best result kept. %(summary)s",
                 summary=message_text(summary["code"], summary.get("params", {})))
    if code == LOCKED_CANNOT_STAY:
        return _("A locked meeting cannot be kept: %(reason)s. Unlock or move it, then start "
                 "a new run.", reason=params["reason"])
    if code == DIALOGUE_CLASH:
        return _("A locked meeting clashes with a market dialogue: %(reason)s. Unlock or move "
                 "it first.", reason=params["reason"])
    if code == IMPORTED:
        return ngettext("Imported from %(file)s: %(num)d meeting placed.",
                        "Imported from %(file)s: %(num)d meetings placed.", int(params["placed"]),
                        file=params["file"])
    raise ValueError(f"unknown run message {code!r}")


def describe_message(message: str | None) -> str:
    """A stored run message in the current language; a plain text is shown as it is."""
    decoded = decode_message(message)
    if decoded is None:
        return message or ""
    try:
        return message_text(*decoded)
    except (KeyError, TypeError, ValueError):
        return message or ""
