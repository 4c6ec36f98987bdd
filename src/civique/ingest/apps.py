from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "civique.ingest"
    label = "ingest"
