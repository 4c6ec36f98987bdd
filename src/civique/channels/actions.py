"""Writes of the channels context: creating a channel with its settings and secrets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civique.channels.connectors.base import SettingSpec
from civique.channels.models import Channel
from civique.channels.registry import UnknownConnector, all_connectors, get_connector
from civique.core.models import Team

TRUE_WORDS = {"true", "1", "oui", "yes", "vrai"}
FALSE_WORDS = {"false", "0", "non", "no", "faux"}


def _typed(spec: SettingSpec, raw: str) -> str | int | bool:
    """The value of ``spec`` typed as text, read as the connector expects it."""
    if spec.kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValidationError(
                _("Le réglage %(name)s doit être un nombre entier (reçu « %(value)s »).")
                % {"name": spec.name, "value": raw}
            ) from None
    if spec.kind is bool:
        word = raw.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValidationError(
                _("Le réglage %(name)s vaut true ou false (reçu « %(value)s »).")
                % {"name": spec.name, "value": raw}
            )
        return word in TRUE_WORDS
    return raw


def check_settings(kind: str, values: dict[str, str]) -> tuple[dict, dict]:
    """Split ``values`` into (settings, secrets) as the connector of ``kind`` declares them.
    Raises ValidationError (French) on an unknown kind, an unknown name or a bad value."""
    try:
        connector = get_connector(kind)
    except UnknownConnector:
        raise ValidationError(
            _("Type de canal inconnu : %(kind)s (connus : %(known)s).")
            % {"kind": kind, "known": ", ".join(sorted(all_connectors()))}
        ) from None
    specs = {spec.name: spec for spec in connector.setting_specs}
    settings: dict = {}
    secrets: dict = {}
    for name, raw in values.items():
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(specs) or _("aucun")
            raise ValidationError(
                _(
                    "Réglage inconnu pour un canal %(kind)s : %(name)s "
                    "(réglages connus : %(known)s)."
                )
                % {"kind": kind, "name": name, "known": known}
            )
        (secrets if spec.secret else settings)[name] = _typed(spec, raw)
    return settings, secrets


@transaction.atomic
def create_channel(kind: str, name: str, team_slug: str, values: dict[str, str]) -> Channel:
    """Create an active channel; secrets among ``values`` are stored encrypted."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Le nom du canal est obligatoire."))
    settings, secrets = check_settings(kind, values)
    team = Team.objects.filter(slug=team_slug).first()
    if team is None:
        raise ValidationError(_("Service « %(slug)s » introuvable.") % {"slug": team_slug})
    return Channel.objects.create(
        kind=kind, name=name[:120], team=team, settings=settings, secrets=secrets
    )
