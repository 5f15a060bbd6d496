"""Schedule tests: runs execute synchronously, drafts can come from FCFS."""
from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.organiser.runs import SyncJobRunner
from schedule_helpers import demo_event, publish_fcfs


@pytest.fixture(autouse=True)
def sync_runs(app):
    app.config["RUNS_SYNC"] = True
    app.extensions["solve_runner"] = SyncJobRunner()


@pytest.fixture
def published(demo):
    """The demo event with a first-come-first-served schedule published."""
    with demo.app_context():
        publish_fcfs(demo_event())
        db.session.remove()
    return demo
