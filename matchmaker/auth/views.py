from flask import (Blueprint, current_app, flash, g, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _, refresh
from flask_login import current_user, login_required, login_user, logout_user

from ..domain import DomainError
from ..forms import attach_error
from ..extensions import db, limiter
from . import emails, services, tokens, verification
from ..i18n import SESSION_KEY, current_language
from .forms import (ChangePasswordForm, ConfirmForm, ForgotPasswordForm, LanguageForm,
                    LoginForm, NewPasswordForm, RegisterForm, ResendForm)

bp = Blueprint("auth", __name__)
MAILBOX_KEY = "check_mailbox"  # the address just registered, for the page that says so


def _config(key: str):
    return lambda: current_app.config[key]


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))


def _user_key() -> str:
    return "user:" + str(getattr(current_user, "id", None) or "anonymous")


def _attempted(_response) -> bool:
    """Count this request against its limits: a login that failed, a form that was sent."""
    return bool(g.get("auth_attempt"))


def _landing(user) -> str:
    """Where a person goes after logging in: their event, their events, or the home page."""
    participations = services.participations_of(db.session, user)
    if len(participations) == 1:
        return url_for("profiles.home", slug=participations[0].event.slug)
    if participations:
        return url_for("auth.my_events")
    return url_for("public.home")


def _after_login_target(user) -> str:
    return services.safe_next(request.args.get("next")) or _landing(user)


def _reset_link(user) -> str:
    token = tokens.make_reset_token(user, secret_key=current_app.config["SECRET_KEY"])
    return url_for("auth.reset_password", token=token, _external=True)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_config("LOGIN_ADDRESS_FAILURE_LIMIT"), methods=["POST"],
               deduct_when=_attempted)
@limiter.limit(_config("LOGIN_ACCOUNT_FAILURE_LIMIT"), key_func=_account_key,
               methods=["POST"], deduct_when=_attempted)
def login():
    if current_user.is_authenticated:
        return redirect(_after_login_target(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, email=form.email.data,
                                         password=form.password.data,
                                         passwords=services.password_service())
        except DomainError as error:
            g.auth_attempt = True  # only failures count against the limits
            db.session.commit()  # keep the failure count
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            refresh()  # from here on, the account's own language
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_after_login_target(user))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_config("REGISTER_RATE_LIMIT"), methods=["POST"], deduct_when=_attempted)
def register():
    """Make an account, or tell the owner of a known address: the same answer either way.

    Nobody is logged in here: both cases lead to the same "check your mailbox" page, and
    only the link in the e-mail logs the newcomer in (`verification`). Both cases hash
    the password, so the time taken does not tell them apart either.
    """
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        next_url = services.safe_next(request.args.get("next"))
        try:
            user, created = services.register_user(
                db.session, name=form.name.data, email=form.email.data,
                password=form.password.data, passwords=services.password_service(),
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                language=current_language())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, default=form.email)
        else:
            g.auth_attempt = True  # counts against the limit; a form with mistakes does not
            if created:
                verification.send_link(user, next_url)
            else:
                _send_already_registered(user, next_url)
            db.session.commit()
            return _to_check_mailbox(user.email, next_url)
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


def _send_already_registered(user, next_url: str | None) -> None:
    emails.send_already_registered(user, url_for("auth.login", next=next_url, _external=True),
                                   _reset_link(user))


def _to_check_mailbox(email: str, next_url: str | None):
    session[MAILBOX_KEY] = {"email": email, "next": next_url}
    return redirect(url_for("auth.check_mailbox"))


@bp.route("/register/check-your-mailbox")
def check_mailbox():
    """Where registration and a resent link lead, whatever the address."""
    known = session.get(MAILBOX_KEY) or {}
    form = ResendForm(data={"email": known.get("email"), "next": known.get("next")})
    return render_template("auth/check_mailbox.html", form=form, email=known.get("email"))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Confirm the address and log its owner in. A button, not the GET itself: mail
    scanners open links. A link sent on the way to a form that confirms on saving (an
    event's joining form) goes straight to that form."""
    try:
        user, next_url = verification.read_link(token)
    except DomainError as error:
        return verification.link_refused(error)
    if verification.is_owner_logged_in(user) and user.email_verified:
        return redirect(next_url or _landing(user))
    if request.method == "GET":
        form_url = verification.form_taking_the_link(next_url, token)
        if form_url:
            return redirect(form_url)
    form = ConfirmForm()
    if form.validate_on_submit():
        verification.confirm_and_log_in(user)
        return redirect(next_url or _landing(user))
    status = 400 if form.errors else 200
    return render_template("auth/verify.html", form=form, user=user), status


def _resend_key() -> str:
    if current_user.is_authenticated:
        return _user_key()
    return _account_key()


@bp.route("/verify/resend", methods=["POST"])
@limiter.limit(_config("REGISTER_RATE_LIMIT"), deduct_when=_attempted,
               exempt_when=lambda: current_user.is_authenticated)
@limiter.limit(_config("EMAIL_VERIFICATION_RESEND_LIMIT"), key_func=_resend_key,
               deduct_when=_attempted)
def resend_verification():
    """Send the confirmation link again: from the notice of a logged-in person, or from
    the "check your mailbox" page, where the answer is the same for every address."""
    if not current_user.is_authenticated:
        return _resend_to_address()
    form = ConfirmForm()
    target = services.safe_next(request.form.get("next")) or _landing(current_user)
    if not form.validate_on_submit():
        return redirect(target)
    if current_user.email_verified:
        flash(_("Your e-mail address was confirmed already."), "info")
        return redirect(target)
    g.auth_attempt = True
    verification.send_link(current_user._get_current_object(), request.form.get("next"))
    flash(_("We sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect(target)


def _resend_to_address():
    form = ResendForm()
    if not form.validate_on_submit():
        return render_template("auth/check_mailbox.html", form=form, email=None), 400
    g.auth_attempt = True  # every address alike: a refusal must not tell them apart either
    email = services.normalise_email(form.email.data)
    next_url = services.safe_next(form.next.data)
    user = services.find_user(db.session, email)
    if user is not None and not user.email_verified:
        verification.send_link(user, next_url)
    elif user is not None:
        _send_already_registered(user, next_url)
    flash(_("We sent the e-mail to %(email)s again.", email=email), "success")
    return _to_check_mailbox(email, next_url)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_config("PASSWORD_RESET_RATE_LIMIT"), methods=["POST"], deduct_when=_attempted)
@limiter.limit(_config("PASSWORD_RESET_ACCOUNT_LIMIT"), key_func=_account_key,
               methods=["POST"], deduct_when=_attempted)
def forgot_password():
    form = ForgotPasswordForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        g.auth_attempt = True
        email = services.normalise_email(form.email.data)
        user = services.find_user(db.session, email)
        if user is not None:
            emails.send_reset(user, _reset_link(user),
                              max_age_s=int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
        flash(_("If %(email)s has an account, we sent it a link to choose a new password. "
                "It works for one hour.", email=email), "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    config = current_app.config
    try:
        user = tokens.read_reset_token(db.session, token, secret_key=config["SECRET_KEY"],
                                       max_age_s=int(config["PASSWORD_RESET_MAX_AGE"]))
    except DomainError as error:
        return render_template("auth/link_invalid.html", message=error.message,
                               title=_("Choose a new password"),
                               retry=url_for("auth.forgot_password")), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, user, form.password.data,
                                    passwords=services.password_service(),
                                    min_length=config["PASSWORD_MIN_LENGTH"])
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, default=form.password)
        else:
            db.session.commit()
            login_user(user)
            refresh()
            flash(_("Your new password is set, and you are logged in."), "success")
            return redirect(_landing(user))
    status = 400 if form.errors else 200
    return render_template("auth/reset.html", form=form, user=user), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_own_password(
                db.session, user, current_password=form.current_password.data,
                new_password=form.password.data, passwords=services.password_service(),
                min_length=current_app.config["PASSWORD_MIN_LENGTH"])
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, default=form.password)
        else:
            emails.send_password_changed(user, url_for("auth.forgot_password", _external=True))
            db.session.commit()
            login_user(user)  # this session goes on with the new token; the others end
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("profiles.account"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/my-events")
@login_required
def my_events():
    return render_template("auth/my_events.html",
                           participations=services.participations_of(db.session, current_user))


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
