"""The citizen portal's FAQ (« Questions fréquentes »): the knowledge base's public articles
valid today, listed by theme and searchable. Nothing else of the knowledge base shows here."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civique.knowledge import search
from civique.knowledge.access import access_public_article, public_articles
from civique.knowledge.forms import SearchForm
from civique.portal.forms import ErrorSummaryMixin

MAX_RESULTS = 20


class FaqSearchForm(ErrorSummaryMixin, SearchForm):
    pass


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    form = FaqSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results, themes = [], []
    if query:
        hits = search.search(query, public_only=True, limit=MAX_RESULTS)
        articles = public_articles().in_bulk([hit.object_id for hit in hits])
        results = [articles[hit.object_id] for hit in hits if hit.object_id in articles]
    else:
        ordered = public_articles().order_by("category__name", "question")
        themes = [
            (category, list(items))
            for category, items in groupby(ordered, key=lambda article: article.category)
        ]
    return render(
        request,
        "portal/faq.html",
        {"form": form, "query": query, "results": results, "themes": themes},
        status=200 if form.is_valid() else 422,
    )


@require_GET
def faq_article(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/faq_article.html", {"article": access_public_article(pk)})
