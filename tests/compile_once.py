"""Work every test app repeats, done once per test process: compiling URL builders and
templates.

The suite creates an app per test (and some tests more). Each new app compiled again
two Python functions per route (Werkzeug: an AST built, then `compile()`d, about 90 ms
of CPU per `create_app()`) and every template it rendered (Jinja: parsed, turned into
Python source, compiled). Apps built by the same `create_app()` produce the same code,
so the test process keeps it: what the routes build and the templates render is
unchanged, only the compiling is skipped.
"""
from __future__ import annotations

import inspect

from flask import Flask
from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule


class MemoryBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache in a dict; Jinja checks each entry against the template's
    source checksum, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        data = self.entries.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()


def install() -> None:
    share_compiled_templates()
    share_compiled_builders()


def share_compiled_templates() -> None:
    if "bytecode_cache" not in Flask.jinja_options:
        Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}


def share_compiled_builders() -> None:
    original = Rule._compile_builder
    if getattr(original, "_shared", False):
        return
    if list(inspect.signature(original).parameters) != ["self", "append_unknown"]:
        return  # a Werkzeug that compiles differently: leave it alone
    builders: dict[tuple, object] = {}

    def compile_builder(self: Rule, append_unknown: bool = True):
        """Werkzeug's builder for this rule, compiled once for every rule alike."""
        key = (self.rule, self.subdomain, self.host, self.map.host_matching,
               tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               tuple(sorted((name, type(c)) for name, c in self._converters.items())),
               append_unknown)
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = original(self, append_unknown)
        return builder

    compile_builder._shared = True
    Rule._compile_builder = compile_builder
