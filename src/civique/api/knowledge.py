"""``GET /api/v1/knowledge/search``: the knowledge base's articles for a question, ranked.

Mounted on the API in api.py (``api.add_router``); token-authenticated like every route, with
the same error shapes. An agent's token finds the articles that agent may read."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from civique.api.schemas import Clean, ErrorOut
from civique.knowledge import search
from civique.knowledge.models import EntryKind

router = Router(tags=["connaissances"])

Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Clean
]


class KnowledgeQuery(Schema):
    q: Question = Field(..., description="La question, telle qu'un usager l'écrit (1 à 200 car.)")
    limit: int = Field(10, ge=1, le=50)


class ArticleHit(Schema):
    id: int = Field(..., description="Identifiant de la fiche")
    title: str = Field(..., description="La question de la fiche")
    score: float = Field(
        ...,
        description="Pertinence relative à la meilleure fiche de la réponse (1.0), plus "
        "l'apprentissage des choix des agents ; ne se compare pas d'une recherche à l'autre",
    )


class KnowledgeResults(Schema):
    count: int
    items: list[ArticleHit]


@router.get(
    "/search",
    response={200: KnowledgeResults, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Rechercher dans les fiches",
)
def search_articles(request: HttpRequest, query: Query[KnowledgeQuery]):
    """Les fiches que l'agent du jeton peut lire, classées de la plus pertinente à la moins
    pertinente (recherche en français, sans accents ni fautes de frappe qui comptent)."""
    hits = search.search(query.q, user=request.auth, kinds=[EntryKind.ARTICLE], limit=query.limit)
    items = [{"id": hit.object_id, "title": hit.title, "score": hit.score} for hit in hits]
    return {"count": len(items), "items": items}
