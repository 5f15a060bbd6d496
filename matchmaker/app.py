"""The Flask application factory: configuration, extensions, request hooks, blueprints."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from . import config as config_module
from .database import reset_read_only, set_read_only
from .extensions import csrf, db, limiter, login_manager, migrate
from .ids import IdConverter
from .security import PasswordService

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HSTS = "max-age=31536000; includeSubDomains"


def asset_folder(name: str) -> Path:
    """`templates` or `static`: inside the package in an installed wheel, at the top of the
    repository in a checkout (the layout the project keeps)."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        "matchmaker",
        instance_path=os.environ.get("MATCHMAKER_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(asset_folder("templates")),
        static_folder=str(asset_folder("static")),
    )
    app.url_map.converters["int"] = IdConverter
    _configure(app, test_config)
    _init_extensions(app)
    _register_request_hooks(app)
    _register_blueprints(app)
    from .errors import register_error_handlers
    register_error_handlers(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(config_module.DEFAULTS)
    app.config.from_prefixed_env("MATCHMAKER")
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    url = config_module.database_url_from_env()
    if url:
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        app.config["SQLALCHEMY_DATABASE_URI"] = config_module.sqlite_url(app.instance_path)
    else:
        app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(uri)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret_key(app.instance_path)
    secure = bool(app.config["SECURE_COOKIES"]) and not app.debug
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config.setdefault("RATELIMIT_ENABLED", True)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.extensions["passwords"] = PasswordService(app.config.get("ARGON2_PARAMETERS"))
    from .mail import init_mail
    init_mail(app)
    from .i18n import init_i18n
    init_i18n(app)

    from .auth.services import load_user
    login_manager.user_loader(load_user)


def _register_request_hooks(app: Flask) -> None:
    from flask import g

    @app.before_request
    def _mark_read_only() -> None:
        if request.method in SAFE_METHODS:
            g._read_only_token = set_read_only(True)

    @app.teardown_request
    def _unmark_read_only(exc=None) -> None:
        token = g.pop("_read_only_token", None)
        if token is not None:
            reset_read_only(token)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static" and _logged_in():
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def _globals():
        from .models import Phase
        return {"Phase": Phase}


def _logged_in() -> bool:
    from flask_login import current_user
    return bool(current_user) and current_user.is_authenticated


def _register_blueprints(app: Flask) -> None:
    from .admin.views import bp as admin_bp
    from .agenda.views import bp as agenda_bp
    from .attendees.views import bp as attendees_bp
    from .auth.views import bp as auth_bp
    from .broadcasts.views import bp as broadcasts_bp
    from .console.views import bp as console_bp
    from .dialogues.views import bp as dialogues_bp
    from .feedback.views import bp as feedback_bp
    from .marketplace.views import bp as marketplace_bp
    from .meetings import live_views  # noqa: F401  (its routes join the meetings blueprint)
    from .meetings.views import bp as meetings_bp
    from .notifications.views import bp as notifications_bp
    from .onsite.clock import bp as clock_bp
    from .onsite.views import bp as onsite_bp
    from .outcomes.views import bp as outcomes_bp
    from .profiles.views import bp as profiles_bp
    from .public.views import bp as public_bp
    from .schedule.runners import init_runs
    from .schedule.views import bp as schedule_bp

    for blueprint in (public_bp, auth_bp, schedule_bp, meetings_bp, agenda_bp, profiles_bp,
                      marketplace_bp, console_bp, attendees_bp, onsite_bp, feedback_bp,
                      dialogues_bp, clock_bp, broadcasts_bp, outcomes_bp, notifications_bp,
                      admin_bp):
        app.register_blueprint(blueprint)
    init_runs(app)
