"""``civique ingest``: import .eml files, mboxes and Maildir folders into an email channel, or
replay stored events.

    civique ingest FILE [FILE...] [--channel ID] [--jobs N]
    civique ingest --replay [--channel ID] [--state parked|done|all] [--since DATE]

Files go through the same durable intake as IMAP (one InboundEvent per mail, then the pipeline),
so importing the same file twice gives the same messages once. An import first finishes what an
earlier run left pending on the channel (a run killed in the middle of a mail, a failure to
retry), so running it again after an interruption completes the work; in an mbox or a Maildir it
starts again after the last mail recorded as taken in (``ingest.resume``), the mails before
counted as already known. An mbox is read as a stream (``ingest.sources``), its mails parsed
ahead in ``--jobs`` processes (``ingest.parallel``) and stored in the file's order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from civique.channels.models import Channel
from civique.inbox.models import Message
from civique.ingest.actions import (
    EventTooLarge,
    process_event,
    receive_and_process,
    requeue_events,
    take_over_event,
    too_large,
)
from civique.ingest.models import EventState, InboundEvent
from civique.ingest.parallel import Parsed, parse_ahead
from civique.ingest.progressbar import ProgressBar
from civique.ingest.resume import Tracker
from civique.ingest.sources import NotAMailSource, RawMail, Source, open_source, source_mails

REPLAY_STATES = {
    "parked": [EventState.PARKED],
    "done": [EventState.DONE],
    "all": list(EventState.values),
}
REQUEUE_CHUNK = 500
UNFINISHED = [EventState.PENDING, EventState.RETRYING]
MAIL = "message/rfc822"


@dataclass
class Summary:
    """What an import did, each mail counted once."""

    started: datetime
    last_message: int  # messages above this id were created by this run
    new: int = 0
    known: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)
    recovered_events: set[int] = field(default_factory=set)
    counted_messages: set[int] = field(default_factory=set)


class Command(BaseCommand):
    help = _(
        "Importe des courriels (fichiers .eml, boîtes mbox, dossiers Maildir) dans un canal de "
        "courriel, ou rejoue les événements entrants déjà enregistrés (--replay)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="*",
            metavar="FICHIER",
            help=_("fichiers .eml ou .mbox, ou dossiers Maildir"),
        )
        parser.add_argument("--channel", type=int, help=_("numéro du canal"))
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help=_("nombre de processus qui lisent les courriels à l'avance (par défaut : 1)"),
        )
        parser.add_argument(
            "--replay", action="store_true", help=_("rejouer les événements enregistrés")
        )
        parser.add_argument(
            "--state",
            choices=sorted(REPLAY_STATES),
            default="all",
            help=_("événements à rejouer selon leur état (par défaut : tous)"),
        )
        parser.add_argument(
            "--since", help=_("rejouer les événements reçus depuis cette date (AAAA-MM-JJ)")
        )

    def handle(self, *args, **options) -> None:
        if options["replay"]:
            if options["files"]:
                raise CommandError(_("--replay ne prend pas de fichier."))
            self._replay(options["channel"], options["state"], options["since"])
            return
        if not options["files"]:
            raise CommandError(_("Indiquez au moins un fichier .eml ou .mbox, ou --replay."))
        jobs = _jobs(options["jobs"])
        sources = [_source(name) for name in options["files"]]
        channel = _email_channel(options["channel"])
        self._import(channel, sources, jobs)

    # --- Files --------------------------------------------------------------------------------

    def _import(self, channel: Channel, sources: list[Source], jobs: int) -> None:
        summary = Summary(
            started=timezone.now(),
            last_message=Message.objects.aggregate(m=Max("pk"))["m"] or 0,
        )
        self._recover(channel, summary)
        bar = ProgressBar(
            self._draw_progress,
            sum(source.size for source in sources),
            enabled=self.stderr.isatty(),
        )
        for source in sources:
            self._import_source(channel, source, jobs, summary, bar)
        bar.finish()
        self.stdout.write(
            _(
                "%(new)s nouveau(x) message(s), %(known)s déjà connu(s), %(recovered)s repris "
                "d'une exécution précédente, %(errors)s en erreur."
            )
            % {
                "new": summary.new,
                "known": summary.known,
                "recovered": summary.recovered,
                "errors": len(summary.errors),
            }
        )
        for error in summary.errors:
            self.stderr.write(error)

    def _draw_progress(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()

    def _recover(self, channel: Channel, summary: Summary) -> None:
        """Finish, oldest first, the events of the channel an earlier run left unfinished: the
        mail a killed run was on, failures waiting for their retry, mail polled but not yet
        processed. Done before the files, so that a reply comes after the mail it answers."""
        pending = InboundEvent.objects.filter(channel=channel, state__in=UNFINISHED)
        for event_id in list(pending.order_by("received_at", "id").values_list("pk", flat=True)):
            event = _take_over(event_id, summary)
            summary.recovered_events.add(event_id)
            if event.state == EventState.DONE:
                summary.recovered += 1
                summary.counted_messages.update(event.message_ids)
            else:
                summary.errors.append(f"#{event.pk} ({event.external_id}) : {_reason(event)}")

    def _import_source(
        self, channel: Channel, source: Source, jobs: int, summary: Summary, bar: ProgressBar
    ) -> None:
        """Each mail of ``source`` after those an earlier run took in, in order."""
        tracker = Tracker(channel, source)
        position, skipped, skipped_bytes = tracker.start()
        summary.known += skipped
        bar.skip(skipped_bytes)
        mails = source_mails(source, settings.CIVIQUE_MAX_EVENT_BYTES, position)
        limit = settings.CIVIQUE_EVENT_TIME_LIMIT
        try:
            for mail, parsed in parse_ahead(mails, jobs, channel.kind, MAIL, limit):
                self._import_one(channel, mail, parsed, summary)
                tracker.taken(mail)
                # An mbox's bytes include the From lines: the bar reaches the file's size.
                bar.advance(mail.end - position if source.kind == "mbox" else mail.size)
                position = mail.end
        finally:
            tracker.save()

    def _import_one(
        self, channel: Channel, mail: RawMail, parsed: Parsed | None, summary: Summary
    ) -> None:
        label = mail.label
        if mail.raw is None:
            summary.errors.append(f"{label} : {too_large(mail.size)}")
            return
        try:
            # Stored already claimed: no worker takes it while this run processes it.
            received = receive_and_process(channel, mail.raw, MAIL, parsed=parsed)
        except EventTooLarge as exc:
            summary.errors.append(f"{label} : {exc}")
            return
        event = received.event
        if event.pk in summary.recovered_events:
            return  # counted when recovered
        if not received.created and event.state in UNFINISHED:
            event = _take_over(event.pk, summary)  # stored by another process since the start
        if event.state != EventState.DONE:
            summary.errors.append(f"{label} : {_reason(event)}")
            return
        # A mail whose message was stored earlier, by another run or by another mail of this one
        # (the same Message-ID and content), is known; each message is new once.
        created = {pk for pk in event.message_ids if pk > summary.last_message}
        if created - summary.counted_messages:
            summary.new += 1
        else:
            summary.known += 1
        summary.counted_messages.update(event.message_ids)

    # --- Replay -------------------------------------------------------------------------------

    def _replay(self, channel_id: int | None, state: str, since: str | None) -> None:
        events = InboundEvent.objects.filter(state__in=REPLAY_STATES[state])
        if channel_id is not None:
            events = events.filter(channel=_channel(channel_id))
        if since:
            events = events.filter(received_at__gte=_since(since))
        ids = list(events.order_by("received_at", "id").values_list("pk", flat=True))
        for start in range(0, len(ids), REQUEUE_CHUNK):
            requeue_events(InboundEvent.objects.filter(pk__in=ids[start : start + REQUEUE_CHUNK]))
        done, failed = 0, []
        for event_id in ids:
            event = process_event(event_id)
            if event.state == EventState.DONE:
                done += 1
            else:
                failed.append(f"#{event.pk} ({event.external_id}) : {event.last_error}")
        self.stdout.write(
            _("%(n)s événement(s) rejoué(s) : %(done)s traité(s), %(failed)s en erreur.")
            % {"n": len(ids), "done": done, "failed": len(failed)}
        )
        for line in failed:
            self.stderr.write(line)


def _take_over(event_id: int, summary: Summary) -> InboundEvent:
    taken = take_over_event(event_id, claimed_before=summary.started)
    return taken or InboundEvent.objects.get(pk=event_id)


def _reason(event: InboundEvent) -> str:
    """Why ``event`` is not done, never empty."""
    if event.last_error:
        return event.last_error
    if event.state in UNFINISHED:
        return _(
            "En cours de traitement par un autre processus (worker ou autre import) : "
            "relancez la commande s'il reste en attente."
        )
    return _("Échec sans message d'erreur (état : %(state)s).") % {
        "state": event.get_state_display()
    }


def _source(name: str) -> Source:
    path = Path(name)
    if not path.exists():
        raise CommandError(_("Fichier introuvable : %(path)s") % {"path": name})
    try:
        return open_source(path)
    except NotAMailSource as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(
            _("Lecture impossible de %(path)s : %(error)s")
            % {"path": name, "error": exc.strerror or exc}
        ) from None


def _jobs(value: int) -> int:
    highest = (os.cpu_count() or 1) * 4
    if not 1 <= value <= highest:
        raise CommandError(
            _("--jobs va de 1 à %(max)s (4 par cœur de cette machine) ; reçu : %(value)s.")
            % {"max": highest, "value": value}
        )
    return value


def _channel(channel_id: int) -> Channel:
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise CommandError(_("Canal n°%(id)s introuvable.") % {"id": channel_id})
    return channel


def _email_channel(channel_id: int | None) -> Channel:
    if channel_id is None:
        # Importing files needs no mailbox server: an inactive email channel will do.
        channel = Channel.objects.filter(kind="email").order_by("-is_active", "pk").first()
        if channel is None:
            raise CommandError(_("Aucun canal de courriel : indiquez --channel."))
        return channel
    channel = _channel(channel_id)
    if channel.kind != "email":
        raise CommandError(
            _("Le canal « %(name)s » (n°%(id)s) n'est pas un canal de courriel.")
            % {"name": channel.name, "id": channel.pk}
        )
    return channel


def _since(raw: str) -> datetime:
    try:
        value = parse_datetime(raw)
        day = parse_date(raw) if value is None else None
    except ValueError:
        value = day = None
    if value is None:
        if day is None:
            raise CommandError(
                _("Date illisible : %(v)s (attendu AAAA-MM-JJ ou AAAA-MM-JJTHH:MM).") % {"v": raw}
            )
        value = datetime.combine(day, time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
