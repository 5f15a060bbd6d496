"""A realistic demo event (slug `demo`) for trying the app out and for the tests.

`seed` builds it from the content in `data`; `remove_demo` takes it away again.
"""
from .people import DEMO_DOMAIN
from .seed import (DEMO_DAY, DEMO_SLUG, DemoSummary, demo_accounts, demo_exists, remove_demo,
                   seed_demo)

__all__ = ["DEMO_DAY", "DEMO_DOMAIN", "DEMO_SLUG", "DemoSummary", "demo_accounts",
           "demo_exists", "remove_demo", "seed_demo"]
