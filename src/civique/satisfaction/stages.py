"""Pipeline stage (``CIVIQUE_PIPELINE``, before ``update_clocks``): a citizen's answer to the
survey on the conversation's channel.

A private message from a person, on a resolved conversation whose survey went on the channel
and still takes an answer, written after the survey was sent, whose text starts with a score
(``parsing.parse_answer``) records the score and the comment, and is marked
``meta["survey_answer"]`` and ``meta["clock"] = "ignore"``: it neither reopens the conversation
nor makes it wait. Anything else is a message like any other. A replayed event stops at
``persist_message`` (already stored), and an answered survey refuses a second answer.

Receives the pipeline's context without importing it: this app sits below ingest.
"""

from __future__ import annotations

from civique.inbox.clocks import from_a_person
from civique.inbox.models import MessageVisibility, Status
from civique.satisfaction.actions import SurveyClosed, open_survey_for, record_answer
from civique.satisfaction.models import AnsweredVia, SentVia
from civique.satisfaction.parsing import parse_answer


def record_survey_answer(ctx) -> None:
    conversation, message = ctx.conversation, ctx.message
    if conversation is None or message is None or ctx.created_conversation:
        return
    if conversation.status not in (Status.RESOLVED, Status.CLOSED):
        return
    if not from_a_person(message) or message.visibility != MessageVisibility.PRIVATE:
        return
    when = ctx.occurred_at
    survey = open_survey_for(conversation, when)
    if survey is None or survey.sent_via != SentVia.CHANNEL or when < survey.sent_at:
        return
    answer = parse_answer(message.text)
    if answer is None:
        return
    try:
        record_answer(
            survey, answer.score, answer.comment, via=AnsweredVia.CHANNEL, message=message
        )
    except SurveyClosed:
        return
    message.meta = {**message.meta, "survey_answer": survey.pk, "clock": "ignore"}
    message.save(update_fields=["meta"])
