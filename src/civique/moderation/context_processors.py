from django.urls import reverse

from civique.moderation.access import can_moderate


def moderation(request) -> dict:
    """The navigation's link to the moderation queue, for those who moderate."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can_moderate(user):
        return {}
    return {"moderation_nav": {"url": reverse("moderation:queue")}}
