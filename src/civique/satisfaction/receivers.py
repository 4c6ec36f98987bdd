"""Offer the survey when a conversation becomes resolved (``inbox.actions.status_changed``:
an agent's change, or a call or visit the pipeline resolves on the spot)."""

from __future__ import annotations

from django.dispatch import receiver

from civique.inbox.actions import status_changed
from civique.inbox.models import Status
from civique.satisfaction.actions import offer_survey


@receiver(status_changed, dispatch_uid="satisfaction.offer_on_resolution")
def offer_on_resolution(sender, conversation, old, new, actor=None, **kwargs) -> None:
    if new == Status.RESOLVED:
        offer_survey(conversation)
