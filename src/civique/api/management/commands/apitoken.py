"""``civique apitoken USERNAME``: issue an API token for an agent (created if missing).

The token is printed once, alone on standard output (so that ``TOKEN=$(civique apitoken bot)``
works); explanations go to standard error. Only its SHA-256 hash is stored.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from civique.api.actions import create_token, revoke_tokens
from civique.api.models import ApiToken
from civique.core.audit import audit
from civique.core.models import Role, User


class Command(BaseCommand):
    help = (
        "Crée un jeton d'API pour l'agent IDENTIFIANT (créé s'il n'existe pas) et l'affiche une "
        "seule fois ; --revoke PREFIXE révoque un jeton ; --list liste les jetons de l'agent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="Identifiant de l'agent")
        parser.add_argument("--name", default="", help="Nom du jeton (ex. « SIG voirie »)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--revoke", metavar="PREFIXE", help="Révoque le jeton de ce préfixe")
        group.add_argument("--list", action="store_true", help="Liste les jetons de l'agent")

    def handle(self, *args, **options) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("Identifiant d'agent vide.")
        if options["revoke"]:
            self._revoke(self._existing_user(username), options["revoke"].strip())
        elif options["list"]:
            self._list(self._existing_user(username))
        else:
            self._create(username, options["name"].strip())

    def _existing_user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Agent « {username} » introuvable.")
        return user

    @transaction.atomic
    def _create(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, role=Role.AGENT)  # unusable password
            audit(None, "user.create", user, {"username": username, "via": "apitoken"})
            self.stderr.write(
                f"Agent « {username} » créé : simple agent, sans service ni mot de passe. "
                "Ajoutez-le à un service (administration) pour qu'il voie des demandes."
            )
        elif not user.is_active:
            self.stderr.write(
                f"Attention : le compte « {username} » est désactivé ; "
                "le jeton sera refusé tant qu'il le restera."
            )
        issued = create_token(user, name)
        self.stderr.write(
            f"Jeton « {issued.token.prefix}… » créé pour {username}. Il n'est affiché qu'une "
            "fois ; conservez-le en lieu sûr (en-tête « Authorization: Bearer <jeton> »)."
        )
        self.stdout.write(issued.secret)

    def _revoke(self, user: User, prefix: str) -> None:
        revoked = revoke_tokens(user, prefix)
        if not revoked:
            raise CommandError(
                f"Aucun jeton actif de « {user.username} » ne commence par « {prefix} »."
            )
        for token in revoked:
            self.stdout.write(f"Jeton « {token.prefix}… » révoqué.")

    def _list(self, user: User) -> None:
        tokens = ApiToken.objects.filter(user=user)
        if not tokens:
            self.stdout.write(f"Aucun jeton pour « {user.username} ».")
        for token in tokens:
            used = token.last_used_at and timezone.localtime(token.last_used_at).isoformat()
            state = (
                f"révoqué le {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}"
                if (token.revoked_at)
                else "actif"
            )
            self.stdout.write(
                f"{token.prefix}…  {token.name or '-'}  créé le "
                f"{timezone.localtime(token.created_at):%Y-%m-%d %H:%M}  "
                f"utilisé : {used or 'jamais'}  {state}"
            )
