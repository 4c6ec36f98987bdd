from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "civique.satisfaction"
    label = "satisfaction"
    verbose_name = _("Satisfaction des usagers")

    def ready(self) -> None:
        from civique.satisfaction import receivers  # noqa: F401  (connects the status signal)
