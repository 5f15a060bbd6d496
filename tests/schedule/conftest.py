"""The schedule tests run solver runs synchronously, in the request that starts them; the
browser tests serve the app with a job thread instead."""
from __future__ import annotations

import pytest

from matchmaker.schedule.runners import ThreadJobRunner
from support import served_as_in_production


@pytest.fixture(autouse=True)
def _runs_in_the_request(request):
    """Every test on the shared `app` gets the root `sync_runs`; a test that builds its own
    app (the resolve state machine) configures it itself."""
    if "app" in request.fixturenames:
        request.getfixturevalue("sync_runs")


@pytest.fixture
def live_app(demo):
    """The demo app served on a loopback port, CSRF on, runs on a job thread as in
    production; its address is `config["LIVE_URL"]`."""
    demo.extensions["solve_runner"] = ThreadJobRunner(1)
    try:
        with served_as_in_production(demo) as base:
            demo.config["LIVE_URL"] = base
            yield demo
    finally:
        demo.extensions["solve_runner"].shutdown()
