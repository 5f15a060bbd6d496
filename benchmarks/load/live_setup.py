"""Before a load run with the schedule published: open live booking on the demo event and
give every simulated user pending requests it can accept and have placed at once.

The demo's own pending requests mostly cannot be placed: its popular buyers hold more
accepted requests than the meeting cap, and after the schedule is solved many pairs have
no free time in common. So each of the first USERS demo accounts (the ones
`locustfile.py` logs in with) gets PER_USER new pending requests from people of the other
side who are free at two or more times it is free too, and the cap is raised above what
those accounts hold, as organisers would for a live-booking phase.

Usage: python benchmarks/load/live_setup.py USERS [PER_USER]   (DATABASE_URL set)
Prints one line: what it did.
"""
from __future__ import annotations

import random
import sys
from datetime import timedelta

from sqlalchemy import func, select

from matchmaker import create_app
from matchmaker.console.setup import move_phase, phase_stage
from matchmaker.database import utcnow
from matchmaker.demo import DEMO_DOMAIN, DEMO_SLUG
from matchmaker.extensions import db
from matchmaker.models import (Absence, Booking, Event, MeetingRequest, Participation,
                               RequestStatus, Role, Slot, User)

MESSAGE = "Live load"


def load_accounts(users: int) -> list[str]:
    """The accounts locustfile.py logs in with: buyer1, supplier1, buyer2, ..."""
    out = []
    for n in range(1, users + 1):
        role = "buyer" if n % 2 else "supplier"
        out.append(f"{role}{(n + 1) // 2}@{DEMO_DOMAIN}")
    return out


def main() -> None:
    users = int(sys.argv[1])
    per_user = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    rng = random.Random(7)
    app = create_app()
    with app.app_context():
        session = db.session
        event = session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        if phase_stage(event) == "published":
            move_phase(session, event, "live_on")
        if not event.is_live:
            sys.exit(f"the demo event is not live after publishing (stage {phase_stage(event)})")
        now = utcnow()
        slots = set(session.scalars(select(Slot.id).where(
            Slot.event_id == event.id, Slot.starts_at > now)))
        people = {p.id: p for p in session.scalars(select(Participation).where(
            Participation.event_id == event.id,
            Participation.role.in_([Role.BUYER, Role.SUPPLIER])))}
        busy: dict[int, set[int]] = {pid: set() for pid in people}
        for pid, slot_id in session.execute(select(Booking.participation_id, Booking.slot_id)):
            busy.setdefault(pid, set()).add(slot_id)
        for pid, slot_id in session.execute(select(Absence.participation_id, Absence.slot_id)):
            busy.setdefault(pid, set()).add(slot_id)
        accepted: dict[int, int] = {}
        for column in (MeetingRequest.sender_id, MeetingRequest.recipient_id):
            for pid, n in session.execute(select(column, func.count()).where(
                    MeetingRequest.event_id == event.id,
                    MeetingRequest.status == RequestStatus.ACCEPTED).group_by(column)):
                accepted[pid] = accepted.get(pid, 0) + n
        paired = {(low, high) for low, high in session.execute(
            select(MeetingRequest.pair_low, MeetingRequest.pair_high).where(
                MeetingRequest.event_id == event.id))}
        recipients = list(session.scalars(select(Participation).join(User).where(
            Participation.event_id == event.id, User.email.in_(load_accounts(users)))))
        by_role = {role: [p for p in people.values() if p.role is role]
                   for role in (Role.BUYER, Role.SUPPLIER)}
        made = 0
        for me in sorted(recipients, key=lambda p: p.id):
            mine_free = slots - busy.get(me.id, set())
            other = Role.SUPPLIER if me.role is Role.BUYER else Role.BUYER
            candidates = by_role[other][:]
            rng.shuffle(candidates)
            picked = 0
            for sender in candidates:
                if picked == per_user:
                    break
                pair = (min(me.id, sender.id), max(me.id, sender.id))
                if pair in paired or (me.organisation_id is not None
                                      and me.organisation_id == sender.organisation_id):
                    continue
                if len(mine_free - busy.get(sender.id, set())) < 2:
                    continue
                paired.add(pair)
                session.add(MeetingRequest(
                    event_id=event.id, sender_id=sender.id, recipient_id=me.id,
                    message=MESSAGE, status=RequestStatus.PENDING, created_at=now,
                    expires_at=now + timedelta(days=event.request_expiry_days or 10)))
                picked += 1
            made += picked
        needed = max((accepted.get(p.id, 0) for p in recipients), default=0) + per_user + 1
        cap = event.default_max_meetings
        event.default_max_meetings = max(cap, needed)
        session.commit()
        print(f"live booking on; {made} pending requests added for {len(recipients)} users; "
              f"meeting cap {cap} -> {event.default_max_meetings}")


if __name__ == "__main__":
    main()
