from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civique.core"
    label = "core"

    def ready(self) -> None:
        from civique.core import signals  # noqa: F401 - connects the audit receivers
