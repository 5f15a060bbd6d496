"""How the demo folds, shortens and cites names."""
from __future__ import annotations

import unicodedata

from ..models import ProductGroup


def fold(text: str) -> str:
    """'Dries De Smet' and 'dries desmet' fold alike: no near-duplicate names."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def group_name(group: ProductGroup) -> str:
    """'furniture', 'ICT': a product group's name inside a sentence."""
    return group.name if group.name.isupper() else group.name.lower()


def slug(name: str) -> str:
    return fold(name)[:30] or "org"
