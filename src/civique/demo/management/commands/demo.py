"""``civique demo``: load the fictional commune of Valmont and its past six weeks of exchanges."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from civique.core.models import Role, Team
from civique.demo.commune import DemoAgent, create_commune
from civique.demo.generator import generate

ROLE_LABELS = {
    Role.ADMINISTRATOR: "Administratrice",
    Role.SUPERVISOR: "Superviseur",
    Role.AGENT: "Agente",
}


def credentials_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.txt"


def credentials_text(credentials: list[DemoAgent]) -> str:
    lines = [
        "Identifiants de démonstration : Ville de Valmont",
        f"Adresse : {settings.SITE_URL}/",
        "",
    ]
    for spec in credentials:
        teams = f"  ({', '.join(spec.teams)})" if spec.teams else "  (tous les services)"
        lines.append(
            f"  {ROLE_LABELS[spec.role]:<16} identifiant : {spec.username:<12} "
            f"mot de passe : {spec.password}{teams}"
        )
    lines += [
        "",
        f"Ces identifiants sont aussi dans {credentials_path()} (lisible par vous seul).",
        "",
    ]
    return "\n".join(lines)


def write_credentials(text: str) -> Path:
    """Write the file readable by its owner only (0600), replacing an older one."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


class Command(BaseCommand):
    help = (
        "Charge la commune fictive de Valmont : services, thèmes, canaux, agents et quelques "
        "centaines de demandes des six dernières semaines. Uniquement dans une base vide."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--conversations", type=int, default=300, help="Nombre de demandes (300)."
        )
        parser.add_argument("--seed", type=int, default=42, help="Graine du hasard (42).")

    def handle(self, *args, **options) -> None:
        count = options["conversations"]
        if count < 0:
            raise CommandError("--conversations doit être positif.")
        if Team.objects.exists():
            raise CommandError(
                "La démo ne se charge que dans une base vide : des services existent déjà. "
                "Pour repartir de zéro, supprimez la base (par exemple var/civique.sqlite3) "
                "puis relancez « civique setup »."
            )
        started = time.monotonic()
        self.stdout.write("Chargement de la démo « Ville de Valmont »…")
        with transaction.atomic():
            commune = create_commune()
        stats = generate(commune, count, options["seed"])
        text = credentials_text(commune.credentials)
        write_credentials(text)
        summary = ", ".join(f"{kind} {n}" for kind, n in sorted(stats.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo chargée en {time.monotonic() - started:.1f} s : {count} demandes "
                f"({summary or 'aucune'})."
            )
        )
        self.stdout.write(text)
