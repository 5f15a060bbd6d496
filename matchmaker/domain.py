"""Errors that services raise and views turn into form errors or flashes, and the marker
for English texts that are stored or computed first and translated where they are shown."""


def N_(text: str) -> str:
    """Marks `text` for the translation catalogues (`pybabel extract` knows `N_`) without
    translating it here: it is kept in English and translated on display."""
    return text


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass
