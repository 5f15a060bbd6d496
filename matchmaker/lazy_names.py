"""A package whose public names are loaded on first use.

The solver packages (`scheduling`, `marketdialogue`) name their API in their
`__init__`, but a web worker that only builds problems, or a solver child that
needs one module, should not import OR-Tools and every stage to get one name.
"""
from __future__ import annotations

import sys
import types
from collections.abc import Mapping
from importlib import import_module
from typing import Any


class _Package(types.ModuleType):
    """Functions named like their modules (`check`, `solve`...): importing such a
    module must not replace the function on the package (the import system sets a
    submodule as an attribute of its package right after loading it)."""

    _lazy_home: Mapping[str, str] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and self._lazy_home.get(name) == name:
            return
        super().__setattr__(name, value)


def lazy_package(package: str, home: Mapping[str, str]) -> list[str]:
    """Make `package` load each name of `home` (name -> its module, relative to the
    package) on first use; returns the names, for `__all__`."""
    module = sys.modules[package]

    def __getattr__(name: str) -> Any:
        where = home.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{where}", package), name)
        module.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(home))

    module.__dict__.update(__getattr__=__getattr__, __dir__=__dir__, _lazy_home=dict(home))
    module.__class__ = _Package
    return sorted(home)
