"""What every organiser page shares: the URL prefix, rendering with the right status,
and fetching an object of the event or answering 404."""
from __future__ import annotations

from flask import abort, render_template

from ..extensions import db

CONSOLE = "/events/<slug>/console"


def page(template: str, checked=None, **context):
    """Render with 400 when the `checked` form has errors, else 200."""
    failed = checked is not None and bool(checked.errors)
    return render_template(template, **context), 400 if failed else 200


def get_in_event(model, event, object_id: int):
    """An object of this event, or 404 (ids of other events are not revealed)."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.event_id != event.id:
        abort(404)
    return obj
