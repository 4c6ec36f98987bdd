"""The analysers as a preparation stage: every inbound message is analysed as it arrives, on
every channel, and stored messages can be analysed again."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civique.analysis import Analysis
from civique.channels.connectors.base import ParsedMessage
from civique.inbox.models import Message
from civique.ingest.actions import receive_event
from civique.ingest.models import EventState
from civique.ingest.pipeline import batch_stage, prepare
from tests.channels.mail import ingest, mail
from tests.ingest import test_changes as changes
from tests.intake import deliver


def test_a_portal_message_is_stored_with_its_analysis(webform_channel):
    text = "Bande de connards, trois semaines que j'attends !!! Rappelez-moi au 06 12 34 56 78"
    message = deliver(webform_channel, text=text, name="Renée", email="renee@example.org")
    analysis = Analysis.from_json(message.analysis)
    assert {"abuse.insult", "tone.angry", "personal.phone"} <= analysis.labels()
    for finding in analysis.findings:
        for span in finding.spans:
            assert message.text[span.start : span.end] == span.text


def test_an_email_is_analysed_and_the_channels_own_address_is_not_personal_data(email_channel):
    email_channel.settings = {**email_channel.settings, "address": "contact@valmont.example"}
    email_channel.save()
    body = "Bonjour,\nma mère Mme Dupont est en réanimation, écrivez à contact@valmont.example\n"
    event = ingest(email_channel, mail(body=body))
    assert event.state == EventState.DONE, event.last_error
    analysis = Analysis.from_json(Message.objects.get().analysis)
    assert analysis.score("health") >= 0.9
    assert "personal.email" not in analysis.labels()


def test_an_agents_outbound_message_is_not_analysed(phone_channel, agent):
    first = deliver(phone_channel, text="Bonjour, t'es un connard")
    reply = deliver(
        phone_channel,
        text="Espèce de connard, ceci est un test",
        direction="out",
        agent_id=agent.pk,
        conversation_id=first.conversation_id,
    )
    assert first.analysis["findings"]
    assert reply.direction == "out"
    assert reply.analysis == {}


def test_stored_messages_can_be_analysed_again(webform_channel, phone_channel):
    old = deliver(webform_channel, text="Je vais te buter")
    other = deliver(phone_channel, text="t'es un connard")
    Message.objects.update(analysis={})
    out = io.StringIO()
    call_command("analyse", "--messages", "--channel", str(webform_channel.pk), stdout=out)
    assert "1 message(s)" in out.getvalue()
    old.refresh_from_db()
    other.refresh_from_db()
    assert "abuse.threat" in Analysis.from_json(old.analysis).labels()
    assert other.analysis == {}
    call_command("analyse", "--messages", "--since", "2000-01-01", "--no-ner", stdout=out)
    other.refresh_from_db()
    assert "abuse.insult" in Analysis.from_json(other.analysis).labels()


def test_a_bad_date_for_since_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("analyse", "--messages", "--since", "hier")


def test_the_jsonl_command_answers_every_line_and_explains_bad_ones(monkeypatch):
    lines = '{"text": "je vais te buter", "id": 1}\n{oops\n["liste"]\n{"text": 3}\n{"text": "ok"}\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    out = io.StringIO()
    call_command("analyse", "--no-ner", stdout=out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == 5
    assert results[0]["id"] == 1 and "abuse.threat" in results[0]["labels"]
    assert results[0]["findings"][0]["spans"][0][2] == "je vais te buter"
    assert [r.get("line") for r in results[1:4]] == [2, 3, 4]
    assert all("error" in r and "Traceback" not in r["error"] for r in results[1:4])
    assert results[4]["labels"] == []


CALLS: list[list[str]] = []


@batch_stage
def record_batch(contexts) -> None:
    CALLS.append([ctx.parsed.text for ctx in contexts])


def test_a_batch_stage_gets_every_context_of_the_event_at_once(settings, api_channel):
    settings.CIVIQUE_PREPARE = [*settings.CIVIQUE_PREPARE, f"{__name__}.record_batch"]
    received = receive_event(api_channel, b"{}", "application/json", "batch-1", enqueue=False)
    parsed = [ParsedMessage(external_id=f"m{i}", sender=None, text=t) for i, t in enumerate(
        ["Je vais te buter", "Merci beaucoup", "Réponse de l'agent"]
    )]  # fmt: skip
    parsed[2].direction = "out"
    CALLS.clear()
    contexts = prepare(received.event, parsed)
    assert CALLS == [["Je vais te buter", "Merci beaucoup", "Réponse de l'agent"]]
    assert "abuse.threat" in contexts[0].analysis.labels()
    assert contexts[1].analysis.findings == ()
    assert contexts[2].analysis is None  # outbound: not analysed


def test_a_comment_edited_into_an_insult_is_analysed_again(client, facebook_channel):
    edited = changes.variant(
        "comment-edited.json", message="Bande de connards, on sait où tu habites"
    )
    changes.deliver(client, facebook_channel, "comment-add.json", body=edited)
    message = Message.objects.get()
    assert message.text == "Bande de connards, on sait où tu habites"
    labels = Analysis.from_json(message.analysis).labels()
    assert {"abuse.insult", "abuse.threat"} <= labels


def test_without_ner_the_rule_layer_still_analyses_at_intake(settings, webform_channel):
    settings.CIVIQUE_ANALYSIS_NER = False
    message = deliver(webform_channel, text="Paul Durand, 12 rue des Lilas, est un connard")
    analysis = Analysis.from_json(message.analysis)
    assert {"abuse.insult", "personal.address"} <= analysis.labels()
    assert not any(f.analyser == "ner-spacy" for f in analysis.findings)
