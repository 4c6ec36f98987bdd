from django.conf import settings


def civique(request) -> dict:
    return {"ORGANISATION": settings.CIVIQUE_ORGANISATION}
