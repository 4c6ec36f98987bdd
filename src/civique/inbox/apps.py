from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "civique.inbox"
    label = "inbox"
