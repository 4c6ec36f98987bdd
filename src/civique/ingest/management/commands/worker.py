"""``civique worker``: the task worker and its scheduler, in one process."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from civique.ingest.scheduler import Scheduler


class Command(BaseCommand):
    help = "Lance le worker de tâches et son planificateur (relève, balayages, battement de cœur)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Sans planificateur.")
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args, **options) -> None:
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = Scheduler()
            scheduler.start()
        if settings.TASKS_BACKEND == "rq":
            call_command(
                "rqworker",
                "default",
                "--with-scheduler",
                "--job-class",
                "django_tasks_rq.backend.Job",
            )
        else:
            from django_tasks_db.management.commands.db_worker import Worker

            worker = Worker(
                queue_names=["default"],
                interval=options["interval"],
                batch=False,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=get_random_string(32),
                excluded_queue_names=[],
            )
            worker.configure_signals()
            worker.run()
        if scheduler is not None:
            scheduler.stopping.set()
