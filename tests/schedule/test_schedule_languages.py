"""The schedule pages, run messages, exports and publish notices in Dutch and French.

These tests need the compiled catalogues (`make translations`).
"""
from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.i18n import in_language
from matchmaker.mail import outbox
from matchmaker.schedule import publish, reason_text, runs, solving
from schedule_helpers import CONSOLE, draft_without, last_run, post_run
from support import ORGANISER, demo_event

PAGES = {
    "nl": {"runs": ["Een berekening starten", "Geldende planning", "Berekeningen",
                    "afspraken gepland", "Vergelijken en publiceren", "klaar"],
           "compare": ["Vergeleken met de geldende planning", "Berekening {run} publiceren",
                       "Terug naar de berekeningen"],
           "why_not": ["Wat is er nodig om alles te plannen?"],
           "plan": ["tafelplan", "Tafel 1", '<html lang="nl">']},
    "fr": {"runs": ["Lancer un calcul", "Planning en vigueur", "Calculs",
                    "rendez-vous sur", "Comparer et publier", "terminé"],
           "compare": ["Par rapport au planning en vigueur", "Publier le calcul {run}",
                       "Retour aux calculs"],
           "why_not": ["Que faudrait-il pour tout planifier ?"],
           "plan": ["plan des tables", "Table 1", '<html lang="fr">']},
}
ENGLISH = ["Start a run", "Compare and publish", "Compared with the schedule in force",
           "meetings scheduled", "What would schedule everything?"]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_runs_and_compare_pages_render_in_the_browser_language(demo, login_as, language):
    client = login_as(ORGANISER)
    response = post_run(client, "meetings", "1")
    assert response.status_code == 302
    with demo.app_context():
        run = last_run()
        run_id, stored = run.id, run.message
    assert '"code": "meetings_summary"' in stored  # stored as a code, shown translated
    headers = {"Accept-Language": language}
    expected = PAGES[language]

    pages = {name: client.get(url, headers=headers) for name, url in (
        ("runs", f"{CONSOLE}/"), ("compare", f"{CONSOLE}/runs/{run_id}"),
        ("why_not", f"{CONSOLE}/runs/{run_id}/why-not"),
        ("plan", f"{CONSOLE}/export/tables.html"))}
    for name, page in pages.items():
        assert page.status_code == 200, name
        text = page.get_data(as_text=True)
        for words in expected[name]:
            assert words.format(run=run_id) in text, (name, words)
        for words in ENGLISH:
            assert words not in text, (name, words)
    assert f'lang="{language}"' in pages["runs"].get_data(as_text=True)

    status = client.get(f"{CONSOLE}/runs/{run_id}/status.json", headers=headers).get_json()
    assert status["status"] == "finished"  # the machine-readable value stays
    assert status["status_label"] == expected["runs"][-1]
    assert status["message"] != stored and expected["runs"][3] in status["message"]


def test_stored_run_messages_are_translated_when_shown(app):
    stored = reason_text.encode_message(reason_text.STOPPED_EARLY, summary={
        "code": reason_text.MEETINGS_SUMMARY,
        "params": {"scheduled": 12, "requested": 15, "status": "feasible"}})
    with app.test_request_context():
        failure = runs.RunFailure(reason_text.LOCKED_CANNOT_STAY, reason="Ann is away")
        assert runs.describe_message(stored) == (
            "Stopped early; best result kept. 12 of 15 meetings scheduled (feasible).")
        with in_language("nl"):
            assert runs.describe_message(stored) == (
                "Vroegtijdig gestopt; het beste resultaat is bewaard. "
                "12 van 15 afspraken gepland (haalbaar).")
        with in_language("fr"):
            assert runs.describe_message(runs.RESTARTED) == \
                "L'application a redémarré pendant ce calcul."
            assert runs.describe_message("disk full") == "disk full"  # plain text: as it is
            assert runs.describe_message('{"code": "nonsense"}') == '{"code": "nonsense"}'
            assert runs.describe_message(failure.stored) == (
                "Un rendez-vous verrouillé ne peut pas être maintenu : Ann is away. "
                + runs.describe_message(failure.stored).split("Ann is away. ", 1)[1])
            assert str(failure).startswith("A locked meeting cannot be kept: Ann is away.")


def test_publish_notification_to_a_french_participant_is_in_french(published):
    with published.app_context():
        event = demo_event()
        dropped = solving.meetings_in_force(db.session, event)[0]
        french, english = dropped.request.sender.user, dropped.request.recipient.user
        french.language, english.language = "fr", "en"

        run = draft_without(event, dropped)
        outbox().clear()
        publish.publish_schedule(db.session, event, run)
        db.session.commit()
        mails = {m.to: m for m in outbox()}
        to_french, to_english = mails[french.email], mails[english.email]
        assert "Your meeting" in to_english.subject and "Your meetings at" in to_english.body
        assert to_french.subject != to_english.subject
        assert "Your meeting" not in to_french.subject + to_french.body
        assert "rendez-vous" in to_french.subject + to_french.body
