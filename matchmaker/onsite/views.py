"""On the day: checking people in, marking meetings held or no-show, and filling a freed
slot from the standby list."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from ..access import organiser_required
from ..attendees import services as attendee_services
from ..attendees.forms import PeopleSearchForm
from ..console.pages import CONSOLE, get_in_event
from ..database import utcnow
from ..timeutil import zone_label
from ..domain import DomainError
from ..extensions import db
from ..forms import ActionForm
from ..ids import db_int
from ..models import Meeting, MeetingRequest, Participation, Slot, Table
from . import services as onsite
from .forms import FillForm, MeetingStatusForm

bp = Blueprint("onsite", __name__)

MEETING_MARKED = {"held": _l("Meeting marked: held."), "no_show": _l("Meeting marked: no-show."),
                  "scheduled": _l("Meeting marked: scheduled."),
                  "cancelled": _l("Meeting marked: cancelled (frees slot and table).")}


@bp.route(CONSOLE + "/checkin")
@organiser_required
def checkin(event):
    search = PeopleSearchForm(request.args)
    query = (search.q.data or "").strip()[:100] if search.validate() else ""
    people = attendee_services.attendees(db.session, event, search=query) if query else []
    total = len(event_participants(event))
    present = sum(1 for p in event_participants(event) if p.checked_in_at)
    return render_template("onsite/checkin.html", event=event, search=search, query=query,
                           people=people, form=ActionForm(), present=present, total=total)


def event_participants(event) -> list[Participation]:
    return list(db.session.scalars(select(Participation).where(
        Participation.event_id == event.id)))


@bp.route(CONSOLE + "/checkin/<int:participation_id>", methods=["POST"])
@organiser_required
def checkin_person(event, participation_id: int):
    participation = get_in_event(Participation, event, participation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    undo = request.form.get("undo") == "1"
    onsite.check_in(db.session, participation, now=utcnow(), undo=undo)
    db.session.commit()
    flash(_("%(name)s: check-in undone.", name=participation.display_name) if undo else
          _("%(name)s: checked in.", name=participation.display_name), "success")
    return redirect(url_for("onsite.checkin", slug=event.slug,
                            q=request.form.get("q", "")[:100] or None))


def _slot_or_current(event):
    slot_id = request.args.get("slot", type=db_int)
    if slot_id:
        return get_in_event(Slot, event, slot_id)
    return onsite.current_slot(event, utcnow())


def _onsite_page(event, slot, *, status_errors: dict | None = None, fill_error: str = ""):
    meetings = onsite.meetings_in_slot(db.session, slot) if slot else []
    candidates = onsite.standby(db.session, event, slot) if slot else []
    forms = {}
    for meeting in meetings:
        form = MeetingStatusForm(formdata=None, prefix=f"m{meeting.id}")
        form.status.data = meeting.status.value
        if status_errors and meeting.id in status_errors:
            form.status.errors = [status_errors[meeting.id]]
        forms[meeting.id] = form
    failed = bool(status_errors) or bool(fill_error)
    return render_template("onsite/onsite.html", event=event, slot=slot, meetings=meetings,
                           forms=forms, candidates=candidates, fill_form=ActionForm(),
                           fill_error=fill_error,
                           free=len(onsite.free_tables(db.session, event, slot)) if slot else 0,
                           tz_label=zone_label(slot.starts_at, event.timezone) if slot else ""), \
        400 if failed else 200


@bp.route(CONSOLE + "/onsite")
@organiser_required
def onsite_page(event):
    return _onsite_page(event, _slot_or_current(event))


@bp.route(CONSOLE + "/onsite/meetings/<int:meeting_id>/status", methods=["POST"])
@organiser_required
def meeting_status(event, meeting_id: int):
    meeting = get_in_event(Meeting, event, meeting_id)
    slot = meeting.slot
    form = MeetingStatusForm(prefix=f"m{meeting.id}")
    if not form.validate_on_submit():
        return _onsite_page(event, slot, status_errors={meeting.id: _("Choose a status.")})
    try:
        onsite.set_meeting_status(db.session, meeting, form.status.data)
    except DomainError as error:
        db.session.rollback()
        return _onsite_page(event, slot, status_errors={meeting.id: error.message})
    db.session.commit()
    flash(str(MEETING_MARKED[form.status.data]), "success")
    return redirect(url_for("onsite.onsite_page", slug=event.slug, slot=slot.id))


@bp.route(CONSOLE + "/onsite/slots/<int:slot_id>/fill", methods=["POST"])
@organiser_required
def fill_slot(event, slot_id: int):
    slot = get_in_event(Slot, event, slot_id)
    form = FillForm()
    if not form.validate_on_submit():
        return _onsite_page(event, slot, fill_error=_("Choose a proposal to book."))
    meeting_request = get_in_event(MeetingRequest, event, form.request_id.data)
    table = get_in_event(Table, event, form.table_id.data)
    try:
        onsite.book_standby(db.session, event, slot, meeting_request, table)
    except DomainError as error:
        db.session.rollback()
        return _onsite_page(event, slot, fill_error=error.message)
    db.session.commit()
    flash(_("Booked at table %(number)s: %(first)s and %(second)s.", number=table.number,
            first=meeting_request.sender.display_name,
            second=meeting_request.recipient.display_name), "success")
    return redirect(url_for("onsite.onsite_page", slug=event.slug, slot=slot.id))

