"""The organiser console: creating an event, its details, booking rules, product groups and
phase, its meeting blocks, tables and stands, and its market-dialogue sessions.

Every page under /events/<slug>/console is for the event's organisers only
(`access.organiser_required`: anonymous -> login, others -> 403). Creating an event at
/console/events/new needs organiser rights granted by an administrator, unless
`OPEN_EVENT_CREATION` lets any account (`access.may_create_events`); the creator becomes
the event's organiser.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..access import is_organiser, may_create_events, organiser_required
from ..actions import commit_or_flash, commit_or_show
from ..dialogues import services as dialogue_services
from ..domain import DomainError
from ..exports.tables import dialogue_sheets
from ..forms import ActionForm, attach_error
from ..extensions import db
from ..i18n import format_day, group_name
from ..models import (ContactVisibility, DialogueSession, JoinPolicy, MeetingBlock, Participation,
                      ProductGroup, Role, Table)
from ..timeutil import format_time, local_to_utc, to_local
from . import dashboard, setup
from .forms import (AccessForm, BlockForm, BookingRulesForm, DialogueSessionForm,
                    DialogueTableForm, EventForm, FreezeForm, PhaseForm, ProductGroupsForm,
                    StandForm,
                    TablesForm)
from .pages import CONSOLE, get_in_event, page

bp = Blueprint("console", __name__)


# --- Creating an event -------------------------------------------------------------------

@bp.app_context_processor
def _creation_helpers():
    from ..access import is_admin
    return {"may_create_events": may_create_events, "is_admin": is_admin}


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
            return redirect(url_for("console.home", slug=event.slug))
    return page("console/new_event.html", form, form=form, zones=sorted(setup.available_zones()))


# --- Console home --------------------------------------------------------------------------

@bp.route(CONSOLE + "/")
@organiser_required
def home(event):
    from ..outcomes.services import results as outcome_results
    return render_template("console/home.html", event=event, phase_form=PhaseForm(),
                           phase_moves=setup.phase_moves(event),
                           phase_text=setup.phase_summary(event),
                           board=dashboard.build(db.session, event),
                           outcomes=outcome_results(db.session, event))


# --- Event details, booking rules, product groups, phase ----------------------------------

def _freeze_form(event) -> FreezeForm:
    form = FreezeForm(formdata=None)
    if event.changes_frozen_from is not None:
        local = to_local(event.changes_frozen_from, event.timezone)
        form.frozen_day.data, form.frozen_time.data = local.date(), local.time()
    return form


def _access_form(event=None) -> AccessForm:
    if event is None:
        form = AccessForm()
    else:
        form = AccessForm(formdata=None, data={
            "join_policy": event.join_policy.value, "join_code": event.join_code,
            "contact_visibility": event.contact_visibility.value})
    form.join_policy.choices = [(p.value, p.label) for p in JoinPolicy]
    form.contact_visibility.choices = [(c.value, c.label) for c in ContactVisibility]
    return form


def _event_page(event, *, details=None, rules=None, groups=None, freeze=None, access=None):
    details = details or EventForm(obj=event, formdata=None)
    rules = rules or BookingRulesForm(obj=event, formdata=None)
    freeze = freeze or _freeze_form(event)
    access = access or _access_form(event)
    if groups is None:
        groups = ProductGroupsForm(formdata=None)
        groups.groups.data = [g.id for g in event.product_groups]
    _group_choices(groups)
    failed = any(f.errors for f in (details, rules, groups, freeze, access))
    return render_template("console/event.html", event=event, details=details, rules=rules,
                           groups=groups, freeze=freeze, access=access,
                           zones=sorted(setup.available_zones())), \
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
    if form.validate_on_submit() and commit_or_show(form, lambda: setup.update_event(
            db.session, event, name=form.name.data, slug=form.slug.data,
            timezone=form.timezone.data, venue=form.venue.data or "",
            description=form.description.data or ""), _("Event details saved.")):
        return redirect(url_for("console.edit_event", slug=event.slug))
    return _event_page(event, details=form)


@bp.route(CONSOLE + "/rules", methods=["POST"])
@organiser_required
def booking_rules(event):
    form = BookingRulesForm()
    if form.validate_on_submit() and commit_or_show(form, lambda: setup.set_booking_rules(
            db.session, event, max_open_requests=form.max_open_requests.data,
            default_max_meetings=form.default_max_meetings.data,
            request_expiry_days=form.request_expiry_days.data), _("Booking rules saved.")):
        return redirect(url_for("console.edit_event", slug=event.slug))
    return _event_page(event, rules=form)


@bp.route(CONSOLE + "/freeze", methods=["POST"])
@organiser_required
def freeze(event):
    form = FreezeForm()
    if form.validate_on_submit():
        day, clock = form.frozen_day.data, form.frozen_time.data
        if (day is None) != (clock is None):
            missing = form.frozen_time if clock is None else form.frozen_day
            missing.errors.append(_("Give both a day and a time, or leave both empty."))
        else:
            moment = None if day is None else local_to_utc(day, clock, event.timezone)
            setup.set_changes_frozen_from(db.session, event, moment)
            db.session.commit()
            flash(_("Self-service changes are frozen from %(when)s.",
                    when=f"{format_day(moment, event.timezone, 'long')} "
                         f"{format_time(moment, event.timezone)}")
                  if moment else _("Self-service changes are not frozen."), "success")
            return redirect(url_for("console.edit_event", slug=event.slug))
    return _event_page(event, freeze=form)


@bp.route(CONSOLE + "/access", methods=["POST"])
@organiser_required
def access(event):
    form = _access_form()
    if form.validate_on_submit() and commit_or_show(form, lambda: setup.set_access(
            db.session, event, join_policy=JoinPolicy(form.join_policy.data),
            join_code=form.join_code.data or "",
            contact_visibility=ContactVisibility(form.contact_visibility.data)),
            _("Joining and contact settings saved.")):
        return redirect(url_for("console.edit_event", slug=event.slug))
    return _event_page(event, access=form)


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
        return redirect(url_for("console.edit_event", slug=event.slug))
    return _event_page(event, groups=form)


@bp.route(CONSOLE + "/phase", methods=["POST"])
@organiser_required
def phase(event):
    form = PhaseForm()
    if form.validate_on_submit():
        try:
            label = setup.move_phase(db.session, event, form.move.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The event is now '%(phase)s'.", phase=label), "success")
    else:
        flash(_("The form expired; please try again."), "error")
    return redirect(url_for("console.home", slug=event.slug))

# --- Meeting blocks ------------------------------------------------------------------------

@bp.route(CONSOLE + "/blocks", methods=["GET", "POST"])
@organiser_required
def blocks(event):
    form = BlockForm()
    if form.validate_on_submit() and commit_or_show(form, lambda: setup.add_meeting_block(
            db.session, event, day=form.day.data, start=form.start_time.data,
            end=form.end_time.data, meeting_minutes=form.meeting_minutes.data,
            break_minutes=form.break_minutes.data, name=form.name.data or ""),
            lambda block: ngettext("Block added with %(num)d meeting slot.",
                                   "Block added with %(num)d meeting slots.", len(block.slots))):
        return redirect(url_for("console.blocks", slug=event.slug))
    return page("console/blocks.html", form, event=event, form=form, delete_form=ActionForm())


def _delete(event, model, object_id: int, delete, done: str, back: str):
    """A delete button's view: the object of this event, its service, back to the list."""
    obj = get_in_event(model, event, object_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    commit_or_flash(lambda: delete(db.session, obj), done)
    return redirect(url_for(back, slug=event.slug))


@bp.route(CONSOLE + "/blocks/<int:block_id>/delete", methods=["POST"])
@organiser_required
def delete_block(event, block_id: int):
    return _delete(event, MeetingBlock, block_id, setup.delete_meeting_block,
                   _("Block deleted."), "console.blocks")


# --- Tables and stands ---------------------------------------------------------------------

def _people(event, *roles: Role) -> list[Participation]:
    """The event's participants in these roles, by name: the choices of a select."""
    rows = db.session.scalars(select(Participation).where(
        Participation.event_id == event.id, Participation.role.in_(roles)))
    return sorted(rows, key=lambda p: p.display_name.casefold())


def _person_choices(people: list[Participation], nobody: str) -> list[SelectChoice]:
    return [SelectChoice(0, nobody)] + [SelectChoice(p.id, p.display_name) for p in people]


def _stand_form(event, table: Table, suppliers) -> StandForm:
    form = StandForm(formdata=None, prefix=f"t{table.id}")
    form.owner.choices = _person_choices(suppliers, _("— pooled table, no owner —"))
    form.owner.data = table.owner_id or 0
    return form


def _tables_page(event, form, stand_errors: dict | None = None):
    suppliers = _people(event, Role.SUPPLIER)
    stand_forms = {t.id: _stand_form(event, t, suppliers) for t in event.tables}
    for table_id, message in (stand_errors or {}).items():
        stand_forms[table_id].owner.errors = [message]
    failed = bool(form.errors) or bool(stand_errors)
    return render_template("console/tables.html", event=event, form=form,
                           stand_forms=stand_forms, delete_form=ActionForm(),
                           zones=[group_name(g) for g in event.product_groups]), \
        400 if failed else 200


@bp.route(CONSOLE + "/tables", methods=["GET", "POST"])
@organiser_required
def tables(event):
    form = TablesForm()
    if form.validate_on_submit() and commit_or_show(form, lambda: setup.add_table_batch(
            db.session, event, count=form.count.data, first_number=form.first_number.data,
            zone=form.zone.data or "", spare=form.spare.data),
            lambda made: ngettext("%(num)d table added (%(first)s–%(last)s).",
                                  "%(num)d tables added (%(first)s–%(last)s).", len(made),
                                  first=made[0].number, last=made[-1].number)):
        return redirect(url_for("console.tables", slug=event.slug))
    return _tables_page(event, form)


@bp.route(CONSOLE + "/tables/<int:table_id>/stand", methods=["POST"])
@organiser_required
def stand(event, table_id: int):
    table = get_in_event(Table, event, table_id)
    form = StandForm(prefix=f"t{table.id}")
    form.owner.choices = _person_choices(_people(event, Role.SUPPLIER), "")
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
    return redirect(url_for("console.tables", slug=event.slug))


@bp.route(CONSOLE + "/tables/<int:table_id>/delete", methods=["POST"])
@organiser_required
def delete_table(event, table_id: int):
    return _delete(event, Table, table_id, setup.delete_table, _("Table deleted."),
                   "console.tables")


# --- Market-dialogue sessions --------------------------------------------------------------

def _moderators(event) -> list[Participation]:
    return _people(event, Role.FACILITATOR, Role.MODERATOR)


def _table_form(event, dialogue, moderators, formdata=None) -> DialogueTableForm:
    form = DialogueTableForm(formdata=formdata, prefix=f"s{dialogue.id}")
    form.moderator.choices = _person_choices(moderators, _("— none yet —"))
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
    return render_template("console/dialogues.html", event=event, form=form, sessions=sessions,
                           table_forms=table_forms, delete_form=ActionForm(),
                           signups=dialogue_services.signups(db.session, event),
                           plan=_dialogue_plan(event, sessions)), \
        400 if failed else 200


def _dialogue_plan(event, sessions) -> list:
    """The seated plan per table, or [] before any seat is published."""
    if not any(t.seats for s in sessions for t in s.tables):
        return []
    days = {format_day(s.starts_at, event.timezone) for s in sessions}
    return dialogue_sheets(db.session, event, with_day=len(days) > 1)


@bp.route(CONSOLE + "/dialogues/plan")
@organiser_required
def dialogue_plan(event):
    """The dialogue plan per table, to print (the page's print style drops the rest)."""
    sessions = list(db.session.scalars(select(DialogueSession).where(
        DialogueSession.event_id == event.id).order_by(DialogueSession.starts_at)))
    return render_template("console/dialogue_plan.html", event=event,
                           plan=_dialogue_plan(event, sessions))


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
        if commit_or_show(form, lambda: setup.add_dialogue_session(
                db.session, event, product_group=group, day=form.day.data,
                start=form.start_time.data, end=form.end_time.data, name=form.name.data or ""),
                _("Market-dialogue session added; now add its tables.")):
            return redirect(url_for("console.dialogues", slug=event.slug))
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
        if commit_or_show(form, lambda: setup.add_dialogue_table(
                db.session, dialogue, label=form.label.data, buyer_seats=form.buyer_seats.data,
                supplier_seats=form.supplier_seats.data, moderator=moderator),
                _("Table %(label)s added.", label=form.label.data)):
            return redirect(url_for("console.dialogues", slug=event.slug))
    return _dialogues_page(event, _session_form(event, blank=True), (dialogue.id, form))


@bp.route(CONSOLE + "/dialogues/<int:session_id>/delete", methods=["POST"])
@organiser_required
def delete_dialogue(event, session_id: int):
    return _delete(event, DialogueSession, session_id, setup.delete_dialogue_session,
                   _("Session deleted."), "console.dialogues")



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
    return {"console_link_for": console_link_for}
