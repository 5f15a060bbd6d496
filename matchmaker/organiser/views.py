"""The organiser console: event setup, attendees, dashboard and on-the-day tools.

Every page under /events/<slug>/console is for the event's organisers only
(`access.organiser_required`: anonymous -> login, others -> 403). Any logged-in user
may create an event at /console/events/new and becomes its organiser, unless
`EVENT_CREATION_ADMIN_ONLY` is set, in which case only administrators may.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..access import is_organiser, organiser_required, participant_required
from ..auth.services import password_service
from ..database import utcnow
from ..domain import DomainError
from ..forms import attach_error
from ..extensions import db
from ..i18n import format_day, group_name
from ..models import (DialogueSession, Event, Meeting, MeetingBlock, MeetingFeedback,
                      MeetingRequest, Participation, ProductGroup, Role, Slot, Table)
from ..timeutil import format_time, zone_label
from . import attendees as attendee_services
from . import dashboard, invitations, onsite, setup
from .forms import (BlockForm, BookingRulesForm, CheckinSearchForm,
                    ConfirmForm, DialogueSessionForm, DialogueTableForm, EventForm, FeedbackForm,
                    FillForm, ImportConfirmForm, ImportForm, MeetingStatusForm, PhaseForm,
                    ProductGroupsForm, SetPasswordForm, StandForm, TablesForm)

bp = Blueprint("organiser", __name__)

CONSOLE = "/events/<slug>/console"
MEETING_MARKED = {"held": _l("Meeting marked: held."), "no_show": _l("Meeting marked: no-show."),
                  "scheduled": _l("Meeting marked: scheduled."),
                  "cancelled": _l("Meeting marked: cancelled (frees slot and table).")}




def page(template: str, checked=None, **context):
    """Render with 400 when the `checked` form has errors, else 200."""
    failed = checked is not None and bool(checked.errors)
    return render_template(template, **context), 400 if failed else 200


def get_in_event(model, event, object_id: int):
    """An object of this event, or 404 (ids of other events are not revealed)."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.event_id != event.id:
        abort(404)
    return obj


# --- Creating an event -------------------------------------------------------------------

def may_create_events(user) -> bool:
    if current_app.config.get("EVENT_CREATION_ADMIN_ONLY"):
        return bool(user.is_admin)
    return True


@bp.route("/console/events/new", methods=["GET", "POST"])
@login_required
def new_event():
    if not may_create_events(current_user):
        abort(403)
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = setup.create_event(
                db.session, creator=current_user._get_current_object(), name=form.name.data,
                slug=form.slug.data, timezone=form.timezone.data, venue=form.venue.data or "",
                description=form.description.data or "")
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Event '%(name)s' created. Next: meeting blocks and tables.",
                    name=event.name), "success")
            return redirect(url_for("organiser.home", slug=event.slug))
    return page("organiser/new_event.html", form, form=form, zones=sorted(setup.available_zones()))


# --- Console home --------------------------------------------------------------------------

@bp.route(CONSOLE + "/")
@organiser_required
def home(event):
    has_schedule = "schedule.runs" in current_app.view_functions
    return render_template("organiser/home.html", event=event, phase_form=PhaseForm(),
                           board=dashboard.build(db.session, event), has_schedule=has_schedule)


# --- Event details, booking rules, product groups, phase ----------------------------------

def _event_page(event, *, details=None, rules=None, groups=None):
    details = details or EventForm(obj=event, formdata=None)
    rules = rules or BookingRulesForm(obj=event, formdata=None)
    if groups is None:
        groups = ProductGroupsForm(formdata=None)
        groups.groups.data = [g.id for g in event.product_groups]
    _group_choices(groups)
    failed = any(f.errors for f in (details, rules, groups))
    return render_template("organiser/event.html", event=event, details=details, rules=rules,
                           groups=groups, zones=sorted(setup.available_zones())), \
        400 if failed else 200


def _group_choices(form: ProductGroupsForm) -> None:
    form.groups.choices = [SelectChoice(g.id, group_name(g)) for g in db.session.scalars(
        select(ProductGroup).order_by(ProductGroup.sort_order))]


@bp.route(CONSOLE + "/event", methods=["GET", "POST"])
@organiser_required
def edit_event(event):
    if request.method == "GET":
        return _event_page(event)
    form = EventForm()
    if form.validate_on_submit():
        try:
            setup.update_event(db.session, event, name=form.name.data, slug=form.slug.data,
                               timezone=form.timezone.data, venue=form.venue.data or "",
                               description=form.description.data or "")
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Event details saved."), "success")
            return redirect(url_for("organiser.edit_event", slug=event.slug))
    return _event_page(event, details=form)


@bp.route(CONSOLE + "/rules", methods=["POST"])
@organiser_required
def booking_rules(event):
    form = BookingRulesForm()
    if form.validate_on_submit():
        try:
            setup.set_booking_rules(db.session, event,
                                    max_open_requests=form.max_open_requests.data,
                                    default_max_meetings=form.default_max_meetings.data,
                                    request_expiry_days=form.request_expiry_days.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Booking rules saved."), "success")
            return redirect(url_for("organiser.edit_event", slug=event.slug))
    return _event_page(event, rules=form)


@bp.route(CONSOLE + "/product-groups", methods=["POST"])
@organiser_required
def product_groups(event):
    form = ProductGroupsForm()
    _group_choices(form)
    if form.validate_on_submit():
        chosen = list(db.session.scalars(select(ProductGroup).where(
            ProductGroup.id.in_(form.groups.data or []))))
        setup.set_product_groups(db.session, event, chosen)
        db.session.commit()
        flash(_("Product groups saved."), "success")
        return redirect(url_for("organiser.edit_event", slug=event.slug))
    return _event_page(event, groups=form)


@bp.route(CONSOLE + "/phase", methods=["POST"])
@organiser_required
def phase(event):
    form = PhaseForm()
    if form.validate_on_submit():
        try:
            new = setup.move_phase(db.session, event, form.move.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The event is now '%(phase)s'.", phase=new.label), "success")
    else:
        flash(_("The form expired; please try again."), "error")
    return redirect(url_for("organiser.home", slug=event.slug))


# --- Meeting blocks ------------------------------------------------------------------------

@bp.route(CONSOLE + "/blocks", methods=["GET", "POST"])
@organiser_required
def blocks(event):
    form = BlockForm()
    if form.validate_on_submit():
        try:
            block = setup.add_meeting_block(
                db.session, event, day=form.day.data, start=form.start_time.data,
                end=form.end_time.data, meeting_minutes=form.meeting_minutes.data,
                break_minutes=form.break_minutes.data, name=form.name.data or "")
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(ngettext("Block added with %(num)d meeting slot.",
                           "Block added with %(num)d meeting slots.", len(block.slots)),
                  "success")
            return redirect(url_for("organiser.blocks", slug=event.slug))
    return page("organiser/blocks.html", form, event=event, form=form, delete_form=ConfirmForm())


@bp.route(CONSOLE + "/blocks/<int:block_id>/delete", methods=["POST"])
@organiser_required
def delete_block(event, block_id: int):
    block = get_in_event(MeetingBlock, event, block_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        setup.delete_meeting_block(db.session, block)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("organiser.blocks", slug=event.slug))
    db.session.commit()
    flash(_("Block deleted."), "success")
    return redirect(url_for("organiser.blocks", slug=event.slug))


# --- Tables and stands ---------------------------------------------------------------------

def _suppliers(event) -> list[Participation]:
    rows = db.session.scalars(select(Participation).where(
        Participation.event_id == event.id, Participation.role == Role.SUPPLIER))
    return sorted(rows, key=lambda p: p.display_name.casefold())


def _stand_form(event, table: Table, suppliers) -> StandForm:
    form = StandForm(formdata=None, prefix=f"t{table.id}")
    form.owner.choices = [SelectChoice(0, _("— pooled table, no owner —"))] + [
        SelectChoice(p.id, p.display_name) for p in suppliers]
    form.owner.data = table.owner_id or 0
    return form


def _tables_page(event, form, stand_errors: dict | None = None):
    suppliers = _suppliers(event)
    stand_forms = {t.id: _stand_form(event, t, suppliers) for t in event.tables}
    for table_id, message in (stand_errors or {}).items():
        stand_forms[table_id].owner.errors = [message]
    failed = bool(form.errors) or bool(stand_errors)
    return render_template("organiser/tables.html", event=event, form=form,
                           stand_forms=stand_forms, delete_form=ConfirmForm(),
                           zones=[group_name(g) for g in event.product_groups]), \
        400 if failed else 200


@bp.route(CONSOLE + "/tables", methods=["GET", "POST"])
@organiser_required
def tables(event):
    form = TablesForm()
    if form.validate_on_submit():
        try:
            made = setup.add_table_batch(db.session, event, count=form.count.data,
                                         first_number=form.first_number.data,
                                         zone=form.zone.data or "", spare=form.spare.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(ngettext("%(num)d table added (%(first)s–%(last)s).",
                           "%(num)d tables added (%(first)s–%(last)s).", len(made),
                           first=made[0].number, last=made[-1].number), "success")
            return redirect(url_for("organiser.tables", slug=event.slug))
    return _tables_page(event, form)


@bp.route(CONSOLE + "/tables/<int:table_id>/stand", methods=["POST"])
@organiser_required
def stand(event, table_id: int):
    table = get_in_event(Table, event, table_id)
    form = StandForm(prefix=f"t{table.id}")
    suppliers = _suppliers(event)
    form.owner.choices = [SelectChoice(0, "")] + [
        SelectChoice(p.id, p.display_name) for p in suppliers]
    if not form.validate_on_submit():
        return _tables_page(event, TablesForm(formdata=None),
                            {table.id: _("Choose a supplier from the list.")})
    owner = db.session.get(Participation, form.owner.data) if form.owner.data else None
    try:
        setup.assign_stand(db.session, table, owner)
    except DomainError as error:
        db.session.rollback()
        return _tables_page(event, TablesForm(formdata=None), {table.id: error.message})
    db.session.commit()
    flash(_("Table %(number)s: stand of %(name)s.", number=table.number, name=owner.display_name)
          if owner else _("Table %(number)s: pooled table.", number=table.number), "success")
    return redirect(url_for("organiser.tables", slug=event.slug))


@bp.route(CONSOLE + "/tables/<int:table_id>/delete", methods=["POST"])
@organiser_required
def delete_table(event, table_id: int):
    table = get_in_event(Table, event, table_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        setup.delete_table(db.session, table)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Table deleted."), "success")
    return redirect(url_for("organiser.tables", slug=event.slug))


# --- Market-dialogue sessions --------------------------------------------------------------

def _moderators(event) -> list[Participation]:
    rows = db.session.scalars(select(Participation).where(
        Participation.event_id == event.id,
        Participation.role.in_([Role.FACILITATOR, Role.MODERATOR])))
    return sorted(rows, key=lambda p: p.display_name.casefold())


def _table_form(event, dialogue, moderators, formdata=None) -> DialogueTableForm:
    form = DialogueTableForm(formdata=formdata, prefix=f"s{dialogue.id}")
    form.moderator.choices = [SelectChoice(0, _("— none yet —"))] + [
        SelectChoice(p.id, p.display_name) for p in moderators]
    if formdata is None:
        form.label.data = f"{dialogue.product_group.name[:3].upper()}-{len(dialogue.tables) + 1}"
    return form


def _dialogues_page(event, form, table_form=None):
    moderators = _moderators(event)
    sessions = list(db.session.scalars(select(DialogueSession).where(
        DialogueSession.event_id == event.id).order_by(DialogueSession.starts_at)))
    table_forms = {s.id: _table_form(event, s, moderators) for s in sessions}
    if table_form is not None:
        table_forms[table_form[0]] = table_form[1]
    failed = bool(form.errors) or (table_form is not None and bool(table_form[1].errors))
    return render_template("organiser/dialogues.html", event=event, form=form, sessions=sessions,
                           table_forms=table_forms, delete_form=ConfirmForm()), \
        400 if failed else 200


def _session_form(event, *, blank: bool = False) -> DialogueSessionForm:
    form = DialogueSessionForm(formdata=None) if blank else DialogueSessionForm()
    groups = event.product_groups or list(db.session.scalars(
        select(ProductGroup).order_by(ProductGroup.sort_order)))
    form.product_group.choices = [SelectChoice(g.id, group_name(g)) for g in groups]
    return form


@bp.route(CONSOLE + "/dialogues", methods=["GET", "POST"])
@organiser_required
def dialogues(event):
    form = _session_form(event)
    if form.validate_on_submit():
        group = db.session.get(ProductGroup, form.product_group.data)
        try:
            setup.add_dialogue_session(db.session, event, product_group=group,
                                       day=form.day.data, start=form.start_time.data,
                                       end=form.end_time.data, name=form.name.data or "")
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Market-dialogue session added; now add its tables."), "success")
            return redirect(url_for("organiser.dialogues", slug=event.slug))
    return _dialogues_page(event, form)


@bp.route(CONSOLE + "/dialogues/<int:session_id>/tables", methods=["POST"])
@organiser_required
def dialogue_table(event, session_id: int):
    dialogue = get_in_event(DialogueSession, event, session_id)
    moderators = _moderators(event)
    form = _table_form(event, dialogue, moderators, formdata=request.form)
    if form.validate_on_submit():
        moderator = db.session.get(Participation, form.moderator.data) \
            if form.moderator.data else None
        try:
            setup.add_dialogue_table(db.session, dialogue, label=form.label.data,
                                     buyer_seats=form.buyer_seats.data,
                                     supplier_seats=form.supplier_seats.data,
                                     moderator=moderator)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Table %(label)s added.", label=form.label.data), "success")
            return redirect(url_for("organiser.dialogues", slug=event.slug))
    return _dialogues_page(event, _session_form(event, blank=True), (dialogue.id, form))


@bp.route(CONSOLE + "/dialogues/<int:session_id>/delete", methods=["POST"])
@organiser_required
def delete_dialogue(event, session_id: int):
    dialogue = get_in_event(DialogueSession, event, session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        setup.delete_dialogue_session(db.session, dialogue)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("organiser.dialogues", slug=event.slug))
    db.session.commit()
    flash(_("Session deleted."), "success")
    return redirect(url_for("organiser.dialogues", slug=event.slug))


# --- Template helpers ----------------------------------------------------------------------

@bp.app_template_filter("console_time")
def console_time(moment, event) -> str:
    return format_time(moment, event.timezone) if moment else ""


@bp.app_template_filter("console_day")
def console_day(moment, event) -> str:
    return format_day(moment, event.timezone, "short_year") if moment else ""


@bp.app_context_processor
def _console_helpers():
    def console_link_for(event) -> bool:
        return event is not None and hasattr(event, "slug") and is_organiser(current_user, event)
    def has_endpoint(name: str) -> bool:
        return name in current_app.view_functions

    def feedback_link_for(event) -> bool:
        from ..access import participation_of
        if event is None or not hasattr(event, "slug"):
            return False
        me = participation_of(current_user, event)
        return me is not None and me.role is not Role.ORGANISER
    return {"console_link_for": console_link_for, "has_endpoint": has_endpoint,
            "feedback_link_for": feedback_link_for}


# --- Attendees -----------------------------------------------------------------------------

@bp.route(CONSOLE + "/attendees")
@organiser_required
def attendees(event):
    search = CheckinSearchForm(request.args)
    query = (search.q.data or "").strip()[:100] if search.validate() else ""
    people = attendee_services.attendees(db.session, event, search=query)
    return render_template("organiser/attendees.html", event=event, people=people,
                           search=search, query=query, invite_form=ConfirmForm(),
                           usable=attendee_services.has_usable_password)


@bp.route(CONSOLE + "/attendees/import", methods=["GET", "POST"])
@organiser_required
def import_attendees(event):
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read(attendee_services.MAX_BYTES + 1)
        try:
            text = attendee_services.decode_upload(data)
            parsed = attendee_services.parse_attendees(db.session, event, text)
        except DomainError as error:
            attach_error(form, error)
        else:
            confirm = ImportConfirmForm(formdata=None, data={
                "csv_text": text, "only_valid": form.only_valid.data,
                "invite": form.invite.data})
            return _preview(event, parsed, confirm)
    return page("organiser/import.html", form, event=event, form=form)


def _preview(event, parsed, confirm, message: str = ""):
    status = 200 if parsed.clean and not message else 400
    return render_template("organiser/import_preview.html", event=event, parsed=parsed,
                           confirm=confirm, message=message), status


@bp.route(CONSOLE + "/attendees/import/confirm", methods=["POST"])
@organiser_required
def confirm_import(event):
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("Nothing to import: upload the file again."), "error")
        return redirect(url_for("organiser.import_attendees", slug=event.slug))
    try:
        parsed = attendee_services.parse_attendees(db.session, event, form.csv_text.data)
        result = attendee_services.import_attendees(db.session, event, parsed,
                                                    only_valid=form.only_valid.data)
    except DomainError as error:
        db.session.rollback()
        if error.field == "file":
            flash(error.message, "error")
            return redirect(url_for("organiser.import_attendees", slug=event.slug))
        return _preview(event, parsed, form, error.message)
    db.session.commit()
    if result.unchanged or result.skipped_bad:
        summary = _("%(added)d attendee(s) added, %(new)d new account(s), %(unchanged)d already "
                    "registered, %(skipped)d bad row(s) skipped.", added=len(result.added),
                    new=len(result.new_users), unchanged=result.unchanged,
                    skipped=result.skipped_bad)
    else:
        summary = _("%(added)d attendee(s) added, %(new)d new account(s).",
                    added=len(result.added), new=len(result.new_users))
    flash(summary, "success")
    if form.invite.data and result.new_users:
        sent, failed = invitations.send_invitations(result.new_users, event)
        flash(_("%(num)d invitation(s) sent.", num=sent), "success")
        if failed:
            flash(_("%(num)d invitation(s) could not be sent; use 'invite again' later.",
                    num=len(failed)), "error")
    return redirect(url_for("organiser.attendees", slug=event.slug))


@bp.route(CONSOLE + "/attendees/export.csv")
@organiser_required
def export_attendees(event):
    body = attendee_services.export_csv(db.session, event)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-attendees.csv"',
        "Cache-Control": "no-store"})


@bp.route(CONSOLE + "/attendees/<int:participation_id>/invite", methods=["POST"])
@organiser_required
def invite_again(event, participation_id: int):
    participation = get_in_event(Participation, event, participation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = participation.user
    if attendee_services.has_usable_password(user):
        flash(_("%(name)s has set a password already; no invitation needed.", name=user.name),
              "info")
    else:
        sent, failed = invitations.send_invitations([user], event)
        flash(_("Invitation sent to %(email)s.", email=user.email) if sent else
              _("The invitation to %(email)s could not be sent; try again later.",
                email=user.email),
              "success" if sent else "error")
    return redirect(url_for("organiser.attendees", slug=event.slug))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    config = current_app.config
    try:
        invitation = invitations.read_token(db.session, token, secret_key=config["SECRET_KEY"],
                                            max_age_days=invitations.max_age_days(config))
    except DomainError as error:
        return render_template("organiser/invite_invalid.html", message=error.message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(db.session, invitation, form.password.data,
                                      passwords=password_service(),
                                      min_length=config["PASSWORD_MIN_LENGTH"])
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your password is set; welcome."), "success")
            event = db.session.get(Event, invitation.event_id) if invitation.event_id else None
            if event is not None:
                return redirect(url_for("public.event_page", slug=event.slug))
            return redirect(url_for("public.home"))
    return page("organiser/invite.html", form, form=form, user=invitation.user)


# --- On the day: check-in --------------------------------------------------------------------

@bp.route(CONSOLE + "/checkin")
@organiser_required
def checkin(event):
    search = CheckinSearchForm(request.args)
    query = (search.q.data or "").strip()[:100] if search.validate() else ""
    people = attendee_services.attendees(db.session, event, search=query) if query else []
    total = len(event_participants(event))
    present = sum(1 for p in event_participants(event) if p.checked_in_at)
    return render_template("organiser/checkin.html", event=event, search=search, query=query,
                           people=people, form=ConfirmForm(), present=present, total=total)


def event_participants(event) -> list[Participation]:
    return list(db.session.scalars(select(Participation).where(
        Participation.event_id == event.id)))


@bp.route(CONSOLE + "/checkin/<int:participation_id>", methods=["POST"])
@organiser_required
def checkin_person(event, participation_id: int):
    participation = get_in_event(Participation, event, participation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    undo = request.form.get("undo") == "1"
    onsite.check_in(db.session, participation, now=utcnow(), undo=undo)
    db.session.commit()
    flash(_("%(name)s: check-in undone.", name=participation.display_name) if undo else
          _("%(name)s: checked in.", name=participation.display_name), "success")
    return redirect(url_for("organiser.checkin", slug=event.slug,
                            q=request.form.get("q", "")[:100] or None))


# --- On the day: meetings, no-shows, standby ---------------------------------------------------

def _slot_or_current(event):
    slot_id = request.args.get("slot", type=int)
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
    return render_template("organiser/onsite.html", event=event, slot=slot, meetings=meetings,
                           forms=forms, candidates=candidates, fill_form=ConfirmForm(),
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
    return redirect(url_for("organiser.onsite_page", slug=event.slug, slot=slot.id))


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
    return redirect(url_for("organiser.onsite_page", slug=event.slug, slot=slot.id))


# --- Feedback (participants) -----------------------------------------------------------------

@bp.route("/events/<slug>/feedback")
@participant_required
def feedback_list(event, me):
    meetings = onsite.my_meetings(db.session, me)
    given = {f.meeting_id for f in db.session.scalars(select(MeetingFeedback).where(
        MeetingFeedback.participation_id == me.id))}
    now = utcnow()
    return render_template("organiser/feedback_list.html", event=event, me=me,
                           meetings=meetings, given=given, now=now,
                           is_open=lambda m: onsite.feedback_open(m, now),
                           other=lambda m: onsite.other_side(m, me))


@bp.route("/events/<slug>/feedback/<int:meeting_id>", methods=["GET", "POST"])
@participant_required
def feedback(event, me, meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id or me.id not in (
            meeting.request.sender_id, meeting.request.recipient_id):
        abort(404)
    now = utcnow()
    existing = onsite.feedback_of(db.session, meeting, me)
    form = FeedbackForm(obj=None)
    if request.method == "GET" and existing is not None:
        form.useful.data = existing.useful
        form.follow_up.data = "yes" if existing.follow_up else "no"
        form.comment.data = existing.comment
    if form.validate_on_submit():
        try:
            onsite.give_feedback(db.session, meeting, me, useful=form.useful.data,
                                 follow_up=form.follow_up.data == "yes",
                                 comment=form.comment.data or "", now=now)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for("organiser.feedback_list", slug=event.slug))
    return page("organiser/feedback.html", form, event=event, form=form, meeting=meeting,
                other=onsite.other_side(meeting, me), is_open=onsite.feedback_open(meeting, now),
                existing=existing)
