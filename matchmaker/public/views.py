from flask import Blueprint, abort, render_template

from ..access import visible_event_or_404
from ..extensions import db
from . import services

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    events = services.list_events(db.session)
    if len(events) == 1:
        return event_page(events[0].slug)
    return render_template("public/home.html", events=events)


@bp.route("/events/<slug>")
def event_page(slug: str):
    event = visible_event_or_404(slug)
    return render_template("public/event.html", event=event,
                           counts=services.event_counts(db.session, event),
                           programme=services.programme(db.session, event))
