"""A participant's market dialogues: the event's sessions, and choosing and ranking them."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..actions import commit_or_show
from ..access import participant_required
from ..extensions import db
from ..i18n import format_day, group_name
from ..timeutil import format_time
from . import services
from .forms import choices_form

bp = Blueprint("dialogues", __name__)


def session_label(s, event) -> str:
    tz = event.timezone
    title = s.name or _("Market dialogue: %(group)s", group=group_name(s.product_group))
    return (f"{title} · {format_day(s.starts_at, tz, 'short')} "
            f"{format_time(s.starts_at, tz)}–{format_time(s.ends_at, tz)}")


@bp.route("/events/<slug>/dialogues", methods=["GET", "POST"])
@participant_required
def choose(event, me):
    if not services.may_choose(me):
        abort(403)
    sessions = services.event_sessions(db.session, event)
    current = {c.session_id: c.rank for c in services.choices_of(db.session, me)}
    opted_out = services.has_opted_out(db.session, me)
    labels = {s.id: session_label(s, event) for s in sessions}
    form = choices_form(sessions, labels, current, none=opted_out,
                        formdata=request.form if request.method == "POST" else None)
    editable = services.choices_open(event)
    if request.method == "POST" and form.validate_on_submit() and commit_or_show(
            form, lambda: services.set_choices(db.session, me, form.ranked_session_ids(),
                                               none=bool(form.none.data)),
            _("Your market-dialogue choices are saved.")):
        return redirect(url_for("dialogues.choose", slug=event.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("dialogues/choose.html", event=event, me=me, form=form,
                           sessions=sessions, editable=editable, opted_out=opted_out,
                           chosen=bool(current), seats=services.seats_of(db.session, me),
                           seat_labels=labels), status
