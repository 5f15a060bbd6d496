"""The event's one-to-one problem as a `matchmaker-instance/1` file, to solve it elsewhere.

The file uses the adapter's ids (slots `s<id>`, tables `T<number>`, participants
`p<id>`, meetings `r<request id>`), so a schedule solved from it can be imported back
with `matchmaker import schedule`.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Event
from ..schedule.solving import build_problem
from ..scheduling import dumps_instance


def instance_json(session: Session, event: Event) -> str:
    return dumps_instance(build_problem(session, event).problem)
