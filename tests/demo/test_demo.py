"""``civique demo`` loads Valmont through the real pipeline, once."""

from __future__ import annotations

import random
import stat
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from civique.channels.models import Channel
from civique.contacts.models import Contact
from civique.core.models import Team, User
from civique.demo.clock import PARIS
from civique.demo.incidents import load_incidents
from civique.demo.networks import NETWORKS
from civique.demo.texts import incident_message, make_person
from civique.inbox.models import Attachment, Conversation, Delivery, Message
from civique.ingest.models import EventState, InboundEvent


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", conversations=30, stdout=out)
    return out.getvalue()


def test_it_creates_the_teams_channels_and_agents(demo):
    assert set(Team.objects.values_list("slug", flat=True)) == {
        "accueil",
        "etat-civil",
        "voirie",
        "proprete-dechets",
        "communication",
    }
    kinds = set(Channel.objects.values_list("kind", flat=True))
    assert kinds == {
        "email",
        "webform",
        "phone",
        "counter",
        "api",
        "facebook",
        "instagram",
        "whatsapp",
    }
    webform = Channel.objects.get(kind="webform")
    assert webform.settings["reply_channel"] == Channel.objects.get(kind="email").pk
    assert {"admin", "superviseur", "agent"} <= set(User.objects.values_list("username", flat=True))


def test_its_mailbox_sends_to_the_local_mail_sink_and_is_never_polled(demo):
    email = Channel.objects.get(kind="email")
    assert email.is_active
    assert email.settings["smtp_host"] == "127.0.0.1"
    assert email.settings["smtp_port"] == 2525
    assert email.settings["smtp_security"] == "none"
    assert "imap_host" not in email.settings


def test_it_writes_conversations_in_several_channels_and_statuses(demo):
    assert Conversation.objects.exclude(channel__kind__in=NETWORKS).count() == 30
    assert Conversation.objects.values("channel__kind").distinct().count() >= 3
    assert Conversation.objects.values("status").distinct().count() >= 3
    assert not InboundEvent.objects.exclude(state=EventState.DONE).exists()
    assert Message.objects.filter(direction="out").exists()
    assert Message.objects.filter(kind="note").exists()


def test_it_dates_everything_in_the_past_six_weeks(demo):
    now = timezone.now()
    oldest = Message.objects.order_by("created_at").first().created_at
    assert (now - oldest).days <= 43
    assert not Message.objects.filter(created_at__gt=now).exists()


def test_it_marks_demo_replies_sent_without_sending(demo):
    assert Delivery.objects.exists()
    assert not Delivery.objects.exclude(state="sent").exists()


def test_contacts_have_histories_across_channels(demo):
    multi = Contact.objects.annotate(
        kinds=Count("conversations__channel__kind", distinct=True)
    ).filter(kinds__gt=1)
    assert multi.exists()


def test_it_prints_and_stores_the_credentials(demo, settings):
    path = settings.VAR_DIR / "demo-credentials.txt"
    text = path.read_text()
    assert text.startswith("Identifiants de démonstration")
    assert "http://127.0.0.1:8000/" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert text in demo
    admin = User.objects.get(username="admin")
    password = text.split("admin", 1)[1].split("mot de passe : ", 1)[1].split()[0]
    assert admin.check_password(password)


def test_it_refuses_to_run_twice(demo):
    with pytest.raises(CommandError, match="base vide"):
        call_command("demo", conversations=5, stdout=StringIO())
    assert Conversation.objects.exclude(channel__kind__in=NETWORKS).count() == 30


def test_the_same_seed_writes_the_same_texts():
    def draw(seed: int) -> tuple[str, str, str]:
        rng = random.Random(seed)  # noqa: S311 - reproducible test data, not cryptography
        incidents = load_incidents()
        person = make_person(rng, 1, [incidents[0].address])
        return incident_message(rng, rng.choice(incidents), person)

    assert draw(42) == draw(42)
    assert draw(42) != draw(43)


def test_its_facebook_page_has_invented_secrets_of_its_own(demo):
    page = Channel.objects.filter(kind="facebook").earliest("pk")  # the town's, not the hospital's
    assert page.team.slug == "communication"
    assert page.settings == {"page_id": "104857386211455"}
    assert set(page.secrets) == {"app_secret", "verify_token"}  # no token: invented Page
    assert len(page.secrets["app_secret"]) == 32
    assert page.secrets["app_secret"] not in demo  # never printed


def test_residents_comment_in_a_thread_and_write_on_messenger(demo):
    page = Channel.objects.filter(kind="facebook").earliest("pk")
    assert not InboundEvent.objects.filter(channel=page).exclude(state=EventState.DONE).exists()
    comments = Message.objects.filter(channel=page, kind="comment").order_by("id")
    top = comments.first()
    assert top.visibility == "public"
    assert top.meta["permalink"].startswith("https://www.facebook.com/valmont.mairie/posts/")
    thread = comments.filter(meta__parent_id=top.external_id)
    assert thread.filter(direction="in").count() >= 2  # its author again, and someone else
    assert thread.filter(direction="out", meta__page_own=True).exists()  # the Page answered
    assert thread.filter(conversation=top.conversation, direction="in").exists()
    private = Message.objects.filter(channel=page, meta__platform="messenger")
    assert private.exists()
    assert not private.exclude(conversation__visibility="private").exists()
    assert "sur facebook" in demo
    assert f"civique simulate facebook --channel {page.pk}" in demo


def test_its_facebook_exchanges_are_dated_in_the_past_few_days(demo):
    now = timezone.now()
    dates = Message.objects.filter(channel__kind="facebook").values_list("created_at", flat=True)
    assert all(now - timedelta(days=5) < when < now for when in dates)
    assert all(when.astimezone(PARIS).hour >= 7 for when in dates)  # not in the dead of night


def test_its_instagram_account_has_comments_in_a_thread_a_mention_and_direct_messages(demo):
    account = Channel.objects.get(kind="instagram")
    assert account.settings == {"ig_user_id": "17841405822304914", "page_id": "104857386211455"}
    assert set(account.secrets) == {"app_secret", "verify_token"}
    assert account.secrets["app_secret"] not in demo
    assert not InboundEvent.objects.filter(channel=account).exclude(state=EventState.DONE).exists()
    comments = Message.objects.filter(channel=account, kind="comment").order_by("id")
    top = comments.first()
    thread = comments.filter(meta__parent_id=top.external_id)
    assert thread.filter(direction="in").exclude(author_contact=top.author_contact).exists()
    assert thread.filter(direction="out", meta__page_own=True).exists()
    assert Message.objects.filter(channel=account, external_id__startswith="mention:").exists()
    direct = Message.objects.filter(channel=account, meta__platform="instagram_direct")
    assert direct.filter(direction="in").exists()
    assert not direct.exclude(conversation__visibility="private").exists()
    assert f"civique simulate instagram --channel {account.pk}" in demo


def test_its_whatsapp_number_has_conversations_and_a_located_photo(demo):
    number = Channel.objects.get(kind="whatsapp")
    assert number.settings == {"phone_number_id": "318726540019284"}
    assert set(number.secrets) == {"app_secret", "verify_token"}
    assert not InboundEvent.objects.filter(channel=number).exclude(state=EventState.DONE).exists()
    assert Conversation.objects.filter(channel=number).count() >= 3
    photo = Attachment.objects.get(message__channel=number)
    assert photo.message.meta["type"] == "image"
    assert photo.content_type == "image/jpeg"
    located = photo.message.conversation
    assert 48.8 < located.location_lat < 48.95 and 2.2 < located.location_lon < 2.45
    assert located.messages.filter(meta__type="location").exists()
    assert f"civique simulate whatsapp --channel {number.pk}" in demo


def test_its_teams_have_opening_hours_and_its_conversations_due_times(demo):
    from civique.sla.models import Calendar

    reception = Calendar.objects.get(team__slug="accueil")
    assert reception.slots.filter(weekday=5).exists()  # Saturday morning
    with_policy = Conversation.objects.exclude(sla_policy="")
    assert with_policy.count() == Conversation.objects.count()
    assert with_policy.exclude(first_answer_due_at=None).exists()
    assert Conversation.objects.filter(sla_state__in=["met", "breached"]).exists()
    # The past is played without automatic acknowledgements.
    assert not Message.objects.filter(meta__acknowledgement=True).exists()
