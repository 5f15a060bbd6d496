"""The administrators' page: accounts, and who may organise events."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from ..access import admin_required
from ..extensions import db
from ..forms import ActionForm
from ..models import User
from . import services
from .forms import AccountSearchForm

bp = Blueprint("admin", __name__)


@bp.route("/admin/accounts")
@admin_required
def accounts():
    search = AccountSearchForm(request.args)
    ok = search.validate()
    query = (search.q.data or "").strip()[:100] if ok else ""
    page = (search.page.data or 1) if ok else 1
    users, total = services.accounts(db.session, search=query, page=page)
    return render_template("admin/accounts.html", users=users, total=total, page=page,
                           pages=max(1, -(-total // services.PAGE_SIZE)), query=query,
                           search=search, form=ActionForm())


@bp.route("/admin/accounts/<int:user_id>/<any(grant, revoke):change>", methods=["POST"])
@admin_required
def organiser_rights(user_id: int, change: str):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.set_organiser_rights(db.session, user, change == "grant")
    db.session.commit()
    flash(_("%(name)s may now create events.", name=user.name) if change == "grant" else
          _("%(name)s may no longer create events.", name=user.name), "success")
    return redirect(url_for("admin.accounts", q=request.args.get("q") or None))
