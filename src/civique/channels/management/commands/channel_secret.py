"""``civique channel_secret CHANNEL_ID KEY``: store one secret of a channel, encrypted at rest.

The value is read from standard input (or typed without echo on a terminal) so that it never
appears in the shell history or the process list, and it is never printed.

    printf '%s' "$MOT_DE_PASSE" | civique channel_secret 3 imap_password
"""

from __future__ import annotations

import getpass
import re
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civique.channels.models import Channel

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Command(BaseCommand):
    help = _(
        "Enregistre un secret d'un canal (mot de passe, jeton), chiffré en base. La valeur est lue "
        "sur l'entrée standard et n'est jamais affichée."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("channel_id", type=int, metavar="CANAL")
        parser.add_argument("key", metavar="CLE", help=_("par exemple imap_password"))
        parser.add_argument("--delete", action="store_true", help=_("supprimer ce secret"))

    def handle(self, *args, **options) -> None:
        key = options["key"]
        if not _KEY_RE.match(key):
            raise CommandError(
                _("Nom de secret invalide : %(k)s (minuscules, chiffres et _).") % {"k": key}
            )
        channel = Channel.objects.filter(pk=options["channel_id"]).first()
        if channel is None:
            raise CommandError(_("Canal n°%(id)s introuvable.") % {"id": options["channel_id"]})
        secrets = dict(channel.secrets or {})
        if options["delete"]:
            secrets.pop(key, None)
            message = _("Secret « %(key)s » supprimé du canal « %(channel)s ».")
        else:
            secrets[key] = _read_value(key)
            message = _("Secret « %(key)s » enregistré (chiffré) pour le canal « %(channel)s ».")
        channel.secrets = secrets
        # New credentials deserve a new try at fetching (polling stops on a refused password).
        channel.polling_suspended = False
        channel.save(update_fields=["secrets", "polling_suspended", "updated_at"])
        self.stdout.write(message % {"key": key, "channel": channel.name})


def _read_value(key: str) -> str:
    if sys.stdin.isatty():
        value = getpass.getpass(_("Valeur de %(key)s : ") % {"key": key})
    else:
        value = sys.stdin.read()
    value = value.rstrip("\r\n")
    if not value:
        raise CommandError(_("Valeur vide : rien n'a été enregistré."))
    return value
