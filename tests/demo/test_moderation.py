"""``civique demo`` fills the moderation queue through the real intake: the hospital's Page with
its health rule, an elected councillor, and comments that call for moderation."""

from __future__ import annotations

from civique.channels.models import Channel
from civique.ingest.models import EventState, InboundEvent
from civique.moderation.models import AutoRule, ElectedOfficial, ModerationCase, ModerationSetup
from tests.demo.test_demo import demo  # noqa: F401 - the fixture


def test_the_hospital_page_has_its_health_rule_on(demo):  # noqa: F811
    hospital = Channel.objects.get(name__startswith="Centre hospitalier de Valmont")
    rule = AutoRule.objects.get(action="hide")
    assert list(rule.channels.all()) == [hospital]
    assert rule.automatic_hide_enabled and rule.explain_privately
    assert rule.charter_rule.slug == "sante"
    assert "page_access_token" not in hospital.secrets  # the demo never calls Meta
    events = InboundEvent.objects.filter(channel=hospital)
    assert events.count() == 5 and not events.exclude(state=EventState.DONE).exists()


def test_the_elected_councillor_s_comments_go_to_the_head_of_communication(demo):  # noqa: F811
    official = ElectedOfficial.objects.get()
    head = ModerationSetup.current().head_of_communication
    assert head.username == "s.laurent" and head.is_supervisor
    cases = ModerationCase.objects.filter(message__author_contact=official.contact)
    assert cases.count() == 2
    assert all(c.elected and c.escalated_to == head and not c.auto_hidden_at for c in cases)


def test_it_says_how_many_comments_call_for_moderation(demo):  # noqa: F811
    assert "15 commentaires à modérer" in demo


def test_the_analysers_fill_the_queue_most_severe_first(demo):  # noqa: F811
    cases = list(ModerationCase.objects.order_by("-severity", "-score"))
    assert cases[0].charter_rule.slug == "haine"
    hospital = [c for c in cases if c.message.channel.name.startswith("Centre hospitalier")]
    hidden = [c for c in hospital if c.auto_hidden_at]
    assert len(hidden) == 2 and all(c.sensitive and c.charter_rule.slug == "sante" for c in hidden)
    for case in hidden:  # hidden and explained through the outbox, marked done as in the demo
        assert list(case.message.deliveries.values_list("kind", "state")) == [("hide", "sent")]
        assert case.message.hidden_at is not None
        assert case.message.conversation.messages.filter(
            direction="out", in_reply_to=case.message.external_id
        ).exists()
    angry = [c for c in cases if c.angry and c.charter_rule is None]
    assert len(angry) == 2 and not any(c.auto_hidden_at for c in angry)
    assert {c.charter_rule.slug for c in cases if c.charter_rule} >= {
        "injures",
        "donnees-personnelles",
        "publicite",
    }
