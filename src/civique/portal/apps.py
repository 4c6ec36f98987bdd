from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "civique.portal"
    label = "portal"
