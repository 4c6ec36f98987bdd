from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "civique.channels"
    label = "channels"
