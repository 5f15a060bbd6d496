"""The data model. Import models from here."""
from .dialogues import (DialogueChoice, DialogueOptOut, DialogueSeat, DialogueSession,
                        DialogueTable, Side)
from .event import (ContactVisibility, Event, JoinPolicy, MeetingBlock, Phase, Slot, Table,
                    event_product_group)
from .feedback import MeetingFeedback
from .listings import Listing, ListingKind, listing_strategy
from .meetings import (OPEN_STATUSES, Booking, Meeting, MeetingRequest, MeetingStatus, Priority,
                       RequestStatus)
from .messages import Broadcast, MailReceipt
from .notifications import Notification
from .outcomes import MeetingOutcome, Outcome
from .people import (MEETING_ROLES, Absence, Organisation, Participation, PendingKind,
                     PendingParticipation, Role, User, participation_product_group)
from .reference import CircularStrategy, ProductGroup
from .runs import RunKind, RunStatus, SolveRun
from .shortlist import ShortlistEntry

__all__ = [
    "Absence", "Booking", "Broadcast", "CircularStrategy", "ContactVisibility", "DialogueChoice",
    "DialogueOptOut", "DialogueSeat", "DialogueSession", "JoinPolicy", "MailReceipt",
    "MeetingFeedback", "MeetingOutcome", "Outcome", "PendingKind", "PendingParticipation",
    "DialogueTable", "Event", "Listing", "ListingKind", "Meeting", "MeetingBlock",
    "MeetingRequest", "MeetingStatus", "Notification", "OPEN_STATUSES", "Organisation",
    "Participation", "Phase",
    "MEETING_ROLES", "Priority", "ProductGroup", "RequestStatus", "Role", "RunKind", "RunStatus",
    "ShortlistEntry", "Side", "Slot", "SolveRun", "Table", "User", "event_product_group", "listing_strategy",
    "participation_product_group",
]
