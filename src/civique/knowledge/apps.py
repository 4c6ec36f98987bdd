from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "civique.knowledge"
    verbose_name = "Base de connaissances"

    def ready(self) -> None:
        from civique.knowledge import panel

        panel.register()
