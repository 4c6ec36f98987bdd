"""Contact pages: search, a contact's identities and history, a new contact, and merging two
contacts (proposed by a person, confirmed, undoable). Logging a call or a visit with a contact is
in ``ingest.logged_views``.

They show conversations, hence here in inbox, under the URL namespace "contacts" (/usagers/).
Who sees which contact: ``inbox.access`` (docs/decisions/0007-contact-privacy-by-team.md). A
contact found by the exact email or phone is remembered in the session, so that the agent may
open it and log an exchange with it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civique.contacts.actions import ContactError, IdentityTaken, create_contact
from civique.contacts.forms import ContactCreateForm, ContactSearchForm
from civique.contacts.models import Contact, ContactMerge
from civique.core.audit import audit
from civique.inbox import merges
from civique.inbox.access import (
    access_contact,
    access_merge,
    can_merge,
    contact_history,
    contacts_for,
    conversations_for,
    exact_matches,
    search_contacts,
)
from civique.inbox.actions import ActionError, record_exact_finds

PAGE_SIZE = 50
# Contacts the user found by exact email or phone, most recent last (kept in the session).
FOUND_KEY = "contacts_found"
FOUND_KEPT = 50


def _found(request: HttpRequest) -> list[int]:
    return [pk for pk in request.session.get(FOUND_KEY, []) if isinstance(pk, int)]


def _remember_found(request: HttpRequest, ids) -> None:
    if ids:
        kept = [pk for pk in _found(request) if pk not in ids]
        request.session[FOUND_KEY] = [*kept, *ids][-FOUND_KEPT:]


def access_found_contact(request: HttpRequest, pk: int) -> Contact:
    """A contact the user may see, or found by exact email or phone in this session; 404 else."""
    return access_contact(request.user, pk, found=_found(request))


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    form = ContactSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    exact = exact_matches(q)
    _remember_found(request, exact)
    record_exact_finds(request.user, exact, via="page", request=request)
    contacts = search_contacts(request.user, q, exact=exact).prefetch_related("identities")
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "contacts/partials/results.html" if partial else "contacts/list.html"
    response = render(request, template, {"form": form, "page": page, "q": q, "oob": partial})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _found(request)
    contact = access_contact(request.user, pk, found=found)
    history = contact_history(request.user, contact)
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    read = {"via": "page", "page": page.number}
    if pk in found and not contacts_for(request.user).filter(pk=pk).exists():
        read["exact_search"] = True  # opened only thanks to its exact email or phone
    audit(request.user, "contact.read", contact, read, request=request)
    merging = can_merge(request.user)
    context = {
        "contact": contact,
        "identities": contact.identities.order_by("kind", "value"),
        "conversations": conversations_for(request.user).filter(contact=contact).order_by("-id"),
        "page": page,
        "can_merge": merging,
        "merges_in": (
            ContactMerge.objects.filter(target=contact, undone_at__isnull=True).select_related(
                "source", "actor"
            )
            if merging
            else []
        ),
        "merge_out": (
            ContactMerge.objects.filter(source=contact, undone_at__isnull=True)
            .select_related("target", "actor")
            .first()
        ),
    }
    return render(request, "contacts/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    form = ContactCreateForm(request.POST or None)
    taken = None
    if request.method == "POST" and form.is_valid():
        try:
            contact = create_contact(request.user, **form.cleaned_data)
        except IdentityTaken as exc:
            # The agent gave this exact identity: they may open the contact, as from a search.
            form.add_error("email" if exc.kind == "email" else "phone", str(exc))
            taken = exc.contact
            _remember_found(request, [taken.pk])
        except ContactError as exc:
            form.add_error(None, str(exc))
        else:
            # Its creator may open it before any conversation makes it their team's contact.
            _remember_found(request, [contact.pk])
            messages.success(request, _("Fiche de « %(c)s » créée.") % {"c": contact})
            if request.POST.get("next") == "log":
                return redirect("contacts:log", pk=contact.pk)
            return redirect("contacts:detail", pk=contact.pk)
    status = 422 if form.errors else 200
    return render(request, "contacts/create.html", {"form": form, "taken": taken}, status=status)


def _merge_summary(user, contact: Contact) -> dict:
    """What the merge page shows of one side: only what ``user`` may see."""
    return {
        "contact": contact,
        "identities": list(contact.identities.order_by("kind", "value")),
        "conversation_count": conversations_for(user).filter(contact=contact).count(),
        "message_count": contact_history(user, contact).count(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the contact to merge this one into, confirm, then merge (POST)."""
    if not can_merge(request.user):
        raise PermissionDenied(_("Seuls les superviseurs et les administrateurs fusionnent."))
    source = access_found_contact(request, pk)
    target_id = request.POST.get("cible") or request.GET.get("cible") or ""
    target = access_found_contact(request, int(target_id)) if target_id.isdigit() else None
    error, status = "", 200
    if request.method == "POST" and target is not None:
        try:
            merges.merge_contacts(request.user, source, target)
        except merges.MergeRefused as exc:
            error, status = str(exc), 403
        except ActionError as exc:
            error, status = str(exc), 422
        else:
            messages.success(
                request,
                _("« %(source)s » a été fusionné dans « %(target)s ». La fusion peut être annulée.")
                % {"source": source, "target": target},
            )
            return redirect("contacts:detail", pk=target.pk)
    search = ContactSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    exact = exact_matches(q) if target is None else []
    _remember_found(request, exact)
    candidates = (
        search_contacts(request.user, q, exact=exact)
        .exclude(pk=source.pk)
        .prefetch_related("identities")[:20]
        if q and target is None
        else []
    )
    context = {
        "source": _merge_summary(request.user, source),
        "target": _merge_summary(request.user, target) if target else None,
        "form": search,
        "q": q,
        "candidates": candidates,
        "error": error,
    }
    return render(request, "contacts/merge.html", context, status=status)


@login_required
@require_POST
def undo_merge(request: HttpRequest, pk: int) -> HttpResponse:
    merge_row = access_merge(request.user, pk)
    try:
        merges.undo_merge(request.user, merge_row)
    except merges.MergeRefused as exc:
        raise PermissionDenied(str(exc)) from None
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Fusion annulée : « %(source)s » a retrouvé sa fiche.")
            % {"source": merge_row.source},
        )
    return redirect(reverse("contacts:detail", args=[merge_row.source_id]))
