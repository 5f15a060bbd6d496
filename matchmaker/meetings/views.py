from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import participant_required, participation_of
from ..database import utcnow
from ..domain import DomainError, NotFound
from ..forms import attach_error
from ..extensions import db
from ..i18n import format_moment
from . import services
from .forms import ActionForm, DeclineForm, RequestForm

bp = Blueprint("meetings", __name__)


PROFILE_ENDPOINTS = ("profiles.participant", "profiles.show")


def profile_url(event, participation) -> str | None:
    """The counterpart's profile page, when the profiles feature is installed."""
    if participation is None:
        return None
    for endpoint in PROFILE_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return url_for(endpoint, slug=event.slug, participation_id=participation.id)
    return None


def _market_url(event) -> str | None:
    if "marketplace.market" in current_app.view_functions:
        return url_for("marketplace.market", slug=event.slug)
    return None


def _find(event, me, request_id: int):
    try:
        return services.find_request(db.session, event, request_id, me)
    except NotFound:
        abort(404)


@bp.route("/events/<slug>/requests/new/<int:participation_id>", methods=["GET", "POST"])
@participant_required
def new_request(event, me, participation_id: int):
    try:
        recipient = services.participant_in_event(db.session, event, participation_id)
    except NotFound:
        abort(404)
    now = utcnow()
    refusal = services.why_not_requestable(db.session, event, me, recipient, now)
    form = RequestForm()
    if refusal is None and form.validate_on_submit():
        try:
            services.request_meeting(db.session, event, me, recipient,
                                     message=form.message.data or "",
                                     priority=form.priority.data, now=now)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Request sent to %(name)s. You will get an e-mail when they answer.",
                    name=recipient.user.name), "success")
            return redirect(url_for("meetings.requests", slug=event.slug, tab="sent"))
    elif refusal is not None and request.method == "POST":
        form.form_errors.append(refusal)
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/new_request.html", event=event, me=me,
                           recipient=recipient, form=form, refusal=refusal,
                           profile_url=profile_url(event, recipient)), status


@bp.route("/events/<slug>/requests")
@participant_required
def requests(event, me):
    tab = "sent" if request.args.get("tab") == "sent" else "received"
    now = utcnow()
    rows = services.request_rows(db.session, me, received=tab == "received", now=now)
    other_tab = "sent" if tab == "received" else "received"
    return render_template(
        "meetings/requests.html", event=event, me=me, tab=tab, rows=rows,
        counts={tab: len(rows), other_tab: services.request_count(
            db.session, me, received=other_tab == "received")},
        waiting=(sum(1 for r in rows if r.can_answer) if tab == "received"
                 else services.waiting_count(db.session, me, now)),
        action_form=ActionForm(), decline_form=DeclineForm(),
        accepted=services.accepted_count(db.session, me), cap=services.meeting_cap(me),
        profile_url=lambda p: profile_url(event, p), market_url=_market_url(event),
        when=lambda moment: format_moment(moment, event.timezone))


def _back(event, tab: str):
    return redirect(url_for("meetings.requests", slug=event.slug, tab=tab))


@bp.route("/events/<slug>/requests/<int:request_id>/accept", methods=["POST"])
@participant_required
def accept(event, me, request_id: int):
    meeting_request = _find(event, me, request_id)
    if meeting_request.recipient_id != me.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.accept_request(db.session, meeting_request, me, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        meeting = meeting_request.meeting
        flash(_("Booked: you meet %(name)s on %(when)s at %(table)s.",
                name=meeting_request.sender.user.name, when=format_moment(
                    meeting.slot.starts_at, event.timezone), table=meeting.table.label)
              if meeting else
              _("Accepted: you will meet %(name)s.", name=meeting_request.sender.user.name),
              "success")
    return _back(event, "received")


@bp.route("/events/<slug>/requests/<int:request_id>/decline", methods=["GET", "POST"])
@participant_required
def decline(event, me, request_id: int):
    meeting_request = _find(event, me, request_id)
    if meeting_request.recipient_id != me.id:
        abort(404)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline_request(db.session, meeting_request, me,
                                     reason=form.reason.data or "", now=utcnow())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Declined the request of %(name)s.", name=meeting_request.sender.user.name),
                  "info")
            return _back(event, "received")
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/decline.html", event=event, me=me, form=form,
                           meeting_request=meeting_request), status


@bp.route("/events/<slug>/requests/<int:request_id>/cancel", methods=["POST"])
@participant_required
def cancel(event, me, request_id: int):
    meeting_request = _find(event, me, request_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    tab = "sent" if meeting_request.sender_id == me.id else "received"
    try:
        services.cancel_request(db.session, meeting_request, me, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The request is cancelled."), "info")
    return _back(event, tab)


@bp.app_context_processor
def _navigation():
    def takes_meetings(event) -> bool:
        """Whether the navigation shows requests and agenda links for this event."""
        me = participation_of(current_user, event)
        return me is not None and me.role in services.REQUESTABLE_ROLES
    return {"takes_meetings": takes_meetings}
