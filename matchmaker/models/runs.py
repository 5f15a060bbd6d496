"""Solver runs started by organisers, with their live progress and outcome."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_babel import lazy_gettext as _l

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .event import Event
from .people import enum_column


class RunKind(str, enum.Enum):
    MEETINGS = "meetings"
    DIALOGUES = "dialogues"

    @property
    def label(self) -> str:
        return str({"meetings": _l("Meetings"), "dialogues": _l("Market dialogues")}[self.value])


class RunStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"  # stopped early by the organiser; best schedule kept
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the app restarted while it ran

    @property
    def label(self) -> str:
        return str({"queued": _l("Queued"), "running": _l("Running"), "finished": _l("Finished"),
                    "stopped": _l("Stopped"), "failed": _l("Failed"),
                    "interrupted": _l("Interrupted")}[self.value])


class SolveRun(db.Model):
    __tablename__ = "solve_run"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
        CheckConstraint("time_limit_s > 0", name="time_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RunKind] = mapped_column(enum_column(RunKind, "run_kind"))
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, "run_status"), default=RunStatus.QUEUED)
    time_limit_s: Mapped[float] = mapped_column(default=60.0)
    progress: Mapped[float] = mapped_column(default=0.0)
    elapsed_s: Mapped[float | None]
    value: Mapped[float | None]
    bound: Mapped[float | None]
    # a meetings run's idle gaps and their proven lower bound, once its search has them
    idle_gaps: Mapped[int | None]
    idle_gaps_bound: Mapped[int | None]
    phase: Mapped[str | None] = mapped_column(String(20))  # the solver's phase code, while it runs
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[str | None] = mapped_column(Text)  # the solver's output, JSON
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "host:pid:token" of the process that queued or runs it (to detect abandoned runs)
    runner: Mapped[str | None] = mapped_column(String(120))
    stop_requested: Mapped[bool] = mapped_column(default=False)
    # a meetings run may place meetings at spare tables (the organiser allowed it)
    include_spare: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship()

    @property
    def gap(self) -> float | None:
        if self.value is None or self.bound is None or self.bound <= 0:
            return None
        return max(0.0, (self.bound - self.value) / self.bound)
