from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "civique.moderation"
    label = "moderation"
    verbose_name = "Modération"
