"""Each decision of the queue: recorded with who, when and which article, on the timeline and in
the audit journal, carried to the platform by the outbox (the fake Graph API), and undone where
the platform allows."""

from __future__ import annotations

import pytest
from django.test import Client

from civique.core.models import AuditEvent, User
from civique.inbox import clocks
from civique.inbox.models import Delivery, DeliveryState
from civique.inbox.outbox import deliver_due
from civique.moderation import actions
from civique.moderation.models import CaseState, CharterRule, Decision
from tests.hooks import PAGE_ID
from tests.moderation.conftest import analysed, finding, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def insult(page_routes):
    message = receive(page_routes, "Le maire est un incapable", author="13", name="Gérard Morel")
    return analysed(message, finding("abuse.insult", 0.9, "incapable", 16))


def post(client_user, case, **data):
    client = Client()
    client.force_login(client_user)
    return client.post(f"/moderation/{case.pk}/", data)


def last_decision(case):
    return case.decisions.order_by("-id").first()


def test_hiding_records_who_when_which_article_and_reaches_the_platform(
    moderator, insult, graph_api
):
    assert post(moderator, insult, action="hide").status_code == 302

    decision = last_decision(insult)
    assert (decision.decision, decision.actor, decision.article) == ("hide", moderator, "1")
    assert decision.created_at is not None
    entry = insult.message.conversation.timeline.filter(data__decision="hide").get()
    assert entry.actor == moderator
    assert "art. 1 (Injures et outrages)" in entry.data["text"]
    assert AuditEvent.objects.filter(verb="moderation.hide", actor=moderator).exists()
    assert deliver_due() == 1
    (call,) = graph_api.made("POST", insult.message.external_id)
    assert call.json == {"is_hidden": True}
    insult.message.refresh_from_db()
    assert insult.message.hidden_at is not None
    insult.refresh_from_db()
    assert insult.state == CaseState.HANDLED


def test_a_hide_is_undone_by_showing_again(moderator, insult, graph_api):
    actions.hide(moderator, insult)
    deliver_due()
    insult.message.refresh_from_db()

    assert post(moderator, insult, action="unhide").status_code == 302
    deliver_due()
    assert [c.json for c in graph_api.made("POST", insult.message.external_id)] == [
        {"is_hidden": True},
        {"is_hidden": False},
    ]
    insult.message.refresh_from_db()
    assert insult.message.hidden_at is None
    assert last_decision(insult).decision == Decision.UNHIDE


def test_another_article_than_the_proposed_one_is_recorded(moderator, insult):
    threats = CharterRule.objects.get(slug="menaces")
    post(moderator, insult, action="hide", article=threats.pk)
    assert last_decision(insult).article == "4"


def test_deleting_keeps_our_copy(moderator, insult, graph_api):
    post(moderator, insult, action="delete")
    deliver_due()
    assert graph_api.made("DELETE", insult.message.external_id)
    insult.message.refresh_from_db()
    assert insult.message.removed_at is not None and insult.message.text
    assert last_decision(insult).decision == Decision.DELETE


def test_telling_the_author_the_article_sends_a_private_reply_citing_it(
    moderator, insult, graph_api
):
    post(moderator, insult, action="cite_article")
    deliver_due()
    (call,) = graph_api.made("POST", rf"{PAGE_ID}/messages")
    body = call.json
    assert body["recipient"] == {"comment_id": insult.message.external_id}
    assert "Bonjour Gérard Morel" in body["message"]["text"]
    assert "article 1 de notre charte" in body["message"]["text"]
    assert CharterRule.objects.get(slug="injures").wording in body["message"]["text"]
    assert last_decision(insult).decision == Decision.CITE_ARTICLE


def test_answering_publicly_and_privately(moderator, page_routes, graph_api):
    first = analysed(receive(page_routes, "Nul", author="21"), finding("abuse.insult", 0.7))
    second = analysed(receive(page_routes, "Nuls", author="22"), finding("abuse.insult", 0.7))
    post(moderator, first, action="reply_public", text="Merci de rester courtois.")
    post(moderator, second, action="reply_private", text="Écrivez-nous ici.")
    deliver_due()
    assert graph_api.made("POST", rf"{first.message.external_id}/comments")
    assert graph_api.made("POST", rf"{PAGE_ID}/messages")
    assert [last_decision(c).decision for c in (first, second)] == ["reply_public", "reply_private"]


def test_blocking_the_author_goes_to_the_page_blocked_edge(moderator, insult, graph_api):
    graph_api.route("POST", rf"{PAGE_ID}/blocked", {"13": True})
    post(moderator, insult, action="block")
    deliver_due()
    (call,) = graph_api.made("POST", rf"{PAGE_ID}/blocked")
    assert call.json == {"user": "13"}
    delivery = Delivery.objects.get(kind="block")
    assert delivery.state == DeliveryState.SENT
    assert AuditEvent.objects.filter(verb="message.block").exists()


def test_do_not_feed_leaves_the_queue_and_the_waiting_clock_and_is_undone(moderator, insult):
    conversation = insult.message.conversation
    assert conversation.waiting_since is not None
    post(moderator, insult, action="do_not_feed")
    insult.refresh_from_db()
    conversation.refresh_from_db()
    assert insult.state == CaseState.DO_NOT_FEED
    assert conversation.waiting_since is None
    client = Client()
    client.force_login(moderator)
    assert f'id="cas-{insult.pk}"' not in client.get("/moderation/").content.decode()

    post(moderator, insult, action="undo_do_not_feed")
    insult.refresh_from_db()
    conversation.refresh_from_db()
    assert insult.state == CaseState.OPEN
    assert conversation.waiting_since == insult.message.when
    assert [d.decision for d in insult.decisions.all()][-2:] == ["do_not_feed", "undo_do_not_feed"]


def test_do_not_feed_marks_the_comment_for_the_clocks_so_no_recompute_makes_it_wait(
    moderator, insult
):
    conversation = insult.message.conversation
    post(moderator, insult, action="do_not_feed")
    insult.message.refresh_from_db()
    assert insult.message.meta["clock"] == "ignore"
    # Any later recomputation (a status change, the scheduler) reads the mark, not a saved field.
    clocks.recompute(conversation)
    conversation.refresh_from_db()
    assert conversation.waiting_since is None
    assert conversation.first_answer_due_at is None

    post(moderator, insult, action="undo_do_not_feed")
    insult.message.refresh_from_db()
    conversation.refresh_from_db()
    assert "clock" not in insult.message.meta
    assert conversation.waiting_since == insult.message.when
    assert conversation.first_answer_due_at is not None


def test_escalating_goes_to_the_head_of_communication(moderator, head, insult):
    post(moderator, insult, action="escalate", text="Élu mis en cause")
    insult.refresh_from_db()
    assert (insult.state, insult.escalated_to) == (CaseState.ESCALATED, head)
    assert AuditEvent.objects.filter(verb="moderation.escalate").exists()


def test_the_head_of_communication_finds_what_was_escalated_to_them(moderator, head, insult):
    post(moderator, insult, action="escalate")
    client = Client()
    client.force_login(head)
    assert f'id="cas-{insult.pk}"' in client.get("/moderation/?state=mine").content.decode()
    admin_queue = Client()
    admin_queue.force_login(User.objects.create_superuser("chef", password="x-motdepasse"))
    assert (
        f'id="cas-{insult.pk}"' not in admin_queue.get("/moderation/?state=mine").content.decode()
    )


def test_escalating_to_an_agent_is_refused(moderator, agent, insult):
    response = post(moderator, insult, action="escalate", to=agent.pk)
    assert response.status_code == 302
    insult.refresh_from_db()
    assert insult.state == CaseState.OPEN


def test_a_call_task_needs_a_known_phone_number(moderator, agent, page_routes):
    text = "Rappelez-moi au 06 12 34 56 78, c'est inadmissible"
    case = analysed(
        receive(page_routes, text, author="31", name="Lina"),
        finding("tone.angry", 0.7, "inadmissible", 39),
        finding("personal.phone", 0.95, "06 12 34 56 78", 16),
    )
    post(moderator, case, action="call_task", to=agent.pk)
    conversation = case.message.conversation
    conversation.refresh_from_db()
    note = conversation.messages.get(kind="note")
    assert "06 12 34 56 78" in note.text
    assert conversation.assignee == agent
    assert last_decision(case).decision == Decision.CALL_TASK


def test_no_call_task_without_a_phone(moderator, insult):
    post(moderator, insult, action="call_task")
    assert not insult.message.conversation.messages.filter(kind="note").exists()
    assert last_decision(insult).decision == Decision.PROPOSED


def test_dismissing_and_reopening(moderator, insult):
    post(moderator, insult, action="dismiss")
    insult.refresh_from_db()
    assert insult.state == CaseState.DISMISSED
    post(moderator, insult, action="reopen")
    insult.refresh_from_db()
    assert insult.state == CaseState.OPEN


def test_a_platform_that_cannot_block_refuses_with_its_own_words(moderator, instagram_channel):
    from civique.inbox.models import Message
    from tests.channels.instagram import deliver

    deliver(Client(), instagram_channel, "comment-add.json")
    comment = Message.objects.get(channel=instagram_channel, kind="comment")
    case = analysed(comment, finding("abuse.insult", 0.9))
    client = Client()
    client.force_login(moderator)
    response = client.post(f"/moderation/{case.pk}/", {"action": "block"}, follow=True)
    assert not Delivery.objects.filter(kind="block").exists()
    html = response.content.decode()
    assert "ne permet pas de bloquer l&#x27;auteur d&#x27;un message" in html
