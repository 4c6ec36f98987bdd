from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civique.core"
    label = "core"
