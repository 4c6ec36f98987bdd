"""The moderation stage of the intake pipeline (``settings.CIVIQUE_PIPELINE``, after the clocks):
read the analysis stored on a new public comment, open a case in the moderation queue when the
charter or an automatic rule asks for one, and apply the automatic rules' actions.

Inside the event's write transaction: platform operations (an automatic hide, the private
explanation) are only queued in the outbox, never called here. Idempotent: a message has one
case at most, and a replay that finds it does nothing more.
"""

from __future__ import annotations

from civique.moderation.rules import moderate_message


def apply_charter(ctx) -> None:
    """``ctx`` is the pipeline's ``civique.ingest.pipeline.Context`` (not imported: ingest sits
    above moderation, and calls it after an edit)."""
    if ctx.message is None:
        return
    moderate_message(ctx.message)
