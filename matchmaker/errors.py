"""Error pages: a plain message for every error code, never a stack trace."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist, or you do not have access to it."),
    405: _l("This action is not allowed here."),
    413: _l("The upload is too large."),
    409: _l("Someone changed the same thing at the same moment. Nothing was saved; "
            "please reload the page and try again."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing you saved was lost; please try again."),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_template("error.html", code=400,
                               message=_("The form expired or was sent from another site. "
                                         "Please reload the page and try again.")), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        return render_template("error.html", code=code,
                               message=MESSAGES.get(code, error.description)), code

    @app.errorhandler(IntegrityError)
    def _conflict(error: IntegrityError):
        # The database's constraints caught a race that the checks before it could not see.
        from .extensions import db
        db.session.rollback()
        return render_template("error.html", code=409, message=MESSAGES[409]), 409

    @app.errorhandler(OperationalError)
    def _busy(error: OperationalError):
        from .extensions import db
        db.session.rollback()
        app.logger.warning("Database error: %s", error)
        return render_template("error.html", code=503,
                               message=_("The database is busy. Please try again in a moment.")), 503

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        from .extensions import db
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_template("error.html", code=500, message=MESSAGES[500]), 500

    @app.errorhandler(InternalServerError)
    def _internal(error):
        return render_template("error.html", code=500, message=MESSAGES[500]), 500
