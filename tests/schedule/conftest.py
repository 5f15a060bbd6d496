"""The schedule tests run solver runs synchronously, in the request that starts them."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _runs_in_the_request(request):
    """Every test on the shared `app` gets the root `sync_runs`; a test that builds its own
    app (the resolve state machine) configures it itself."""
    if "app" in request.fixturenames:
        request.getfixturevalue("sync_runs")
