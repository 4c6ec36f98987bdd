"""Back-office pages of the knowledge base, and its actions on a conversation: use an entry in
the reply box (HTMX: the box comes back filled; without JavaScript, a page with the reply form
filled), search the templates, redirect to a partner body."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from civique.inbox.access import access_conversation
from civique.inbox.actions import ActionError
from civique.inbox.forms import ReplyForm
from civique.inbox.models import Conversation
from civique.knowledge import actions, search
from civique.knowledge import render as answers
from civique.knowledge.access import (
    access_article,
    access_entry,
    access_institution,
    articles_for,
    can_edit_article,
    can_edit_team_articles,
    templates_for,
)
from civique.knowledge.forms import ArticleForm, RedirectForm, SearchForm, UseForm
from civique.knowledge.models import EntryKind, Institution
from civique.knowledge.panel import message_text

PAGE_SIZE = 50


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    hits, page = [], None
    if form.is_valid() and form.cleaned_data["q"]:
        hits = search.search(form.cleaned_data["q"], user=request.user, limit=20)
    else:
        page = Paginator(articles_for(request.user).order_by("question"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "knowledge/home.html",
        {
            "form": form,
            "hits": hits,
            "page": page,
            "can_create": can_edit_article(request.user),
        },
        status=200 if form.is_valid() else 422,
    )


@login_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = access_article(request.user, pk)
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "versions": article.versions.select_related("author")[:50],
            "can_edit": can_edit_article(request.user, article),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = access_article(request.user, pk) if pk else None
    if not can_edit_article(request.user, article):
        raise PermissionDenied(
            _("Seuls les superviseurs et les administrateurs modifient les fiches.")
        )
    form = ArticleForm(request.POST or None, instance=article, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        team = fields.get("team")
        if not can_edit_team_articles(request.user, team.pk if team else None):
            form.add_error("team", _("Vous ne pouvez rattacher la fiche qu'à vos services."))
        else:
            try:
                saved = actions.save_article(request.user, article, **fields)
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Fiche enregistrée (version %(n)s).") % {"n": saved.version}
                )
                return redirect("knowledge:article", pk=saved.pk)
    return render(
        request,
        "knowledge/article_form.html",
        {"form": form, "article": article},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def institutions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "knowledge/institutions.html",
        {"institutions": Institution.objects.filter(is_active=True).prefetch_related("categories")},
    )


# --- On a conversation ------------------------------------------------------------------------


def _reply_box(request: HttpRequest, conversation: Conversation, text: str) -> ReplyForm:
    return ReplyForm(prefix="reply", conversation=conversation, initial={"text": text})


def _rendered(entry, user, conversation: Conversation):
    if entry.kind == EntryKind.ARTICLE:
        article = access_article(user, entry.object_id)
        return answers.render_article(article.answer, user, conversation)
    template = templates_for(user).filter(pk=entry.object_id).first()
    if template is None:
        raise Http404("Réponse type introuvable.")
    return answers.render_template(template, user, conversation, _language(conversation))


def _language(conversation: Conversation) -> str:
    latest = conversation.messages.filter(direction="in").order_by("-created_at").first()
    language = (latest.analysis or {}).get("language") if latest else None
    return language if isinstance(language, str) and len(language) <= 8 else "fr"


@login_required
@require_POST
def use_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an article's answer or a template, its variables filled, into the reply box."""
    conversation = access_conversation(request.user, pk)
    form = UseForm(request.POST)
    current = request.POST.get("reply-text", "").strip()
    if not form.is_valid():
        if request.htmx:
            # The reply box comes back as it was, and the live region says why.
            return render(
                request,
                "knowledge/partials/reply_text.html",
                {
                    "problems": [_("Choisissez d'abord une réponse type dans la liste.")],
                    "reply_form": _reply_box(request, conversation, current[:20000]),
                },
            )
        return HttpResponse(_("Choisissez d'abord une réponse type dans la liste."), status=422)
    entry = access_entry(request.user, form.cleaned_data["entry"])
    if entry.kind == EntryKind.INSTITUTION:
        url = reverse("knowledge:redirect", args=[conversation.pk, entry.object_id])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    rendered = _rendered(entry, request.user, conversation)
    actions.record_choice(
        request.user,
        entry,
        conversation=conversation,
        message_text=message_text(conversation),
        suggested=form.cleaned_data["suggested"],
    )
    text = f"{current}\n\n{rendered.text}" if current else rendered.text
    context = {
        "conversation": conversation,
        "entry": entry,
        "problems": rendered.problems,
        "reply_form": _reply_box(request, conversation, text[:20000]),
    }
    if request.htmx:
        return render(request, "knowledge/partials/reply_text.html", context)
    return render(request, "knowledge/compose.html", context)


@login_required
@require_GET
def template_search(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = access_conversation(request.user, pk)
    form = SearchForm(request.GET)
    hits = []
    if form.is_valid() and form.cleaned_data["q"]:
        hits = search.search(
            form.cleaned_data["q"],
            user=request.user,
            kinds=[EntryKind.TEMPLATE],
            category_id=conversation.category_id,
            limit=8,
        )
    return render(
        request,
        "knowledge/partials/template_results.html",
        {"conversation": conversation, "hits": hits, "form": form},
        status=200 if form.is_valid() else 422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def redirect_to_institution(request: HttpRequest, pk: int, institution: int) -> HttpResponse:
    conversation = access_conversation(request.user, pk)
    body = access_institution(institution)
    public = conversation.visibility == "public"
    if request.method == "POST":
        form = RedirectForm(request.POST, public=public)
        if form.is_valid():
            try:
                actions.redirect_conversation(
                    request.user,
                    conversation,
                    body,
                    form.cleaned_data["text"],
                    forward=form.cleaned_data["forward"],
                    consent=form.cleaned_data["consent"],
                )
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                entry = (
                    search.visible_entries(user=request.user)
                    .filter(kind=EntryKind.INSTITUTION, object_id=body.pk)
                    .first()
                )
                if entry is not None:
                    actions.record_choice(
                        request.user,
                        entry,
                        conversation=conversation,
                        message_text=message_text(conversation),
                        suggested=request.POST.get("suggested") == "1",
                    )
                messages.success(
                    request,
                    _("Demande %(ref)s orientée vers %(name)s ; la réponse part par son canal.")
                    % {"ref": conversation.reference, "name": body.name},
                )
                return redirect("inbox:detail", pk=conversation.pk)
        status = 422
        problems = []
    else:
        rendered = answers.render_redirect(body, request.user, conversation)
        form = RedirectForm(initial={"text": rendered.text}, public=public)
        status, problems = 200, rendered.problems
    return render(
        request,
        "knowledge/redirect.html",
        {
            "conversation": conversation,
            "institution": body,
            "form": form,
            "problems": problems,
            "can_reply": conversation.channel.connector.can_reply,
            "suggested": request.GET.get("suggestion") == "1"
            or request.POST.get("suggested") == "1",
        },
        status=status,
    )
