from flask import Blueprint, abort, current_app, render_template

from ..extensions import db
from . import services

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    events = services.list_events(db.session)
    if len(events) == 1:
        return event_page(events[0].slug)
    return render_template("public/home.html", events=events)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask the site root for it, whatever the page links."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/events/<slug>")
def event_page(slug: str):
    event = services.event_by_slug(db.session, slug)
    if event is None:
        abort(404)
    return render_template("public/event.html", event=event,
                           counts=services.event_counts(db.session, event),
                           programme=services.programme(db.session, event))
