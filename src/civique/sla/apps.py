from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "civique.sla"
    label = "sla"
    verbose_name = _("Engagements de service")

    def ready(self) -> None:
        from civique.sla import receivers  # noqa: F401  (connects the clock signal)
