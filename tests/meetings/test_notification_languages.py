"""E-mails go out in the recipient's language; the sender's language does not matter."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Event, Participation, User
from matchmaker.notifications import services

WINDOW = timedelta(minutes=30)


def part(email: str) -> Participation:
    return db.session.scalar(select(Participation).join(User).where(User.email == email))


def set_language(app, email: str, language: str | None) -> None:
    with app.app_context():
        part(email).user.language = language
        db.session.commit()


def test_a_meeting_request_mails_a_dutch_buyer_in_dutch_and_an_english_one_in_english(
        demo, login_as):
    set_language(demo, "buyer2@demo.example", "nl")
    set_language(demo, "buyer5@demo.example", "en")
    set_language(demo, "supplier1@demo.example", "fr")  # the sender's choice plays no part
    with demo.app_context():
        dutch, english = part("buyer2@demo.example").id, part("buyer5@demo.example").id
    client = login_as("supplier1@demo.example")
    for recipient in (dutch, english):
        response = client.post(f"/events/demo/requests/new/{recipient}",
                               data={"priority": "2", "message": "Stoelen"})
        assert response.status_code == 302
    with demo.app_context():
        mails = {m.to: m for m in outbox()}
    nl = mails["buyer2@demo.example"]
    assert nl.subject.startswith("Nieuw afspraakverzoek")
    assert nl.body.startswith("Beste ")
    assert "vraagt een afspraak met u (moet ontmoeten). Hun bericht: Stoelen" in nl.body
    assert "Openen: " in nl.body and "/events/demo/requests" in nl.body
    en = mails["buyer5@demo.example"]
    assert en.subject.startswith("New meeting request")
    assert en.body.startswith("Hello ")
    assert "asks to meet you (must meet). Their message: Stoelen" in en.body


def test_a_digest_to_a_french_participant_is_in_french(demo):
    set_language(demo, "buyer2@demo.example", "fr")
    with demo.app_context():
        now = utcnow()
        event = db.session.scalar(select(Event))
        buyer = part("buyer2@demo.example")
        services.notify(db.session, buyer, services.REQUEST_RECEIVED, "Premier.", now, WINDOW)
        services.notify_schedule_changed(db.session, event, [buyer], "published",
                                         now + timedelta(minutes=1), WINDOW)
        services.notify_schedule_changed(db.session, event, [buyer], "changed",
                                         now + timedelta(minutes=2), WINDOW)
        assert services.send_digests(db.session, now + WINDOW, WINDOW) == 1
        db.session.commit()
        digest = outbox()[-1]
        assert digest.subject == "2 nouvelles de matchmaker"
        assert "Voici ce qui s'est passé depuis notre dernier e-mail" in digest.body
        assert "Votre planning de rendez-vous est prêt" in digest.body
        assert f"Le planning des rendez-vous de {event.name} est publié" in digest.body
        assert "Here is what happened" not in digest.body


def test_a_participant_without_a_saved_language_gets_english(demo):
    set_language(demo, "buyer4@demo.example", None)
    with demo.app_context():
        event = db.session.scalar(select(Event))
        services.notify_schedule_changed(db.session, event, [part("buyer4@demo.example")],
                                         "changed", utcnow(), WINDOW)
        db.session.commit()
        [mail] = outbox()
        assert mail.subject.startswith("Your meeting schedule changed")
        assert f"Your meetings at {event.name} changed" in mail.body
