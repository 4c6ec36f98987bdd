from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "civique.demo"
    label = "demo"
