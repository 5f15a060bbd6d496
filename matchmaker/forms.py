"""The base every form inherits: Flask-WTF's CSRF protection and cleaned text."""
from flask_wtf import FlaskForm

# fields whose text is stripped of surrounding blanks; hidden fields keep theirs
STRIPPED = ("StringField", "EmailField", "TextAreaField", "SearchField", "TelField")
TEXT = (*STRIPPED, "HiddenField")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def drop_nul(value):
    """NUL characters mean nothing in a form and PostgreSQL refuses them in text."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def attach_error(form, error, default=None) -> None:
    """Show a service's DomainError on the field it names, else on `default`, else on
    the form as a whole (the view then re-shows the form with the message)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None or not hasattr(field, "errors"):
        field = default
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class.__name__
            filters = list(unbound_field.kwargs.get("filters", []))
            if kind in STRIPPED and strip not in filters:
                filters.insert(0, strip)
            if kind in TEXT and drop_nul not in filters:
                filters.insert(0, drop_nul)
            unbound_field.kwargs["filters"] = filters
            return unbound_field.bind(form=form, **options)


class ActionForm(BaseForm):
    """A one-button POST action (delete, publish, accept...): just the CSRF token."""
