from civique.notifications.access import unread_count


def notifications(request) -> dict:
    """The bell: delivered, unread notifications only (one indexed count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": unread_count(user)}
