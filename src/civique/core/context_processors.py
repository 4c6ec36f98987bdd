from django.conf import settings


def civique(request) -> dict:
    return {
        "ORGANISATION": settings.CIVIQUE_ORGANISATION,
        "MAP_TILES_URL": settings.CIVIQUE_MAP_TILES_URL,
    }
