"""The jobs a queue worker runs, named by the web process and found by RQ."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker import duejobs, queue_jobs
from matchmaker.broadcasts import services as broadcasts
from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.models import Broadcast, MailReceipt
from matchmaker.schedule import queue_rq
from scale_helpers import app_environment, use_rq, work_queue_once
from support import demo_event

rq = pytest.importorskip("rq")


def test_the_job_names_the_queue_uses_are_the_worker_jobs():
    from rq.utils import import_attribute

    assert import_attribute(queue_rq.SOLVE_RUN_JOB) is queue_jobs.solve_run
    assert import_attribute(queue_rq.SEND_DUE_JOB) is queue_jobs.send_due


def test_a_broadcast_sent_on_the_queue_backend_goes_out_from_the_worker(
        demo, redis_url, tmp_path, monkeypatch):
    for key, value in app_environment(demo, tmp_path, redis_url).items():
        monkeypatch.setenv(key, value)
    use_rq(demo, redis_url)
    with demo.app_context():
        broadcast = broadcasts.create_broadcast(
            db.session, demo_event(), author=None, segment="buyers", group=None,
            subject="Lunch", body="Lunch is served in hall B.", now=utcnow())
        db.session.commit()
        broadcast_id = broadcast.id
        duejobs.start(demo)  # enqueues the job: nothing is sent in this process
        assert db.session.scalar(select(func.count()).select_from(MailReceipt)) == 0
        db.session.remove()
    work_queue_once(demo, redis_url)
    with demo.app_context():
        sent = db.session.get(Broadcast, broadcast_id)
        assert sent.finished_at is not None
        assert db.session.scalar(select(func.count()).select_from(MailReceipt)) == sent.total > 0
