"""JSON read with limits a file from elsewhere must respect before the standard parser
sees it.

Python's `json` recurses once per nesting level (a few thousand `[` end in a
`RecursionError`) and converts integer literals with `int()`, which refuses more than
4,300 digits with a `ValueError` of its own. Both escape the format readers' error
handling as tracebacks. `loads` and `check_file` refuse such input first, with one
clear `JSONLimitError` (a `ValueError`). Pure Python, used by the command-line readers.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

MAX_DEPTH = 100
MAX_NUMBER_DIGITS = 100

# Strings are matched whole so that brackets inside them are not counted.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[-+0-9.eE]{%d,}' % (MAX_NUMBER_DIGITS + 1),
                     re.DOTALL)


class JSONLimitError(ValueError):
    """JSON text nested too deeply or holding a number too long to be real data."""


def check(text: str | bytes) -> None:
    """Raise `JSONLimitError` if TEXT nests deeper than `MAX_DEPTH` or holds a number
    literal longer than `MAX_NUMBER_DIGITS` characters; otherwise do nothing (syntax
    errors are left to the parser)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise JSONLimitError(f"JSON nested deeper than {MAX_DEPTH} levels "
                                     f"(line {line})")
        elif token in "]}":
            depth = max(0, depth - 1)
        elif token[0] != '"':
            line = text.count("\n", 0, match.start()) + 1
            raise JSONLimitError(f"a number of {len(token)} characters at line {line} "
                                 f"(at most {MAX_NUMBER_DIGITS})")


def loads(text: str | bytes) -> Any:
    """`json.loads` after `check`; NaN and Infinity, which are not JSON, are refused too."""
    check(text)
    return json.loads(text, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> Any:
    raise JSONLimitError(f"{name} is not a JSON value")


def check_file(path: str | os.PathLike) -> None:
    """`check` on a file's text, raising `JSONLimitError` prefixed with the path. A file that
    cannot be read is left for the format reader to report in its own words."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return
    try:
        check(data)
    except JSONLimitError as exc:
        raise JSONLimitError(f"{os.fspath(path)}: {exc}") from None
