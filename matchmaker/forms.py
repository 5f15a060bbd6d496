"""The base every form inherits: Flask-WTF's CSRF protection and stripped text."""
from flask_wtf import FlaskForm


def strip(value):
    return value.strip() if isinstance(value, str) else value


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
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters and unbound_field.field_class.__name__ in (
                    "StringField", "EmailField", "TextAreaField", "SearchField", "TelField"):
                unbound_field.kwargs["filters"] = [strip, *filters]
            return unbound_field.bind(form=form, **options)
