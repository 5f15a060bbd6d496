"""Links that leave the site: absolute URLs for e-mails and signed tokens that stand in
for a login (an answer to an outcome question, an opt-out, the hall's clock screen).

Tokens are signed with SECRET_KEY and a salt per purpose, so a token made for one
purpose opens nothing else.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL, also from a command or worker (BASE_URL, else SERVER_NAME)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    config = current_app.config
    base = (config.get("BASE_URL") or "").rstrip("/")
    if not base and config.get("SERVER_NAME"):
        base = f"{config.get('PREFERRED_URL_SCHEME', 'https')}://{config['SERVER_NAME']}"
    with current_app.test_request_context(base_url=base or "http://localhost"):
        return url_for(endpoint, _external=True, **values)


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"matchmaker-{purpose}")


def sign(purpose: str, data: Any) -> str:
    return _serializer(purpose).dumps(data)


def unsign(purpose: str, token: str) -> Any | None:
    """The signed data, or None for a token that was altered or made for another purpose."""
    try:
        return _serializer(purpose).loads(token)
    except BadSignature:
        return None
