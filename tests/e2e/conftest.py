"""Fixtures of the end-to-end tests: the demo app served on a loopback port, a browser."""
from __future__ import annotations

import pytest

from support import chromium, served_as_in_production


@pytest.fixture
def live_app(demo):
    """The app with the demo event, served on a loopback port, CSRF on as in production;
    its address is `config["LIVE_URL"]`."""
    with served_as_in_production(demo) as base:
        demo.config["LIVE_URL"] = base
        yield demo


@pytest.fixture
def browser():
    with chromium(1280, 900) as driver:
        driver.implicitly_wait(0)
        yield driver
