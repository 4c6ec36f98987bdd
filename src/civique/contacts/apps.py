from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "civique.contacts"
    label = "contacts"
