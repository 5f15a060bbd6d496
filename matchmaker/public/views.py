from pathlib import Path

from flask import Blueprint, Response, current_app, render_template

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


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask the site root for it, whatever the page links. Sent as bytes (6 KB),
    not as an open file, so nothing is left open when a client drops the answer."""
    icon = (Path(current_app.static_folder) / "favicon.ico").read_bytes()
    return Response(icon, mimetype="image/vnd.microsoft.icon",
                    headers={"Cache-Control": "public, max-age=86400"})


@bp.route("/events/<slug>")
def event_page(slug: str):
    event = visible_event_or_404(slug)
    return render_template("public/event.html", event=event,
                           counts=services.event_counts(db.session, event),
                           programme=services.programme(db.session, event))
