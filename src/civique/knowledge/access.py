"""Permission-checked fetches of the knowledge base.

Everyone signed in reads the articles of no team, of their teams, and the public ones; an
internal article of a team is for that team (and administrators) only. Administrators edit
every article, supervisors those of no team or of their teams. The portal sees public articles
valid today, nothing else."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from civique.knowledge import search
from civique.knowledge.models import AnswerTemplate, Article, Institution, SearchEntry


def articles_for(user) -> QuerySet[Article]:
    qs = Article.objects.select_related("category", "team")
    if user.is_administrator:
        return qs
    return qs.filter(Q(team__isnull=True) | Q(team__in=user.teams.all()) | Q(is_public=True))


def access_article(user, pk: int) -> Article:
    article = articles_for(user).filter(pk=pk).first()
    if article is None:
        raise Http404("Fiche introuvable.")
    return article


def can_edit_team_articles(user, team_id: int | None) -> bool:
    """May ``user`` write articles of this team (None: of no team)?"""
    if user.is_administrator:
        return True
    if not user.is_supervisor:
        return False
    return team_id is None or user.teams.filter(pk=team_id).exists()


def can_edit_article(user, article: Article | None = None) -> bool:
    return can_edit_team_articles(user, article.team_id if article else None)


def public_articles() -> QuerySet[Article]:
    """The portal's FAQ: public articles valid today."""
    today = timezone.localdate()
    return Article.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        is_public=True,
    ).select_related("category")


def access_public_article(pk: int) -> Article:
    article = public_articles().filter(pk=pk).first()
    if article is None:
        raise Http404("Fiche introuvable.")
    return article


def templates_for(user) -> QuerySet[AnswerTemplate]:
    qs = AnswerTemplate.objects.filter(is_active=True).prefetch_related("variants")
    if user.is_administrator:
        return qs
    return qs.filter(Q(team__isnull=True) | Q(team__in=user.teams.all()))


def access_entry(user, pk: int) -> SearchEntry:
    entry = search.visible_entries(user=user).filter(pk=pk).first()
    if entry is None:
        raise Http404("Élément introuvable.")
    return entry


def access_institution(pk: int) -> Institution:
    institution = Institution.objects.filter(pk=pk, is_active=True).first()
    if institution is None:
        raise Http404("Organisme introuvable.")
    return institution
