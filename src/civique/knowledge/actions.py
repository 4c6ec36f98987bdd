"""Every write of the knowledge base: articles (each save a new version), templates, partner
bodies, their search entries, the choices agents make, and redirections."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civique.core.audit import audit
from civique.core.models import User
from civique.inbox import timeline
from civique.inbox.actions import ActionError, reply_to_conversation
from civique.inbox.models import Conversation, Status, TimelineKind
from civique.knowledge import search, text
from civique.knowledge.models import (
    ARTICLE_FIELDS,
    AnswerTemplate,
    Article,
    ArticleVersion,
    Choice,
    ChoiceTerm,
    EntryKind,
    Institution,
    Redirection,
    SearchEntry,
)

log = logging.getLogger(__name__)

MAX_LEARNED_STEMS = 30


def unique_slug(model, source: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(source)[:100] or "fiche"
    slug, number = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def save_article(user: User | None, article: Article | None, **fields) -> Article:
    """Create or change an article and keep the result as its next version, with its author.
    ``fields`` are among ARTICLE_FIELDS (plus ``slug`` on creation)."""
    unknown = set(fields) - set(ARTICLE_FIELDS) - {"slug"}
    if unknown:
        raise TypeError(f"Unknown article fields: {sorted(unknown)}")
    creating = article is None
    article = article or Article()
    for name, value in fields.items():
        setattr(article, name, value)
    if not article.slug:
        article.slug = unique_slug(Article, article.question)
    if article.valid_from and article.valid_until and article.valid_until < article.valid_from:
        raise ActionError(_("La fin de validité précède son début."))
    article.version += 1
    article.save()
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        question=article.question,
        answer=article.answer,
        keywords=article.keywords,
        category_name=article.category.name if article.category else "",
        team_name=article.team.name if article.team else "",
        valid_from=article.valid_from,
        valid_until=article.valid_until,
        is_public=article.is_public,
        author=user,
        author_label=str(user) if user else "système",
    )
    sync_article(article)
    if user is not None:
        audit(user, "knowledge.article_create" if creating else "knowledge.article_change", article)
    return article


def sync_article(article: Article) -> SearchEntry:
    return _sync(
        EntryKind.ARTICLE,
        article.pk,
        title=article.question,
        keywords=article.keywords,
        body=article.answer,
        category=article.category,
        team=article.team,
        is_public=article.is_public,
        is_active=True,
        valid_from=article.valid_from,
        valid_until=article.valid_until,
        language=article.language,
    )


def sync_template(template: AnswerTemplate) -> SearchEntry:
    variants = list(template.variants.order_by("form", "language"))
    return _sync(
        EntryKind.TEMPLATE,
        template.pk,
        title=template.title,
        keywords=template.keywords,
        body="\n".join(variant.body for variant in variants),
        category=template.category,
        team=template.team,
        is_public=False,
        is_active=template.is_active,
        valid_from=None,
        valid_until=None,
        language="fr",
    )


def sync_institution(institution: Institution) -> SearchEntry:
    themes = " ".join(category.name for category in institution.categories.all())
    return _sync(
        EntryKind.INSTITUTION,
        institution.pk,
        title=institution.name,
        keywords=f"{institution.keywords} {themes}".strip(),
        body=institution.description,
        category=None,
        team=None,
        is_public=False,
        is_active=institution.is_active,
        valid_from=None,
        valid_until=None,
        language="fr",
    )


def _sync(kind: str, object_id: int, **values) -> SearchEntry:
    entry, _created = SearchEntry.objects.update_or_create(
        kind=kind, object_id=object_id, defaults=values
    )
    search.index_entry(entry)
    return entry


@transaction.atomic
def reindex_everything() -> int:
    """Rebuild every search entry from its article, template or partner body, and the index."""
    for article in Article.objects.select_related("category", "team"):
        sync_article(article)
    for template in AnswerTemplate.objects.prefetch_related("variants"):
        sync_template(template)
    for institution in Institution.objects.prefetch_related("categories"):
        sync_institution(institution)
    for kind, model in (
        (EntryKind.ARTICLE, Article),
        (EntryKind.TEMPLATE, AnswerTemplate),
        (EntryKind.INSTITUTION, Institution),
    ):
        for pk in (
            SearchEntry.objects.filter(kind=kind)
            .exclude(object_id__in=model.objects.values("pk"))
            .values_list("object_id", flat=True)
        ):
            remove_entry(kind, pk)
    return SearchEntry.objects.count()


def remove_entry(kind: str, object_id: int) -> None:
    for pk in SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list(
        "pk", flat=True
    ):
        search.unindex_entry(pk)
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


@transaction.atomic
def delete_article(user: User, article: Article) -> None:
    audit(user, "knowledge.article_delete", article, {"question": article.question})
    remove_entry(EntryKind.ARTICLE, article.pk)
    article.delete()


# --- Learning from choices ------------------------------------------------------------------


@transaction.atomic
def record_choice(
    user: User,
    entry: SearchEntry,
    *,
    conversation: Conversation | None,
    message_text: str,
    suggested: bool,
) -> Choice:
    """Remember that ``user`` used ``entry`` for a message saying ``message_text``: its stems
    count towards that entry the next time they are searched."""
    choice = Choice.objects.create(
        entry=entry, conversation=conversation, agent=user, suggested=suggested
    )
    stems = list(dict.fromkeys(text.stems(message_text)))[:MAX_LEARNED_STEMS]
    existing = {row.stem: row for row in ChoiceTerm.objects.filter(entry=entry, stem__in=stems)}
    ChoiceTerm.objects.bulk_create(
        [ChoiceTerm(entry=entry, stem=stem[:64], count=1) for stem in stems if stem not in existing]
    )
    for row in existing.values():
        row.count += 1
        row.save(update_fields=["count"])
    return choice


# --- Redirection to a partner body -----------------------------------------------------------


@transaction.atomic
def redirect_conversation(
    user: User,
    conversation: Conversation,
    institution: Institution,
    answer: str,
    *,
    forward: bool = False,
    consent: bool = False,
) -> Redirection:
    """Tell the person which body handles their request, on the conversation's channel (an
    answer like any other: it stops the first-response clock), mark the conversation redirected
    and resolved, and, only with the person's consent, forward the request to the body by mail.
    """
    if not institution.is_active:
        raise ActionError(_("Cet organisme n'est plus proposé."))
    forward_to = ""
    if forward:
        if not consent:
            raise ActionError(
                _(
                    "La transmission par courriel demande l'accord de la personne : cochez la "
                    "case une fois son accord obtenu, ou ne transmettez pas."
                )
            )
        if not institution.email:
            raise ActionError(
                _(
                    "%(name)s n'a pas d'adresse électronique : la demande ne peut pas lui "
                    "être transmise."
                )
                % {"name": institution.name}
            )
        forward_to = institution.email
    message = reply_to_conversation(user, conversation, answer, then_status=Status.RESOLVED)
    # The commitments read the outcome (inbox/clocks.py, docs/commitments.md): a redirection is
    # an answer, and the dashboard can tell it from the others.
    message.meta = {**message.meta, "outcome": "redirected"}
    message.save(update_fields=["meta"])
    now = timezone.now()
    redirection = Redirection.objects.create(
        conversation=conversation,
        institution=institution,
        agent=user,
        message=message,
        consent_at=now if forward else None,
        forward_to=forward_to,
        created_at=now,
    )
    note = _("Orientée vers %(name)s.") % {"name": institution.name}
    if forward_to:
        note += " " + _(
            "Demande transmise par courriel à %(email)s avec l'accord de la personne."
        ) % {"email": forward_to}
    timeline.record(
        conversation,
        TimelineKind.SYSTEM,
        actor=user,
        text=note,
        redirected_to=institution.slug,
    )
    audit(
        user,
        "conversation.redirect",
        conversation,
        {"institution": institution.pk, "forwarded": bool(forward_to)},
    )
    if forward_to:
        transaction.on_commit(lambda: forward_request(redirection.pk))
    return redirection


def forward_text(conversation: Conversation) -> str:
    inbound = conversation.messages.filter(direction="in").order_by("created_at", "id")
    lines = [
        _("Demande %(ref)s transmise par %(org)s avec l'accord de la personne.")
        % {"ref": conversation.reference, "org": conversation.team or ""},
        "",
        _("Personne : %(name)s") % {"name": conversation.contact or _("inconnue")},
        "",
    ]
    for message in inbound[:20]:
        lines += [f"— {message.when:%d/%m/%Y %H:%M}", message.text, ""]
    return "\n".join(lines)


def forward_request(redirection_id: int) -> None:
    """Mail the request to the body; the outcome is written on the redirection (sent date or
    error), shown on the conversation page. Not retried: the agent sees a failure and acts."""
    redirection = Redirection.objects.select_related(
        "conversation__contact", "conversation__team"
    ).get(pk=redirection_id)
    conversation = redirection.conversation
    try:
        send_mail(
            _("Demande %(ref)s : %(subject)s")
            % {"ref": conversation.reference, "subject": conversation.subject or ""},
            forward_text(conversation),
            None,
            [redirection.forward_to],
        )
    except Exception as exc:  # noqa: BLE001 - any mail failure is recorded for the agent
        log.warning("Forward of %s failed: %s", conversation.reference, exc)
        Redirection.objects.filter(pk=redirection.pk).update(forward_error=str(exc)[:500])
    else:
        Redirection.objects.filter(pk=redirection.pk).update(forward_sent_at=timezone.now())
