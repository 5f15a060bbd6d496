"""The round clock for the hall's big screen: current round, time left, next round.

Organisers open it from the console; the hall's PC opens it from a signed screen link
(no login to type on a shared machine). The page receives every slot once, as JSON in
a data attribute, and `static/js/clock.js` counts down locally, so it keeps time when
the network drops; `/screen/<token>/time` gives the server's clock to re-sync.
"""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from flask import Blueprint, abort, jsonify, render_template
from flask_babel import gettext as _

from ..access import organiser_required
from ..console.pages import CONSOLE
from ..database import utcnow
from ..extensions import db
from ..links import external_url, sign, unsign
from ..models import Event
from ..timeutil import format_time, to_local

bp = Blueprint("clock", __name__)

SCREEN = "clock-screen"


def screen_token(event: Event) -> str:
    return sign(SCREEN, {"e": event.id})


def event_of_token(token: str) -> Event | None:
    data = unsign(SCREEN, token)
    if not isinstance(data, dict):
        return None
    return db.session.get(Event, data.get("e"))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def clock_data(event: Event, now: datetime, time_url: str) -> dict:
    """What the page's script needs: the server's time, every slot with its round label
    ('Round 3 of 12', numbered per day) and local start and end times, and where to
    re-sync the time."""
    slots = []
    by_day = groupby(event.slots, key=lambda s: to_local(s.starts_at, event.timezone).date())
    for _day, day_slots in by_day:
        day_slots = list(day_slots)
        for number, slot in enumerate(day_slots, start=1):
            slots.append({
                "start": _iso(slot.starts_at), "end": _iso(slot.ends_at),
                "label": _("Round %(num)s of %(total)s", num=number, total=len(day_slots)),
                "time": _("%(start)s – %(end)s", start=format_time(slot.starts_at, event.timezone),
                          end=format_time(slot.ends_at, event.timezone)),
            })
    return {"now": _iso(now), "slots": slots, "time_url": time_url}


def _page(event: Event, screen_link: str | None):
    token = screen_token(event)
    data = clock_data(event, utcnow(), external_url("clock.server_time", token=token))
    return render_template("onsite/clock.html", event=event, data=data,
                           screen_link=screen_link)


@bp.route(CONSOLE + "/clock")
@organiser_required
def organiser_clock(event):
    return _page(event, external_url("clock.screen", token=screen_token(event)))


@bp.route("/screen/<token>")
def screen(token: str):
    event = event_of_token(token)
    if event is None:
        abort(404)
    return _page(event, None)


@bp.route("/screen/<token>/time")
def server_time(token: str):
    if event_of_token(token) is None:
        abort(404)
    response = jsonify(now=_iso(utcnow()))
    response.headers["Cache-Control"] = "no-store"
    return response
