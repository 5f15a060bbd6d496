"""A view's call of a service, the one way: on a DomainError roll back and show the
service's refusal (on the form, in a flash or on the page); else commit once."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import flash

from .domain import DomainError
from .extensions import db
from .forms import attach_error

T = TypeVar("T")


def attempt(action: Callable[[], T]) -> tuple[T | None, DomainError | None]:
    """Run `action`: commit and return (its result, None), or roll back and return
    (None, the service's refusal) for the view to show where it belongs."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        return None, error
    db.session.commit()
    return result, None


def commit_or_show(form, action: Callable[[], T], done: str | Callable[[T], str]) -> bool:
    """Run `action`; True when it succeeded (committed and `done` flashed), False when
    its error now stands on `form` (rolled back), for the view to re-show the form."""
    result, error = attempt(action)
    if error is not None:
        attach_error(form, error)
        return False
    flash(done(result) if callable(done) else done, "success")
    return True


def commit_or_flash(action: Callable[[], object], done: str, category: str = "success") -> None:
    """For a one-button action with no form to re-show: run `action`, then commit and flash
    `done`, or roll back and flash the service's refusal."""
    _result, error = attempt(action)
    if error is not None:
        flash(error.message, "error")
    else:
        flash(done, category)
