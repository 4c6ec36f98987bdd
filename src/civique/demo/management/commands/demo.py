"""``civique demo``: load the fictional commune of Valmont and its past six weeks of exchanges."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from civique.channels.models import Channel
from civique.core.models import Role, Team
from civique.demo.commune import (
    Commune,
    DemoAgent,
    create_commune,
    load_commune,
    reset_passwords,
)
from civique.demo.generator import generate
from civique.demo.knowledge_base import load_knowledge_base
from civique.demo.models import DemoLoad
from civique.demo.moderation import add_moderation
from civique.demo.networks import NETWORKS, add_networks
from civique.demo.satisfaction import add_surveys
from civique.demo.simulate import SIMULATORS
from civique.inbox.clocks import recompute
from civique.inbox.models import Conversation
from civique.ingest.models import InboundEvent

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
    simulated = Channel.objects.filter(kind__in=SIMULATORS).order_by("pk")
    if simulated:
        lines.append(
            "Pour voir arriver des commentaires et des messages des réseaux sociaux pendant que "
            "Civique tourne, dans un autre terminal :"
        )
        lines += [f"  civique simulate {c.kind} --channel {c.pk}" for c in simulated]
        lines.append("")
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


RESET_HINT = (
    "Pour repartir de zéro (profil embarqué) : arrêtez Civique, supprimez le dossier var "
    "(« rm -r var ») puis relancez « make run »."
)


def interrupted_text() -> str:
    return (
        "Chargement de la démo interrompu. Vos identifiants sont déjà dans "
        f"{credentials_path()}. Relancez « make run » (ou « civique setup ») : le chargement "
        f"reprendra là où il s'est arrêté. {RESET_HINT}"
    )


def recompute_all_clocks() -> None:
    """The demo dates its rows after writing them: count the clocks and commitments again at
    their final dates, so the inbox and the API show real due times."""
    for pk in list(Conversation.objects.values_list("pk", flat=True)):
        with transaction.atomic():
            recompute(Conversation.objects.select_related("channel", "team").get(pk=pk))


class Command(BaseCommand):
    help = (
        "Charge la commune fictive de Valmont : services, thèmes, canaux, agents et quelques "
        "centaines de demandes des six dernières semaines. Uniquement dans une base vide ; "
        "--resume termine un chargement interrompu."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--conversations", type=int, default=300, help="Nombre de demandes (300)."
        )
        parser.add_argument("--seed", type=int, default=42, help="Graine du hasard (42).")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Termine un chargement interrompu (ce que fait « civique setup »).",
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        if options["resume"]:
            load, commune, missing, first_id = self.prepare_resume()
        else:
            load, commune = self.start_load(options["conversations"], options["seed"])
            missing, first_id = load.conversations, 0
        try:
            # The demo's past is played without automatic acknowledgements nor satisfaction
            # surveys (they would leave as a burst of old mail on the first start); its clocks
            # are recomputed at the end, and a few answered surveys added (demo/satisfaction.py).
            with override_settings(
                CIVIQUE_AUTO_ACKNOWLEDGE=False, CIVIQUE_SATISFACTION_SURVEY=False
            ):
                stats = generate(commune, missing, load.seed + first_id, first_id=first_id)
                social = add_networks(commune, load.seed, timezone.now())
                with transaction.atomic():
                    moderated = add_moderation(commune, load.seed, timezone.now())
            with transaction.atomic():
                add_surveys(load.seed, timezone.now())
            recompute_all_clocks()
            knowledge = load_knowledge_base()
        except KeyboardInterrupt:
            # Ctrl-C: the commune and the credentials are kept; say how to go on, no traceback.
            raise CommandError(interrupted_text(), returncode=130) from None
        except Exception:
            self.stderr.write(interrupted_text())
            raise
        load.completed_at = timezone.now()
        load.save(update_fields=["completed_at"])
        summary = ", ".join(f"{kind} {n}" for kind, n in sorted(stats.items()))
        networks = "".join(f", et {n} sur {kind}" for kind, n in sorted(social.items()))
        networks += (
            f" ; base de connaissances : {knowledge['articles']} fiches, "
            f"{knowledge['templates']} réponses types, {knowledge['institutions']} organismes"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo chargée en {time.monotonic() - started:.1f} s : {missing} demandes "
                f"({summary or 'aucune'}){networks}, et {moderated} commentaires à modérer."
            )
        )
        self.stdout.write(credentials_path().read_text(encoding="utf-8"))

    def start_load(self, count: int, seed: int) -> tuple[DemoLoad, Commune]:
        """Create the commune and its agents, then write their credentials at once, before the
        long generation: an interruption never loses the passwords."""
        if count < 0:
            raise CommandError("--conversations doit être positif.")
        load = DemoLoad.objects.first()
        if load is not None and not load.is_complete:
            raise CommandError(
                "Un chargement de la démo a été interrompu : « civique demo --resume » (ou "
                f"« civique setup ») le termine. {RESET_HINT}"
            )
        if load is not None or Team.objects.exists():
            raise CommandError(
                "La démo ne se charge que dans une base vide : des services existent déjà. "
                "Pour repartir de zéro, supprimez la base (par exemple var/civique.sqlite3) "
                "puis relancez « civique setup »."
            )
        self.stdout.write("Chargement de la démo « Ville de Valmont »…")
        with transaction.atomic():
            commune = create_commune()
            load = DemoLoad.objects.create(conversations=count, seed=seed)
        path = write_credentials(credentials_text(commune.credentials))
        self.stdout.write(f"Identifiants de démonstration enregistrés dans {path}.")
        return load, commune

    def prepare_resume(self) -> tuple[DemoLoad, Commune, int, int]:
        """The interrupted load, the commune it left, how many conversations are missing, and
        the first free demo id. New passwords only if the credentials file was lost."""
        load = DemoLoad.objects.first()
        if load is None or load.is_complete:
            raise CommandError("Aucun chargement de la démo à reprendre.")
        credentials = []
        if not credentials_path().exists():
            with transaction.atomic():
                credentials = reset_passwords()
            write_credentials(credentials_text(credentials))
            self.stdout.write(
                f"Identifiants perdus : nouveaux mots de passe dans {credentials_path()}."
            )
        commune = load_commune(credentials)
        # The social networks are played apart, after the others (``add_networks``).
        done = Conversation.objects.exclude(channel__kind__in=NETWORKS).count()
        missing = max(0, load.conversations - done)
        first_id = InboundEvent.objects.aggregate(top=Max("pk"))["top"] or 0
        self.stdout.write(
            f"Reprise du chargement de la démo : {done} demandes déjà là, {missing} à écrire…"
        )
        return load, commune, missing, first_id
