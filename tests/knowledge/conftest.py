"""Fixtures of the knowledge tests: articles, a template with variants, a partner body, and a
conversation with a received message."""

from __future__ import annotations

import pytest
from django.utils import timezone

from civique.contacts.models import Contact
from civique.inbox.models import Conversation, Direction, Message, MessageKind
from civique.knowledge import actions
from civique.knowledge.models import AnswerTemplate, Form, Institution, TemplateVariant
from tests.api.conftest import auth  # noqa: F401 - a fixture, shared


@pytest.fixture
def article_factory(db):
    def make(question: str, answer: str = "Réponse.", **fields):
        return actions.save_article(None, None, question=question, answer=answer, **fields)

    return make


@pytest.fixture
def passport(article_factory):
    return article_factory(
        "Comment faire un passeport ou une carte d'identité ?",
        "Prenez rendez-vous en ligne, puis venez avec les pièces justificatives.",
        keywords="passeport, carte nationale d'identité, CNI, rendez-vous, titre d'identité",
        is_public=True,
    )


@pytest.fixture
def bulky(article_factory):
    return article_factory(
        "Comment faire enlever des encombrants ?",
        "La collecte des encombrants a lieu sur rendez-vous, le premier mardi du mois.",
        keywords="encombrants, meubles, matelas, électroménager, ramassage",
        is_public=True,
    )


@pytest.fixture
def template(db, team):
    template = AnswerTemplate.objects.create(
        slug="accuse-reception", title="Accusé de réception", keywords="accusé, reçu"
    )
    TemplateVariant.objects.create(
        template=template,
        form=Form.FORMAL,
        body="Bonjour {nom},\n\nVotre demande {reference} est suivie par le service {equipe}. "
        "Nous vous répondrons sous {delai}.",
    )
    TemplateVariant.objects.create(
        template=template, form=Form.SHORT, body="Merci {nom}, nous regardons cela."
    )
    actions.sync_template(template)
    return template


@pytest.fixture
def caf(db):
    institution = Institution.objects.create(
        slug="caf",
        name="Caisse d'allocations familiales (CAF)",
        description="Allocations familiales, aides au logement (APL), RSA, prime d'activité.",
        keywords="allocations, APL, aide au logement, RSA, prime d'activité",
        phone="+33969322152",
        email="contact@caf.example",
        website="https://www.caf.fr",
        redirect_text="Votre demande relève de {organisme} : {telephone}, {site}.",
    )
    actions.sync_institution(institution)
    return institution


@pytest.fixture
def contact(db):
    return Contact.objects.create(display_name="Jeanne Dupont")


@pytest.fixture
def conversation_factory(db, team, email_channel, contact):
    def make(text: str, *, channel=None, visibility: str = "private", subject: str = ""):
        channel = channel or email_channel
        conversation = Conversation.objects.create(
            subject=subject,
            channel=channel,
            team=team,
            contact=contact,
            visibility=visibility,
            waiting_since=timezone.now(),
            last_inbound_at=timezone.now(),
        )
        Message.objects.create(
            conversation=conversation,
            channel=channel,
            direction=Direction.INBOUND,
            kind=MessageKind.COMMENT if visibility == "public" else MessageKind.MESSAGE,
            visibility=visibility,
            author_contact=contact,
            text=text,
            external_id=f"ext-{conversation.pk}",
        )
        return conversation

    return make
