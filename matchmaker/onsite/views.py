"""On the day: checking people in (by name, by scanning a badge, or by the participant
scanning the entrance code), badges, walk-ins, marking meetings held or no-show, and
filling a freed slot from the standby list."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, request, url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from ..access import organiser_required, participant_required
from ..actions import attempt
from ..attendees import invitations, services as attendee_services
from ..attendees.forms import PeopleSearchForm
from ..console.pages import CONSOLE, get_in_event, page
from ..database import utcnow
from ..timeutil import format_time, zone_label
from ..domain import DomainError
from ..extensions import db
from ..forms import ActionForm, attach_error
from ..ids import db_int
from ..models import Meeting, MeetingRequest, Participation, Role, Slot, Table
from . import badges, services as onsite
from .forms import FillForm, MeetingStatusForm, ScanForm, WalkInForm, WalkInMeetingForm

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
    response = Response(render_template(
        "onsite/checkin.html", event=event, search=search, query=query, people=people,
        form=ActionForm(), scan_form=ScanForm(), present=present, total=total))
    # the badge scanner on this page needs the camera, which every other page refuses
    response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    return response


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


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


def _scan_answer(event, participation: Participation, already: bool) -> dict:
    return {"ok": True, "already": already, "name": participation.user.name,
            "organisation": participation.organisation.name if participation.organisation
            else "", "role": participation.role.label,
            "time": format_time(participation.checked_in_at, event.timezone),
            "message": (_("%(name)s was already checked in.", name=participation.display_name)
                        if already else
                        _("%(name)s: checked in.", name=participation.display_name))}


@bp.route(CONSOLE + "/checkin/scan", methods=["POST"])
@organiser_required
def checkin_scan(event):
    """Check in the person whose badge was scanned. The scanner sends what it read and
    asks for JSON; a repeated scan (a retry after a lost answer) changes nothing."""
    form = ScanForm()
    json = _wants_json()
    if not form.validate_on_submit():
        message = _("No badge code was sent.")
        if json:
            return jsonify(ok=False, error=message), 400
        flash(message, "error")
        return redirect(url_for("onsite.checkin", slug=event.slug))
    try:
        participation = badges.read_checkin_token(
            db.session, event, form.token.data, secret_key=current_app.config["SECRET_KEY"])
    except DomainError as error:
        if json:
            return jsonify(ok=False, error=error.message), 400
        flash(error.message, "error")
        return redirect(url_for("onsite.checkin", slug=event.slug))
    already = participation.checked_in_at is not None
    onsite.check_in(db.session, participation, now=utcnow())
    db.session.commit()
    answer = _scan_answer(event, participation, already)
    if json:
        return jsonify(answer)
    flash(answer["message"], "info" if already else "success")
    return redirect(url_for("onsite.checkin", slug=event.slug))


@bp.route(CONSOLE + "/checkin/badge/<token>")
@organiser_required
def checkin_badge(event, token: str):
    """Where a badge's code leads when scanned with a phone's own camera app."""
    try:
        participation = badges.read_checkin_token(
            db.session, event, token, secret_key=current_app.config["SECRET_KEY"])
    except DomainError as error:
        return render_template("onsite/badge_scanned.html", event=event, error=error.message,
                               person=None, scan_form=None), 404
    scan_form = ScanForm(formdata=None, data={"token": token})
    return render_template("onsite/badge_scanned.html", event=event, person=participation,
                           scan_form=scan_form, error="")


def _badge_link(participation: Participation) -> str:
    token = badges.checkin_token(participation, secret_key=current_app.config["SECRET_KEY"])
    return url_for("onsite.checkin_badge", slug=participation.event.slug, token=token,
                   _external=True)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


def _layout() -> str:
    layout = request.args.get("layout", "a6")
    if layout not in badges.LAYOUTS:
        abort(404)
    return layout


@bp.route(CONSOLE + "/badges.pdf")
@organiser_required
def badges_pdf(event):
    layout = _layout()
    items = badges.badges(db.session, event, _badge_link)
    return _pdf(badges.to_pdf(event, items, layout=layout), f"{event.slug}-badges-{layout}.pdf")


@bp.route(CONSOLE + "/badges/<int:participation_id>.pdf")
@organiser_required
def badge_pdf(event, participation_id: int):
    layout = _layout()
    participation = get_in_event(Participation, event, participation_id)
    items = badges.badges(db.session, event, _badge_link, only=participation)
    return _pdf(badges.to_pdf(event, items, layout=layout),
                f"{event.slug}-badge-{participation.id}.pdf")


def _entrance_link(event) -> str:
    code = badges.entrance_code(event, secret_key=current_app.config["SECRET_KEY"])
    return url_for("onsite.entrance", slug=event.slug, code=code, _external=True)


@bp.route(CONSOLE + "/checkin/entrance.pdf")
@organiser_required
def entrance_pdf(event):
    return _pdf(badges.entrance_pdf(event, _entrance_link(event)),
                f"{event.slug}-entrance-code.pdf")


@bp.route("/events/<slug>/checkin/<code>", methods=["GET", "POST"])
@participant_required
def entrance(event, me, code: str):
    """The page the entrance poster's code opens: the participant confirms they are here."""
    if not badges.entrance_code_valid(event, code, secret_key=current_app.config["SECRET_KEY"]):
        abort(404)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        onsite.check_in(db.session, me, now=utcnow())
        db.session.commit()
        return redirect(url_for("onsite.entrance", slug=event.slug, code=code))
    return render_template("onsite/entrance.html", event=event, me=me, form=form, code=code)


# --- Walk-ins ------------------------------------------------------------------------------

@bp.route(CONSOLE + "/checkin/walk-in", methods=["GET", "POST"])
@organiser_required
def walk_in(event):
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            result = onsite.register_walk_in(
                db.session, event, name=form.name.data, email=form.email.data,
                organisation=form.organisation.data or "", role=Role(form.role.data),
                now=utcnow())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            person = result.participation
            if result.was_registered:
                flash(_("%(name)s was registered already and is now checked in.",
                        name=person.display_name), "info")
            else:
                flash(_("%(name)s is registered and checked in.", name=person.display_name),
                      "success")
            if form.invite.data and result.new_account:
                sent, _failed = invitations.send_invitations([person.user], event)
                if sent:
                    flash(_("Invitation sent to %(email)s.", email=person.user.email), "success")
                else:
                    flash(_("The invitation to %(email)s could not be sent; try again later.",
                            email=person.user.email), "error")
            return redirect(url_for("onsite.walk_in_done", slug=event.slug,
                                    participation_id=person.id))
    return page("onsite/walk_in.html", form, event=event, form=form)


def _flash_booked(table: Table, first: Participation, second: Participation) -> None:
    flash(_("Booked at table %(number)s: %(first)s and %(second)s.", number=table.number,
            first=first.display_name, second=second.display_name), "success")


def _walk_in_page(event, person, *, error: str = ""):
    slot = onsite.current_slot(event, utcnow())
    partners = onsite.free_partners(db.session, event, slot, person) if slot else []
    return render_template("onsite/walk_in_done.html", event=event, person=person, slot=slot,
                           partners=partners, form=ActionForm(), error=error), \
        400 if error else 200


@bp.route(CONSOLE + "/checkin/walk-in/<int:participation_id>")
@organiser_required
def walk_in_done(event, participation_id: int):
    return _walk_in_page(event, get_in_event(Participation, event, participation_id))


@bp.route(CONSOLE + "/checkin/walk-in/<int:participation_id>/meeting", methods=["POST"])
@organiser_required
def walk_in_meeting(event, participation_id: int):
    person = get_in_event(Participation, event, participation_id)
    form = WalkInMeetingForm()
    if not form.validate_on_submit():
        return _walk_in_page(event, person, error=_("Choose someone to meet."))
    partner = get_in_event(Participation, event, form.partner_id.data)
    slot = get_in_event(Slot, event, form.slot_id.data)
    meeting, error = attempt(lambda: onsite.book_walk_in(db.session, event, slot, person, partner,
                                                         now=utcnow()))
    if error is not None:
        return _walk_in_page(event, person, error=error.message)
    _flash_booked(meeting.table, person, partner)
    return redirect(url_for("onsite.walk_in_done", slug=event.slug, participation_id=person.id))


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
    _result, error = attempt(lambda: onsite.set_meeting_status(db.session, meeting,
                                                               form.status.data))
    if error is not None:
        return _onsite_page(event, slot, status_errors={meeting.id: error.message})
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
    _result, error = attempt(lambda: onsite.book_standby(db.session, event, slot, meeting_request,
                                                         table))
    if error is not None:
        return _onsite_page(event, slot, fill_error=error.message)
    _flash_booked(table, meeting_request.sender, meeting_request.recipient)
    return redirect(url_for("onsite.onsite_page", slug=event.slug, slot=slot.id))

