"""The export tests run solver runs synchronously, in the request that starts them."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _runs_in_the_request(sync_runs):
    pass
