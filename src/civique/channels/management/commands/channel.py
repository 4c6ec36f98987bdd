"""``civique channel create KIND --name NAME --team TEAM_SLUG [--setting KEY=VALUE ...]``.

Creates a channel and prints its numeric id alone on the last line, for scripts::

    ID=$(civique channel create facebook --name "Ville de Valmont" --team communication \\
         --setting page_id=1234 --setting app_secret="$APP_SECRET" | tail -n 1)

Settings the connector declares secret (tokens, passwords) are stored encrypted and never
printed. A value typed here may show in the shell history: ``civique channel-secret`` reads one
from standard input instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civique.channels.actions import create_channel


def _pairs(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(
                _("Réglage mal écrit : « %(item)s » (CLE=VALEUR attendu).") % {"item": item}
            )
        if key.strip() in values:
            raise CommandError(_("Réglage donné deux fois : %(key)s.") % {"key": key.strip()})
        values[key.strip()] = value
    return values


class Command(BaseCommand):
    help = _("Gère les canaux. « create » crée un canal et affiche son numéro.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help=_("créer un canal"))
        create.add_argument("kind", metavar="TYPE", help=_("facebook, email, webform..."))
        create.add_argument("--name", required=True, metavar="NOM")
        create.add_argument("--team", required=True, metavar="SERVICE", help=_("identifiant"))
        create.add_argument(
            "--setting",
            action="append",
            default=[],
            metavar="CLE=VALEUR",
            help=_("un réglage du canal (répétable) ; les secrets sont chiffrés"),
        )

    def handle(self, *args, **options) -> None:
        values = _pairs(options["setting"])
        try:
            channel = create_channel(options["kind"], options["name"], options["team"], values)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("Canal « %(name)s » (%(kind)s) créé pour le service « %(team)s ».")
            % {"name": channel.name, "kind": channel.kind, "team": channel.team.name}
        )
        if channel.connector.webhook:
            self.stdout.write(
                _("Adresse de rappel à déclarer à la plateforme : /hooks/%(kind)s/%(id)s/")
                % {"kind": channel.kind, "id": channel.pk}
            )
        self.stdout.write(str(channel.pk))
