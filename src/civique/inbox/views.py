"""Agent back office: the inbox, the conversation page and its actions, attachment downloads.

Each view parses the request, fetches through ``inbox.access``, calls ``inbox.actions`` and
renders. Action views answer a plain POST with a redirect (PRG) and an HTMX POST with the updated
conversation fragment.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from civique.channels.connectors.base import OperationKind
from civique.core.display import neutralise_bidi
from civique.inbox import actions
from civique.inbox.access import access_conversation, can_manage_team, conversations_for
from civique.inbox.extensions import panels_for
from civique.inbox.forms import (
    AssignForm,
    CategoryForm,
    InboxFilterForm,
    ModerationForm,
    NoteForm,
    PriorityForm,
    PrivateReplyForm,
    ReplyForm,
    StatusForm,
    TransferForm,
    private_reply_candidates,
)
from civique.inbox.models import Attachment, Conversation, Visibility
from civique.inbox.outbound import last_private_inbound
from civique.inbox.queries import inbox_queryset

PAGE_SIZE = 50


def _partial_wanted(request: HttpRequest) -> bool:
    """An HTMX request wants a fragment, except when htmx restores history (full page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@login_required
@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.user, request.GET)
    filters = form.to_filters()
    page = Paginator(inbox_queryset(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "conversations": page.object_list}
    template = "inbox/partials/results.html" if _partial_wanted(request) else "inbox/list.html"
    response = render(request, template, {**context, "oob": _partial_wanted(request)})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _timeline(conversation: Conversation):
    return conversation.timeline.select_related(
        "actor",
        "message__author_agent",
        "message__author_contact",
        "message__channel",
    ).prefetch_related("message__attachments", "message__deliveries", "message__revisions")


def _post_context(conversation: Conversation) -> dict | None:
    """The post a public conversation's first comment was written under (text, link, date),
    as the connector found it; None for anything else."""
    first = conversation.messages.order_by("created_at", "id").only("meta").first()
    meta = first.meta if first is not None else {}
    post = meta.get("post") or ({"permalink": meta["permalink"]} if meta.get("permalink") else None)
    if not isinstance(post, dict):
        return None
    return {**post, "when": parse_datetime(str(post.get("created_time") or ""))}


def _same_thread(request: HttpRequest, conversation: Conversation) -> list[Conversation]:
    """Other conversations from the same platform thread (others replying under the same
    comment), among those the user may see."""
    if not conversation.thread_key or conversation.visibility != Visibility.PUBLIC:
        return []
    related = conversations_for(request.user).filter(
        channel=conversation.channel, thread_key=conversation.thread_key
    )
    return list(related.exclude(pk=conversation.pk).order_by("created_at")[:20])


def _detail_context(request: HttpRequest, conversation: Conversation, bound: dict) -> dict:
    managing = can_manage_team(request.user, conversation)
    connector = conversation.channel.connector
    forms = {
        "reply_form": ReplyForm(prefix="reply", conversation=conversation),
        "note_form": NoteForm(prefix="note"),
        "assign_form": AssignForm(prefix="assign", conversation=conversation, managing=managing),
        "transfer_form": TransferForm(prefix="transfer", conversation=conversation),
        "status_form": StatusForm(prefix="status", initial={"status": conversation.status}),
        "category_form": CategoryForm(
            prefix="category", initial={"category": conversation.category_id}
        ),
        "priority_form": PriorityForm(
            prefix="priority", initial={"priority": conversation.priority}
        ),
    }
    if (
        connector.supports(OperationKind.REPLY_PRIVATE)
        and private_reply_candidates(conversation).exists()
    ):
        # « Répondre en privé » beside a comment links here with the comment chosen.
        chosen = request.GET.get("commentaire", "")
        forms["private_reply_form"] = PrivateReplyForm(
            prefix="private",
            conversation=conversation,
            initial={"comment": chosen} if chosen.isdigit() else None,
        )
    forms.update(bound)
    return {
        "post": _post_context(conversation),
        "same_thread": _same_thread(request, conversation),
        "conversation": conversation,
        "entries": _timeline(conversation),
        "can_reply": connector.can_reply,
        "send_notice": _send_notice(conversation),
        # The moderation buttons the channel's platform allows (none for email).
        "moderations": [kind for kind in MODERATIONS if connector.supports(kind)],
        "managing": managing,
        # What other apps show on the page (inbox/extensions.py), e.g. answer suggestions.
        "panels": panels_for(request, conversation),
        **forms,
    }


def _send_notice(conversation: Conversation) -> str:
    """What the platform's messaging window means for an answer written now (Messenger...)."""
    connector = conversation.channel.connector
    if not connector.send_window or conversation.visibility == Visibility.PUBLIC:
        return ""
    return connector.send_notice(last_private_inbound(conversation), timezone.now())


def _render_detail(
    request: HttpRequest,
    conversation: Conversation,
    *,
    bound: dict | None = None,
    announcement: str = "",
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _detail_context(request, conversation, bound or {})
    context["announcement"] = announcement
    context["refusal"] = refusal
    if _partial_wanted(request):
        template = "inbox/partials/conversation_response.html"
    else:
        template = "inbox/conversation_detail.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, access_conversation(request.user, pk))


def _act(
    request: HttpRequest,
    pk: int,
    key: str,
    make_form: Callable[[dict, Conversation], object],
    perform: Callable[[object, Conversation, object], None],
    success: str,
) -> HttpResponse:
    """Run one action of the conversation page: validate, act, then redirect or re-render."""
    conversation = access_conversation(request.user, pk)
    form = make_form(request.POST, conversation)
    if form.is_valid():
        try:
            perform(request.user, conversation, form)
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, conversation, success)
    return _render_detail(
        request, conversation, bound={key: form}, refusal=_refusal(form), status=422
    )


def _refusal(form) -> str:
    """A refused action's errors in one sentence, for the page's live region: after an HTMX
    post the focus stays on the button pressed, so the errors beside the fields go unheard."""
    errors = [str(error) for error in form.non_field_errors()]
    errors += [
        f"{form[name].label} : {error}"
        for name, field_errors in form.errors.items()
        if name != NON_FIELD_ERRORS
        for error in field_errors
    ]
    return _("Rien n'a été enregistré. %(errors)s") % {"errors": " ".join(errors)}


def _done(request: HttpRequest, conversation: Conversation, success: str) -> HttpResponse:
    text = success % {"ref": conversation.reference}
    still_visible = conversations_for(request.user).filter(pk=conversation.pk).first()
    if still_visible is None:
        # e.g. transferred to a team the agent is not part of.
        messages.success(request, text)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("inbox:list"))
        return redirect("inbox:list")
    if request.htmx:
        return _render_detail(request, still_visible, announcement=text)
    messages.success(request, text)
    return redirect("inbox:detail", pk=conversation.pk)


def _reply(user, conversation, form) -> None:
    actions.reply_to_conversation(
        user,
        conversation,
        form.cleaned_data["text"],
        then_status=form.cleaned_data["then_status"] or None,
    )


MODERATIONS = {
    "hide": actions.hide_message,
    "unhide": actions.unhide_message,
    "delete": actions.delete_message,
}


def _moderate(user, conversation, form) -> None:
    MODERATIONS[form.cleaned_data["operation"]](user, form.cleaned_data["message"])


def _assign(user, conversation, form) -> None:
    actions.assign_conversation(user, conversation, form.chosen_user(user))


def _transfer(user, conversation, form) -> None:
    actions.transfer_conversation(user, conversation, form.cleaned_data["team"])


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "reply_form",
        lambda data, c: ReplyForm(data, prefix="reply", conversation=c),
        _reply,
        _("Réponse enregistrée sur la demande %(ref)s ; elle part par son canal."),
    )


@login_required
@require_POST
def reply_private(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "private_reply_form",
        lambda data, c: PrivateReplyForm(data, prefix="private", conversation=c),
        lambda user, c, form: actions.reply_privately(
            user, form.cleaned_data["comment"], form.cleaned_data["text"]
        ),
        _("Réponse privée enregistrée sur la demande %(ref)s ; elle part vers la plateforme."),
    )


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "note_form",
        lambda data, c: NoteForm(data, prefix="note"),
        lambda user, c, form: actions.add_note(user, c, form.cleaned_data["text"]),
        _("Note interne ajoutée à la demande %(ref)s."),
    )


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "moderation_form",
        lambda data, c: ModerationForm(data, prefix="moderation", conversation=c),
        _moderate,
        _("Opération enregistrée sur la demande %(ref)s ; elle part vers la plateforme."),
    )


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "assign_form",
        lambda data, c: AssignForm(
            data,
            prefix="assign",
            conversation=c,
            managing=can_manage_team(request.user, c),
        ),
        _assign,
        _("Attribution de la demande %(ref)s mise à jour."),
    )


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "transfer_form",
        lambda data, c: TransferForm(data, prefix="transfer", conversation=c),
        _transfer,
        _("Demande %(ref)s transférée."),
    )


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "status_form",
        lambda data, c: StatusForm(data, prefix="status"),
        lambda user, c, form: actions.change_status(user, c, form.cleaned_data["status"]),
        _("Statut de la demande %(ref)s mis à jour."),
    )


@login_required
@require_POST
def change_category(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "category_form",
        lambda data, c: CategoryForm(data, prefix="category"),
        lambda user, c, form: actions.change_category(user, c, form.cleaned_data["category"]),
        _("Thème de la demande %(ref)s mis à jour."),
    )


@login_required
@require_POST
def change_priority(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "priority_form",
        lambda data, c: PriorityForm(data, prefix="priority"),
        lambda user, c, form: actions.change_priority(user, c, form.cleaned_data["priority"]),
        _("Priorité de la demande %(ref)s mise à jour."),
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an attachment of a conversation the user may see; images inline, others saved."""
    attachment = (
        Attachment.objects.filter(pk=pk, message__conversation__in=conversations_for(request.user))
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise Http404(_("Pièce jointe introuvable."))
    inline = attachment.content_type.startswith("image/")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=neutralise_bidi(attachment.filename),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
