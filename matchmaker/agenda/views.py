from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..actions import commit_or_show
from ..access import participant_required
from ..database import utcnow
from ..exports import ical
from ..extensions import db
from ..meetings import services as meetings
from ..meetings.unscheduled import no_time_text, why_no_time
from ..meetings.views import profile_url
from ..timeutil import zone_label
from . import services
from .forms import AvailabilityForm, RotateFeedForm
from .subscriptions import subscription_links

bp = Blueprint("agenda", __name__)


def calendar_host() -> str:
    return ical.host_from_config(current_app.config)


def _agenda_context(event, me) -> dict:
    published = event.schedule_published
    days = services.agenda_days(db.session, me) if published else []
    first = days[0].items[0].start if days else (event.slots[0].starts_at if event.slots else None)
    unscheduled = services.unscheduled_requests(db.session, me) if published else []
    feed_url = url_for("agenda.feed", token=me.feed_token, _external=True)
    return dict(
        event=event, me=me, published=published, days=days,
        accepted=services.accepted_requests(db.session, me) if not published else [],
        unscheduled=unscheduled,
        no_time={request_id: no_time_text(reason) for request_id, reason
                 in why_no_time(db.session, me, unscheduled).items()},
        counterpart=lambda r: services.counterpart(r, me),
        zone=zone_label(first, event.timezone) if first else event.timezone,
        profile_url=lambda p: profile_url(event, p),
        feed_url=feed_url, subscribe=subscription_links(feed_url, event.name),
        now_next=(services.now_and_next(days, services.event_days(db.session, event), utcnow(),
                                        event.timezone) if published else None),
        stand=services.stand_of(db.session, me), cap=meetings.meeting_cap(me))


@bp.route("/events/<slug>/agenda")
@participant_required
def agenda(event, me):
    return render_template("agenda/agenda.html", rotate_form=RotateFeedForm(), printable=False,
                           **_agenda_context(event, me))


@bp.route("/events/<slug>/agenda/print")
@participant_required
def agenda_print(event, me):
    return render_template("agenda/agenda.html", rotate_form=None, printable=True,
                           **_agenda_context(event, me))


def _ics(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/events/<slug>/agenda.ics")
@participant_required
def agenda_ics(event, me):
    data = ical.participant_calendar(db.session, me, calendar_host())
    return _ics(data, f"{event.slug}-agenda.ics")


@bp.route("/feed/<token>.ics")
def feed(token: str):
    """The private calendar subscription: the token is the only key, no login."""
    me = services.participation_by_feed_token(db.session, token)
    if me is None:
        abort(404)
    response = _ics(ical.participant_calendar(db.session, me, calendar_host()),
                    f"{me.event.slug}-agenda.ics")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/events/<slug>/agenda/feed", methods=["POST"])
@participant_required
def rotate_feed(event, me):
    if not RotateFeedForm().validate_on_submit():
        abort(400)
    services.rotate_feed_token(db.session, me)
    db.session.commit()
    flash(_("Your calendar has a new private address. Subscribe again with it; the old one "
            "no longer works."), "success")
    return redirect(url_for("agenda.agenda", slug=event.slug) + "#calendar")


@bp.route("/events/<slug>/availability", methods=["GET", "POST"])
@participant_required
def availability(event, me):
    if me.role not in meetings.REQUESTABLE_ROLES:
        abort(403)
    grid = services.availability_grid(db.session, event)
    absent = services.absent_slot_ids(db.session, me)
    all_ids = [slot.id for block in grid for slot, _ in block.slots]
    form = AvailabilityForm(data={"slots": [i for i in all_ids if i not in absent],
                                  "max_meetings": me.max_meetings})
    form.slots.choices = [SelectChoice(i, str(i)) for i in all_ids]
    form.max_meetings.description = _("Leave empty for the event's maximum, %(max)d.",
                                      max=event.default_max_meetings)
    if form.validate_on_submit() and commit_or_show(form, lambda: services.set_availability(
            db.session, me, available_slot_ids=set(form.slots.data),
            max_meetings=form.max_meetings.data), _("Your availability is saved.")):
        return redirect(url_for("agenda.availability", slug=event.slug))
    chosen = set(form.slots.data or []) if request.method == "POST" else \
        {i for i in all_ids if i not in absent}
    editable = event.phase in services.AVAILABILITY_PHASES
    status = 400 if request.method == "POST" else 200
    first = event.slots[0].starts_at if event.slots else None
    return render_template("agenda/availability.html", event=event, me=me, form=form,
                           grid=grid, chosen=chosen, editable=editable,
                           zone=zone_label(first, event.timezone) if first else event.timezone,
                           default_cap=event.default_max_meetings), status
