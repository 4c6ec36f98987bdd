from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "civique.notifications"
    label = "notifications"
    verbose_name = _("Notifications des agents")

    def ready(self) -> None:
        from civique.notifications import receivers  # noqa: F401  (connects the signals)
