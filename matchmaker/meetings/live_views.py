"""Pages of live booking: accept and choose a time, move or cancel a published meeting.

Separate from the request pages (views.py) on the same blueprint; the accept button
there places the meeting at the earliest free time when booking is live.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access import participant_required
from ..actions import attempt
from ..database import utcnow
from ..domain import NotFound
from ..extensions import db
from ..forms import attach_error
from ..i18n import format_moment
from ..models import Meeting, RequestStatus
from . import live, rules, services
from .live_forms import CancelMeetingForm, MoveForm, TimeChoiceForm
from .views import bp


def _agenda(event):
    return redirect(url_for("agenda.agenda", slug=event.slug))


def _request_of(event, me, request_id: int):
    try:
        return services.find_request(db.session, event, request_id, me)
    except NotFound:
        abort(404)


def _meeting_of(event, me, meeting_id: int) -> Meeting:
    try:
        return live.find_meeting(db.session, event, meeting_id, me)
    except NotFound:
        abort(404)


def _other(meeting_request, me):
    return meeting_request.recipient if meeting_request.sender_id == me.id else \
        meeting_request.sender


class Posted(NamedTuple):
    done: bool  # the service call succeeded and was committed
    status: int  # else the page's status: 409 refused or taken, 400 a bad form
    result: object = None


def _post(form, refusal: str | None, action: Callable[[], object], *,
          error_status: int = 409) -> Posted:
    """A live-booking form sent: the page's refusal first, then the form, then the service."""
    if refusal:
        form.form_errors.append(refusal)
        return Posted(False, 409)
    if not form.validate_on_submit():
        return Posted(False, 400)
    result, error = attempt(action)
    if error is not None:
        attach_error(form, error)
        return Posted(False, error_status)
    return Posted(True, 200, result)


def _page(template: str, event, me, form, refusal: str | None, other, status: int, **context):
    return render_template(template, event=event, me=me, form=form, refusal=refusal,
                           other=other, when=lambda m: format_moment(m, event.timezone),
                           **context), status


def _why_not_placeable(event, me, meeting_request, now) -> str | None:
    """Why this request cannot get a time from `me` now, or None."""
    refusal = rules.booking_refusal(event, now)
    if refusal:
        return refusal
    if meeting_request.status is RequestStatus.PENDING:
        if services.is_expired(meeting_request, now):
            return _("This request has expired.")
        return None
    if meeting_request.status is RequestStatus.ACCEPTED:
        if meeting_request.meeting is not None:
            return _("This meeting has a time already.")
        return None
    return services._already(meeting_request.status)


@bp.route("/events/<slug>/requests/<int:request_id>/place", methods=["GET", "POST"])
@participant_required
def place(event, me, request_id: int):
    """Accept a request (or give an accepted one a time) at a time both are free."""
    meeting_request = _request_of(event, me, request_id)
    if meeting_request.status is RequestStatus.PENDING and meeting_request.recipient_id != me.id:
        abort(404)
    now = utcnow()
    form = TimeChoiceForm()
    refusal = _why_not_placeable(event, me, meeting_request, now)

    def accept_or_place() -> Meeting | None:
        if meeting_request.status is RequestStatus.PENDING:
            services.accept_request(db.session, meeting_request, me, now, slot_id=form.slot.data)
            return meeting_request.meeting
        return live.place(db.session, event, meeting_request, me, now, slot_id=form.slot.data)

    status = 200
    if request.method == "POST":
        done, status, meeting = _post(form, refusal, accept_or_place)
        if done and meeting is None:
            flash(_("Accepted. You have no free time in common left; the organisers "
                    "will place the meeting if a place frees up."), "info")
            return redirect(url_for("meetings.requests", slug=event.slug))
        if done:
            flash(_("Booked: you meet %(name)s on %(when)s at %(table)s.",
                    name=_other(meeting_request, me).user.name,
                    when=format_moment(meeting.slot.starts_at, event.timezone),
                    table=meeting.table.label), "success")
            return _agenda(event)
    times = [] if refusal else live.free_times(db.session, event, meeting_request, now)
    return _page("meetings/place.html", event, me, form, refusal, _other(meeting_request, me),
                 status, meeting_request=meeting_request, times=times)


@bp.route("/events/<slug>/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@participant_required
def move_meeting(event, me, meeting_id: int):
    meeting = _meeting_of(event, me, meeting_id)
    now = utcnow()
    form = MoveForm()
    refusal = rules.change_refusal(event, now) or (
        None if event.is_live else _("Booking is closed: ask the organisers to move the "
                                     "meeting."))
    status = 200
    if request.method == "POST":
        done, status, _result = _post(form, refusal, lambda: live.move(
            db.session, event, meeting, me, now, slot_id=form.slot.data))
        if done:
            flash(_("Moved: your meeting with %(name)s is now on %(when)s at %(table)s.",
                    name=_other(meeting.request, me).user.name,
                    when=format_moment(meeting.slot.starts_at, event.timezone),
                    table=meeting.table.label), "success")
            return _agenda(event)
    meeting = db.session.get(Meeting, meeting_id)
    times = [] if refusal else live.free_times(db.session, event, meeting.request, now,
                                               meeting=meeting)
    return _page("meetings/move.html", event, me, form, refusal, _other(meeting.request, me),
                 status, meeting=meeting, times=times)


@bp.route("/events/<slug>/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@participant_required
def cancel_meeting(event, me, meeting_id: int):
    meeting = _meeting_of(event, me, meeting_id)
    now = utcnow()
    form = CancelMeetingForm()
    refusal = rules.change_refusal(event, now)
    other = _other(meeting.request, me)
    status = 200
    if request.method == "POST":
        done, status, _result = _post(form, refusal, lambda: live.cancel(
            db.session, event, meeting, me, now, reason=form.reason.data), error_status=400)
        if done:
            flash(_("Your meeting with %(name)s is cancelled; they are told why.",
                    name=other.user.name), "info")
            return _agenda(event)
    return _page("meetings/cancel_meeting.html", event, me, form, refusal, other, status,
                 meeting=meeting)


@bp.app_context_processor
def _live_helpers():
    def booking_refusal(event) -> str | None:
        return rules.booking_refusal(event, utcnow())

    def change_refusal(event) -> str | None:
        return rules.change_refusal(event, utcnow())

    def booking_open_until(event):
        return rules.open_until(event, utcnow())

    return {"booking_refusal": booking_refusal, "change_refusal": change_refusal,
            "booking_open_until": booking_open_until}
