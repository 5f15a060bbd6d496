"""A participant's feedback on the meetings they had."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..actions import commit_or_show
from ..access import participant_required, participation_of
from ..console.pages import page
from ..database import utcnow
from ..extensions import db
from ..models import Meeting, MeetingFeedback, Role
from . import services as feedback_services
from .forms import FeedbackForm

bp = Blueprint("feedback", __name__)


@bp.route("/events/<slug>/feedback")
@participant_required
def feedback_list(event, me):
    meetings = feedback_services.my_meetings(db.session, me)
    given = {f.meeting_id for f in db.session.scalars(select(MeetingFeedback).where(
        MeetingFeedback.participation_id == me.id))}
    now = utcnow()
    return render_template("feedback/feedback_list.html", event=event, me=me,
                           meetings=meetings, given=given, now=now,
                           is_open=lambda m: feedback_services.feedback_open(m, now),
                           other=lambda m: feedback_services.other_side(m, me))


@bp.route("/events/<slug>/feedback/<int:meeting_id>", methods=["GET", "POST"])
@participant_required
def feedback(event, me, meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id or me.id not in (
            meeting.request.sender_id, meeting.request.recipient_id):
        abort(404)
    now = utcnow()
    existing = feedback_services.feedback_of(db.session, meeting, me)
    form = FeedbackForm(obj=None)
    if request.method == "GET" and existing is not None:
        form.useful.data = existing.useful
        form.follow_up.data = "yes" if existing.follow_up else "no"
        form.comment.data = existing.comment
    if form.validate_on_submit() and commit_or_show(form, lambda: feedback_services.give_feedback(
            db.session, meeting, me, useful=form.useful.data,
            follow_up=form.follow_up.data == "yes", comment=form.comment.data or "", now=now),
            _("Thank you for your feedback.")):
        return redirect(url_for("feedback.feedback_list", slug=event.slug))
    return page("feedback/feedback.html", form, event=event, form=form, meeting=meeting,
                other=feedback_services.other_side(meeting, me),
                is_open=feedback_services.feedback_open(meeting, now),
                existing=existing)


@bp.app_context_processor
def _feedback_helpers():
    def feedback_link_for(event) -> bool:
        if event is None or not hasattr(event, "slug"):
            return False
        me = participation_of(current_user, event)
        return me is not None and me.role is not Role.ORGANISER
    return {"feedback_link_for": feedback_link_for}
