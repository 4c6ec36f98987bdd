"""The moderation stage of the intake pipeline (``settings.CIVIQUE_PIPELINE``, after the clocks):
read the analysis stored on a new public comment, open a case in the moderation queue when the
charter or an automatic rule asks for one, and apply the automatic rules' actions.

Inside the event's write transaction: platform operations (an automatic hide, the private
explanation) are only queued in the outbox, never called here. Idempotent: a message has one
case at most, and a replay that finds it does nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civique.moderation.rules import moderate_message

if TYPE_CHECKING:
    from civique.ingest.pipeline import Context


def apply_charter(ctx: Context) -> None:
    if ctx.message is None:
        return
    moderate_message(ctx.message)
