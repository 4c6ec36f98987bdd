"""The page where an agent logs a phone call or a counter visit with a contact
(``/usagers/<id>/consigner/``, URL name ``contacts:log``, routed in the project's urls.py).

Here in ingest with the action it calls (``ingest.logged``): it writes through the intake, which
the inbox never imports.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civique.inbox.actions import ActionError
from civique.inbox.contact_forms import LogExchangeForm
from civique.inbox.contact_views import access_found_contact
from civique.ingest.logged import log_exchange as log_exchange_action


@login_required
@require_http_methods(["GET", "POST"])
def log_exchange(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_found_contact(request, pk)
    if contact.merged_into_id:
        return redirect("contacts:log", pk=contact.merged_into_id)
    initial = {}
    if request.GET.get("demande", "").isdigit():
        initial["conversation"] = int(request.GET["demande"])
    form = LogExchangeForm(
        request.POST or None, user=request.user, contact=contact, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = log_exchange_action(
                request.user,
                data["channel"],
                contact,
                occurred_at=data["occurred_at"],
                summary=data["summary"],
                duration_minutes=data["duration_minutes"],
                outcome=data["outcome"],
                direction=data["direction"],
                subject=data["subject"],
                conversation=data["conversation"],
                category=data["category"],
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                # "Échange consigné : appel…" agrees whatever the kind's gender.
                _("Échange consigné sur la demande %(ref)s : %(kind)s.")
                % {"kind": message.get_kind_display(), "ref": message.conversation.reference},
            )
            return redirect("contacts:detail", pk=contact.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "contacts/log_exchange.html",
        {
            "contact": contact,
            "form": form,
            "has_channels": form.fields["channel"].queryset.exists(),
        },
        status=status,
    )
