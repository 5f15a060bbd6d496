"""Errors that services raise and views turn into form errors or flashes."""


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
