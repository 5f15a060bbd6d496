"""A view's call of a service, the one way: on a DomainError roll back and show the
message on the form; else commit once and flash what was done."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import flash

from .domain import DomainError
from .extensions import db
from .forms import attach_error

T = TypeVar("T")


def commit_or_show(form, action: Callable[[], T], done: str | Callable[[T], str]) -> bool:
    """Run `action`; True when it succeeded (committed and `done` flashed), False when
    its error now stands on `form` (rolled back), for the view to re-show the form."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return False
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return True


def commit_or_flash(action: Callable[[], object], done: str) -> None:
    """For a one-button action with no form to re-show: run `action`, then commit and flash
    `done`, or roll back and flash the service's refusal."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return
    db.session.commit()
    flash(done, "success")
