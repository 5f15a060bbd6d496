"""Pages of live booking: accept and choose a time, move or cancel a published meeting.

Separate from the request pages (views.py) on the same blueprint; the accept button
there places the meeting at the earliest free time when booking is live.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access import participant_required
from ..database import utcnow
from ..domain import DomainError, NotFound
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
    status = 200
    if request.method == "POST":
        if refusal:
            form.form_errors.append(refusal)
            status = 409
        elif form.validate_on_submit():
            try:
                if meeting_request.status is RequestStatus.PENDING:
                    services.accept_request(db.session, meeting_request, me, now,
                                            slot_id=form.slot.data)
                    meeting = meeting_request.meeting
                else:
                    meeting = live.place(db.session, event, meeting_request, me, now,
                                         slot_id=form.slot.data)
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
                status = 409
            else:
                db.session.commit()
                if meeting is None:
                    flash(_("Accepted. You have no free time in common left; the organisers "
                            "will place the meeting if a place frees up."), "info")
                    return redirect(url_for("meetings.requests", slug=event.slug))
                flash(_("Booked: you meet %(name)s on %(when)s at %(table)s.",
                        name=_other(meeting_request, me).user.name,
                        when=format_moment(meeting.slot.starts_at, event.timezone),
                        table=meeting.table.label), "success")
                return _agenda(event)
        else:
            status = 400
    times = [] if refusal else live.free_times(db.session, event, meeting_request, now)
    return render_template("meetings/place.html", event=event, me=me, form=form,
                           meeting_request=meeting_request, refusal=refusal, times=times,
                           other=_other(meeting_request, me),
                           when=lambda m: format_moment(m, event.timezone)), status


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
        if refusal:
            form.form_errors.append(refusal)
            status = 409
        elif form.validate_on_submit():
            try:
                live.move(db.session, event, meeting, me, now, slot_id=form.slot.data)
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
                status = 409
            else:
                db.session.commit()
                flash(_("Moved: your meeting with %(name)s is now on %(when)s at %(table)s.",
                        name=_other(meeting.request, me).user.name,
                        when=format_moment(meeting.slot.starts_at, event.timezone),
                        table=meeting.table.label), "success")
                return _agenda(event)
        else:
            status = 400
    meeting = db.session.get(Meeting, meeting_id)
    times = [] if refusal else live.free_times(db.session, event, meeting.request, now,
                                               meeting=meeting)
    return render_template("meetings/move.html", event=event, me=me, form=form,
                           meeting=meeting, refusal=refusal, times=times,
                           other=_other(meeting.request, me),
                           when=lambda m: format_moment(m, event.timezone)), status


@bp.route("/events/<slug>/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@participant_required
def cancel_meeting(event, me, meeting_id: int):
    meeting = _meeting_of(event, me, meeting_id)
    now = utcnow()
    form = CancelMeetingForm()
    refusal = rules.change_refusal(event, now)
    status = 200
    if request.method == "POST":
        if refusal:
            form.form_errors.append(refusal)
            status = 409
        elif form.validate_on_submit():
            other = _other(meeting.request, me)
            try:
                live.cancel(db.session, event, meeting, me, now, reason=form.reason.data)
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
                status = 400
            else:
                db.session.commit()
                flash(_("Your meeting with %(name)s is cancelled; they are told why.",
                        name=other.user.name), "info")
                return _agenda(event)
        else:
            status = 400
    return render_template("meetings/cancel_meeting.html", event=event, me=me, form=form,
                           meeting=meeting, refusal=refusal,
                           other=_other(meeting.request, me),
                           when=lambda m: format_moment(m, event.timezone)), status


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
