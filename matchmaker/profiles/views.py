from __future__ import annotations

import json
import secrets
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from wtforms.fields.choices import SelectChoice

from ..access import is_organiser, participant_required, participation_of, visible_event_or_404
from ..attendees import pending
from ..auth import verification
from ..auth.forms import ConfirmForm
from ..auth.services import password_service
from ..domain import DomainError
from ..forms import attach_error
from ..i18n import group_name
from ..extensions import db
from ..models import (ContactVisibility, Event, JoinPolicy, Participation, PendingKind, Role,
                      User)
from . import contacts, services
from .forms import DeleteAccountForm, ProfileForm

bp = Blueprint("profiles", __name__)

SUGGESTIONS_ON_HOME = 5


def upload_dir() -> Path:
    return Path(current_app.config.get("UPLOAD_FOLDER") or
                Path(current_app.instance_path) / "uploads")


@bp.app_context_processor
def _profile_helpers():

    def participation_for(event: Event) -> Participation | None:
        return participation_of(current_user, event)

    return {"participation_for": participation_for}


def _profile_form(event: Event, participation: Participation | None,
                  newcomer: User | None = None) -> ProfileForm:
    form = ProfileForm()
    form.product_groups.choices = [SelectChoice(g.id, group_name(g)) for g in event.product_groups]
    if participation is not None and participation.role not in services.SELF_CHOSEN_ROLES:
        del form.role
    if not event.product_groups:
        del form.product_groups
    if participation is not None or event.join_policy is not JoinPolicy.CODE:
        del form.join_code
    if participation is None and event.join_policy is JoinPolicy.APPROVAL:
        del form.logo  # a logo is added once the request is approved
    form.share_contact.description = (
        _("Every participant of the event sees them.")
        if event.contact_visibility is ContactVisibility.PARTICIPANTS else
        _("Only people you have an accepted meeting request or a meeting with see them, and "
          "the organisers."))
    if participation is not None and request.method == "GET":
        form.organisation.data = participation.organisation.name if participation.organisation else ""
        if "role" in form:
            form.role.data = participation.role.value
        if "product_groups" in form:
            form.product_groups.data = [g.id for g in participation.product_groups]
        form.pitch.data = participation.pitch
        form.phone.data = participation.user.phone
        form.share_contact.data = participation.share_contact
    elif participation is None and request.method == "GET":
        form.phone.data = (newcomer or current_user).phone
        if "role" in form and request.args.get("role") in {r.value for r in services.SELF_CHOSEN_ROLES}:
            form.role.data = request.args["role"]  # the registration link said how
    return form


def _uploaded_logo(form: ProfileForm) -> bytes | None:
    storage = form.logo.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    return storage.read(services.MAX_LOGO_BYTES + 1)


def _save(event: Event, participation: Participation | None):
    """Shared by join and edit: the form, and the saved participation (None if not saved).

    Joining an event that admits by approval saves a pending request instead.
    """
    form = _profile_form(event, participation)
    if not form.validate_on_submit():
        return form, None
    if "join_code" in form and not secrets.compare_digest(
            " ".join(form.join_code.data.split()).encode(), event.join_code.encode()):
        form.join_code.errors = [*form.join_code.errors,
                                 _("This is not the invitation code of this event.")]
        return form, None
    if participation is None and event.join_policy is JoinPolicy.APPROVAL:
        return form, _request_to_join(event, form)
    logo = _uploaded_logo(form)
    try:
        if logo is not None:
            services.check_logo(logo)
        role = Role(form.role.data) if "role" in form else None
        saved = services.save_profile(
            db.session, event=event, user=current_user._get_current_object(),
            participation=participation,
            data=services.ProfileData(
                organisation=form.organisation.data, role=role,
                product_group_ids=(form.product_groups.data or []) if "product_groups" in form else [],
                pitch=form.pitch.data or "",
                phone=form.phone.data or "", share_contact=bool(form.share_contact.data)))
        replaced = services.store_logo(saved, logo, upload_dir()) if logo is not None else None
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error, default=form.organisation)
        return form, None
    db.session.commit()
    if replaced:
        services.remove_upload(upload_dir(), replaced)
    return form, saved


def _request_to_join(event: Event, form: ProfileForm):
    user = current_user._get_current_object()
    try:
        organisation = " ".join(form.organisation.data.split())
        if not organisation:
            raise DomainError(_("Enter your organisation."), field="organisation")
        groups = services.event_groups(
            event, (form.product_groups.data or []) if "product_groups" in form else [])
        request_row = pending.request_to_join(
            db.session, event, user, organisation=organisation, role=Role(form.role.data),
            groups=groups, pitch=form.pitch.data or "",
            share_contact=bool(form.share_contact.data))
        user.phone = (form.phone.data or "").strip()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error, default=form.organisation)
        return None
    db.session.commit()
    return request_row


def _newcomer_from_link(event: Event, token: str):
    """Joining straight from the confirmation link (`?verify=`): a response to give
    instead of the joining form (the form for the link's newcomer, not logged in yet, or
    a refused link), or None to go on as the newcomer, confirmed and logged in now."""
    try:
        user, _next = verification.read_link(token)
    except DomainError as error:
        return verification.link_refused(error)
    if user.email_verified:
        return None  # its owner is logged in (read_link refuses anyone else)
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        verification.confirm_and_log_in(user)
        return None
    if request.method == "GET" and (participation_of(user, event) is not None or
                                    pending.pending_of_user(db.session, event, user) is not None):
        # Joined already (logged in with the password before confirming): just confirm.
        return render_template("auth/verify.html", form=ConfirmForm(), user=user,
                               action=url_for("auth.verify_email", token=token))
    form = _profile_form(event, None, newcomer=user)
    if request.method == "POST":
        form.validate()  # shows why nothing happened (an expired form)
    return render_template("profiles/form.html", event=event, form=form, joining=True,
                           me=None, newcomer=user), 400 if form.errors else 200


@bp.route("/events/<slug>/join", methods=["GET", "POST"])
def join(slug: str):
    event = visible_event_or_404(slug)
    token = request.args.get(verification.TOKEN_ARG)
    if token is not None:
        refused = _newcomer_from_link(event, token)
        if refused is not None:
            return refused
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if participation_of(current_user, event) is not None:
        return redirect(url_for("profiles.home", slug=event.slug))
    waiting = pending.pending_of_user(db.session, event, current_user)
    if waiting is not None and waiting.kind is PendingKind.INVITED:
        return redirect(url_for("attendees.invitation", slug=event.slug))
    if waiting is not None:
        flash(_("Your request to join %(event)s is waiting for the organisers.",
                event=event.name), "info")
        return redirect(url_for("auth.my_events"))
    form, saved = _save(event, None)
    if saved is not None and not isinstance(saved, Participation):
        flash(_("Your request to join %(event)s is sent: the organisers approve each "
                "participant.", event=event.name), "success")
        return redirect(url_for("auth.my_events"))
    if saved is not None:
        message = (_("Welcome to %(event)s. Now add your first query.", event=event.name)
                   if saved.role is Role.BUYER else
                   _("Welcome to %(event)s. Now add your first offer.", event=event.name))
        flash(message, "success")
        return redirect(url_for("marketplace.new_listing", slug=event.slug))
    return render_template("profiles/form.html", event=event, form=form, joining=True,
                           me=None), 400 if form.errors else 200


@bp.route("/events/<slug>/profile/edit", methods=["GET", "POST"])
@participant_required
def edit(event: Event, me: Participation):
    form, saved = _save(event, me)
    if saved is not None:
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("profiles.home", slug=event.slug))
    return render_template("profiles/form.html", event=event, form=form, joining=False,
                           me=me), 400 if form.errors else 200


@bp.route("/events/<slug>/me")
@participant_required
def home(event: Event, me: Participation):
    from ..marketplace.services import suggestions_for
    return render_template(
        "profiles/home.html", event=event, me=me,
        listings=services.listings_of(db.session, me),
        suggestions=suggestions_for(db.session, event, me, limit=SUGGESTIONS_ON_HOME))


@bp.route("/events/<slug>/people/<int:participation_id>")
@participant_required
def show(event: Event, me: Participation, participation_id: int):
    person = services.participation_in(db.session, event, participation_id)
    if person is None:
        abort(404)
    return render_template("profiles/show.html", event=event, me=me, person=person,
                           listings=services.listings_of(db.session, person),
                           contact_visible=contacts.may_see_contact(
                               db.session, event, me, person,
                               organiser=is_organiser(current_user, event)))


@bp.route("/events/<slug>/people/<int:participation_id>/logo")
@participant_required
def logo(event: Event, me: Participation, participation_id: int):
    person = services.participation_in(db.session, event, participation_id)
    found = services.logo_path(person, upload_dir()) if person is not None else None
    if found is None:
        abort(404)
    path, mimetype = found
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.route("/account")
@login_required
def account():
    return render_template("profiles/account.html", form=DeleteAccountForm(),
                           participations=sorted(current_user.participations,
                                                 key=lambda p: p.id))


@bp.route("/account/export")
@login_required
def export():
    data = services.export_personal_data(db.session, current_user._get_current_object())
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="matchmaker-my-data.json"',
        "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            logos = services.delete_account(db.session, current_user._get_current_object(),
                                            password=form.password.data,
                                            passwords=password_service())
        except DomainError as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, error.message]
        else:
            db.session.commit()
            for name in logos:
                services.remove_upload(upload_dir(), name)
            logout_user()
            flash(_("Your account and all its data are deleted."), "info")
            return redirect(url_for("public.home"))
    return render_template("profiles/account.html", form=form,
                           participations=sorted(current_user.participations,
                                                 key=lambda p: p.id)), 400
