"""One compiled URL builder per route for the whole test process.

Werkzeug compiles two Python functions for every route of every app it binds (an AST
built, then `compile()`d): about 90 ms of CPU per `create_app()`, which the suite calls
once per test or more. The function depends only on the rule's text, its parsed parts,
its defaults and whether unknown arguments are appended, and reads everything else from
the rule it is bound to, so apps of the same code can share it. URL building behaves
exactly as without the cache; only the compiling is done once.
"""
from __future__ import annotations

import inspect

from werkzeug.routing.rules import Rule


def share_compiled_builders() -> None:
    original = Rule._compile_builder
    if getattr(original, "_shared", False):
        return
    if list(inspect.signature(original).parameters) != ["self", "append_unknown"]:
        return  # a Werkzeug that compiles differently: leave it alone
    builders: dict[tuple, object] = {}

    def compile_builder(self: Rule, append_unknown: bool = True):
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
