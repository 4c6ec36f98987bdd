"""The moderation queue: parse → access → action → render. Plain POSTs answered with a
redirect (PRG), so the page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civique.channels.models import Channel
from civique.inbox.actions import ActionError
from civique.moderation import actions
from civique.moderation.access import (
    access_case,
    can_read_sensitive,
    cases_for,
    check_can_moderate,
    moderated_team_ids,
)
from civique.moderation.display import case_view
from civique.moderation.forms import CaseActionForm, QueueFilterForm, escalation_targets
from civique.moderation.models import QUEUE_STATES, CaseState, CharterRule

PAGE_SIZE = 30


def _channels(user):
    teams = moderated_team_ids(user)
    qs = Channel.objects.filter(conversations__visibility="public").distinct()
    return qs if teams is None else qs.filter(team__in=teams)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    check_can_moderate(request.user)
    form = QueueFilterForm(_channels(request.user), request.GET or None)
    cases = cases_for(request.user)
    state = "queue"
    if form.is_valid():
        data = form.cleaned_data
        state = data["state"] or "queue"
        if data["channel"]:
            cases = cases.filter(message__channel=data["channel"])
        if data["label"]:
            cases = cases.filter(label_index__contains=f" {data['label']}")
    if state == "queue":
        cases = cases.filter(state__in=QUEUE_STATES)
    elif state == "mine":
        cases = cases.filter(state=CaseState.ESCALATED, escalated_to=request.user)
    elif state != "all":
        cases = cases.filter(state=state)
    page = Paginator(cases.order_by("-severity", "-score", "-created_at", "-id"), PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    views = [
        case_view(
            case, request.user, can_read_sensitive(request.user, case), actions.known_phone(case)
        )
        for case in page.object_list
    ]
    auto_hidden = [v for v in views if v.case.auto_hidden_at]
    return render(
        request,
        "moderation/queue.html",
        {
            "form": form,
            "page": page,
            "views": views,
            "auto_hidden": auto_hidden,
            "articles": CharterRule.objects.filter(enabled=True),
            "targets": escalation_targets(),
            "query": request.GET.urlencode(),
        },
    )


PERFORM = {
    "hide": lambda u, c, d: actions.hide(u, c, d["article"]),
    "unhide": lambda u, c, d: actions.unhide(u, c),
    "delete": lambda u, c, d: actions.delete(u, c, d["article"]),
    "block": lambda u, c, d: actions.block(u, c, d["article"]),
    "reply_public": lambda u, c, d: actions.answer_publicly(u, c, d["text"]),
    "reply_private": lambda u, c, d: actions.answer_privately(u, c, d["text"]),
    "cite_article": lambda u, c, d: actions.cite_article(u, c, d["article"]),
    "do_not_feed": lambda u, c, d: actions.do_not_feed(u, c),
    "undo_do_not_feed": lambda u, c, d: actions.undo_do_not_feed(u, c),
    "escalate": lambda u, c, d: actions.escalate(u, c, d["to"], d["text"]),
    "call_task": lambda u, c, d: actions.create_call_task(u, c, d["to"]),
    "dismiss": lambda u, c, d: actions.dismiss(u, c),
    "reopen": lambda u, c, d: actions.reopen(u, c),
}


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("moderation:queue")


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    form = CaseActionForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Rien n'a été enregistré : %(e)s") % {"e": errors})
        return _back(request)
    try:
        PERFORM[form.cleaned_data["action"]](request.user, case, form.cleaned_data)
    except ActionError as exc:
        messages.error(request, _("Rien n'a été enregistré : %(e)s") % {"e": exc})
    else:
        messages.success(
            request,
            _("Décision enregistrée sur la demande %(ref)s.")
            % {"ref": case.message.conversation.reference},
        )
    return _back(request)
