"""The sla app follows the inbox's clocks (the inbox never imports us)."""

from django.dispatch import receiver

from civique.inbox.clocks import clocks_changed
from civique.sla.actions import refresh_commitments


@receiver(clocks_changed, dispatch_uid="sla.refresh_commitments")
def follow_clocks(sender, conversation, now, **kwargs) -> None:
    refresh_commitments(conversation, now)
