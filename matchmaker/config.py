"""Configuration defaults, layered: these defaults, then the environment, then a test dict.

Environment: `DATABASE_URL` and `SECRET_KEY` by their usual names, everything else as
`MATCHMAKER_<KEY>` (values parsed as JSON where they can be, so `MATCHMAKER_DEBUG=1`).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULTS: dict = {
    "SQLALCHEMY_DATABASE_URI": None,  # None: SQLite file in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SECRET_KEY": None,
    "SECURE_COOKIES": True,  # False only for plain-http local serving (make run)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "PERMANENT_SESSION_LIFETIME": timedelta(days=7),
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Failed logins only: strict per account, generous per address (a venue's Wi-Fi
    # puts everyone behind one public address).
    "LOGIN_ACCOUNT_FAILURE_LIMIT": "5/minute",
    "LOGIN_ADDRESS_FAILURE_LIMIT": "60/minute",
    "REGISTER_RATE_LIMIT": "10/minute;50/hour",  # accounts asked for, per address
    "PASSWORD_RESET_RATE_LIMIT": "10/minute;50/hour",  # reset e-mails, per address
    "PASSWORD_RESET_ACCOUNT_LIMIT": "3/hour",  # reset e-mails, per account
    "PASSWORD_RESET_MAX_AGE": 3600,  # seconds a reset link works
    "EMAIL_VERIFICATION_MAX_AGE": 86400,  # seconds a confirmation link works (it logs in)
    "EMAIL_VERIFICATION_RESEND_LIMIT": "3/hour",  # per account
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "DEMO_PASSWORD": "circular-demo-2026",
    "PASSWORD_MIN_LENGTH": 10,
    "ARGON2_PARAMETERS": None,  # None: argon2-cffi's defaults (argon2id, RFC 9106 low-memory)
    # Who may create events: accounts an administrator granted organiser rights, unless
    # this is True (any account may). ADMIN_EMAILS: comma-separated addresses of accounts
    # that are administrators.
    "OPEN_EVENT_CREATION": False,
    "ADMIN_EMAILS": "",
}


def database_url_from_env() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Route plain PostgreSQL URLs to psycopg 3, the driver the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "matchmaker.sqlite3")


def instance_secret_key(instance_path: str) -> str:
    """A secret key made once for local use, kept in the instance folder (never committed)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
