"""The default calendar and commitments (issue 10), created by a migration and by the demo.

Services Publics+: written requests acknowledged within a week when electronic, two by post,
then answered; public comments answered within 4 business hours; private messages on social
networks acknowledged at once and answered within 2 business days; phone and counter on the spot.
"""

from __future__ import annotations

from datetime import time

DEFAULT_SLOTS = [(time(8, 30), time(12)), (time(13, 30), time(17, 30))]

H, D = "hours", "days"
# name, channel kind, visibility, (acknowledge, unit), (answer, unit)
DEFAULT_POLICIES = [
    ("Commentaire public", "", "public", (None, H), (4, H)),
    ("Message privé", "", "private", (0, H), (2, D)),
    ("Courriel", "email", "private", (5, D), (15, D)),
    ("Formulaire du portail", "webform", "private", (5, D), (15, D)),
    ("Demande par l'API", "api", "private", (5, D), (15, D)),
    ("Courrier postal", "letter", "private", (10, D), (15, D)),
    ("Téléphone", "phone", "private", (None, H), (0, H)),
    ("Accueil", "counter", "private", (None, H), (0, H)),
]


def create_defaults(calendar_model, slot_model, policy_model) -> None:
    """Idempotent: what exists (by name) is left as the administrators set it."""
    calendar, created = calendar_model.objects.get_or_create(
        team=None, defaults={"name": "Calendrier par défaut"}
    )
    if created:
        for weekday in range(5):
            for opens, closes in DEFAULT_SLOTS:
                slot_model.objects.create(
                    calendar=calendar, weekday=weekday, opens=opens, closes=closes
                )
    for name, kind, visibility, (ack, ack_unit), (answer, answer_unit) in DEFAULT_POLICIES:
        policy_model.objects.get_or_create(
            name=name,
            defaults={
                "channel_kind": kind,
                "visibility": visibility,
                "acknowledge_within": ack,
                "acknowledge_unit": ack_unit,
                "answer_within": answer,
                "answer_unit": answer_unit,
                "escalation": "notify",
            },
        )
