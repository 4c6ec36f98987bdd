from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "civique.api"
    label = "api"
