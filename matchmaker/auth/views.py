from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _, refresh
from flask_login import current_user, login_required, login_user, logout_user

from ..domain import DomainError
from ..forms import attach_error
from ..extensions import db, limiter
from . import services
from ..i18n import SESSION_KEY, current_language
from .forms import LanguageForm, LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))


def _after_login_target() -> str:
    return services.safe_next(request.args.get("next")) or url_for("public.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_after_login_target())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, email=form.email.data,
                                         password=form.password.data,
                                         passwords=services.password_service())
        except DomainError as error:
            db.session.commit()  # keep the failure count
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            refresh()  # from here on, the account's own language
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_after_login_target())
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                db.session, name=form.name.data, email=form.email.data,
                password=form.password.data, passwords=services.password_service(),
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                language=current_language())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, default=form.email)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your account is ready."), "success")
            return redirect(_after_login_target())
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/language", methods=["POST"])
def choose_language():
    """Switch the language; remembered in the session and, when signed in, on the account."""
    form = LanguageForm()
    target = services.safe_next(request.form.get("next")) or url_for("public.home")
    if not form.validate_on_submit():
        flash(_("Choose one of the languages offered."), "error")
        return redirect(target)
    session[SESSION_KEY] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
        db.session.commit()
    return redirect(target)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_sessions(db.session, current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))
