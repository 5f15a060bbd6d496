"""Work every test app repeats, done once per test process: compiling URL builders,
templates and SQL statements.

The suite creates an app per test (and some tests more). Each new app compiled again
two Python functions per route (Werkzeug: an AST built, then `compile()`d, about 90 ms
of CPU per `create_app()`) and every template it rendered (Jinja: parsed, turned into
Python source, compiled). Apps built by the same `create_app()` produce the same code,
so the test process keeps it: what the routes build and the templates render is
unchanged, only the compiling is skipped.

SQLAlchemy likewise compiled every statement again for every new engine: its cache of
compiled statements belongs to the engine and is keyed by the engine's dialect object.
The apps' engines of one kind (same dialect class and options) now share the first
one's dialect and one cache, so a query compiled in one test is reused in the next.
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
    share_compiled_statements()


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


STATEMENTS_CACHED = 5_000  # compiled statements kept (SQLAlchemy's default per engine: 500)


def share_compiled_statements() -> None:
    """Flask-SQLAlchemy makes each app's engine with `engine_from_config`, which calls
    `sqlalchemy.engine.create.create_engine`; engines it makes with the same dialect and
    options get the dialect and the compiled-statement cache of the first such engine."""
    from sqlalchemy.engine import create
    from sqlalchemy.util import LRUCache

    original = create.create_engine
    if getattr(original, "_shared", False):
        return
    shared: dict[tuple, tuple] = {}

    def create_engine(url, **options):
        engine = original(url, **options)
        if "query_cache_size" in options or "execution_options" in options:
            return engine
        key = (type(engine.dialect), engine.url.drivername,
               repr(sorted((name, repr(value)) for name, value in options.items())))
        if key not in shared:
            shared[key] = (engine.dialect, LRUCache(STATEMENTS_CACHED))
        engine.dialect, engine._compiled_cache = shared[key]
        engine.pool._dialect = engine.dialect
        return engine

    create_engine._shared = True
    create.create_engine = create_engine
