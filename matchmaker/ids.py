"""Database ids as they arrive from outside: in the URL, a form field or a query string.

Python's int has no upper bound but the database's does (a signed 64-bit integer):
binding a larger number raises deep in the driver. Anything outside 1..MAX_ID cannot be
an id, so it is treated as "no such thing": a route does not match (404), a form
field is invalid, a query argument is ignored.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """Flask's `int` converter, bounded by what the database can hold (registered as `int`)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def db_int(value: object) -> int:
    """`int(value)` if the database can hold it (a signed 64-bit integer), else ValueError:
    the `coerce` of WTForms choice fields and the `type` of `request.args.get`."""
    number = int(value)  # type: ignore[call-overload]  # any value: int() raises on the wrong ones
    if not -MAX_ID - 1 <= number <= MAX_ID:
        raise ValueError(f"{number} is out of range")
    return number
