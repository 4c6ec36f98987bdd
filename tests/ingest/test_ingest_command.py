"""``civique ingest``: .eml and .mbox files into an email channel, and replays of stored events."""

from __future__ import annotations

import io
import mailbox
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from civique.channels.models import Channel
from civique.inbox.models import Conversation, Message
from civique.ingest.actions import receive_event
from civique.ingest.models import EventState, InboundEvent
from tests.channels.mail import FIXTURES, mail


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def summary(new: int, known: int, recovered: int, errors: int) -> str:
    return (
        f"{new} nouveau(x) message(s), {known} déjà connu(s), {recovered} repris d'une "
        f"exécution précédente, {errors} en erreur."
    )


def fixture(name: str) -> str:
    return str(FIXTURES / name)


@pytest.fixture
def mbox_file(tmp_path) -> Path:
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(path)
    for n in (1, 2, 3):
        box.add(mail(subject=f"Demande {n}", message_id=f"<mbox-{n}@orange.fr>"))
    box.flush()
    box.close()
    return path


def test_it_imports_eml_files_into_messages(email_channel):
    out, err = run(
        fixture("depot-sauvage-windows-1252.eml"),
        fixture("iphone-photo-et-pdf.eml"),
        "--channel",
        str(email_channel.pk),
    )
    assert out.strip() == summary(2, 0, 0, 0)
    assert err == ""
    assert Message.objects.filter(channel=email_channel).count() == 2
    assert InboundEvent.objects.filter(state=EventState.DONE).count() == 2


def test_importing_the_same_file_twice_gives_one_message(email_channel):
    run(fixture("depot-sauvage-windows-1252.eml"))
    out, _err = run(fixture("depot-sauvage-windows-1252.eml"))
    assert out.strip() == summary(0, 1, 0, 0)
    assert Message.objects.count() == 1


def test_it_imports_each_message_of_an_mbox(email_channel, mbox_file):
    out, _err = run(str(mbox_file))
    assert out.startswith("3 nouveau(x) message(s)")
    subjects = sorted(Message.objects.values_list("subject", flat=True))
    assert subjects == ["Demande 1", "Demande 2", "Demande 3"]


def test_an_mbox_is_recognised_without_its_extension(email_channel, mbox_file, tmp_path):
    renamed = tmp_path / "archive.txt"
    shutil.copy(mbox_file, renamed)
    out, _err = run(str(renamed))
    assert out.startswith("3 nouveau(x) message(s)")


def test_a_file_that_is_not_an_email_is_reported_and_parked(email_channel, tmp_path):
    junk = tmp_path / "notes.eml"
    junk.write_bytes(b"Liste de courses : pain, lait.\n")
    out, err = run(str(junk), fixture("sans-date-ni-objet.eml"))
    assert out.strip() == summary(1, 0, 0, 1)
    assert f"{junk} : Ce contenu n'est pas un courriel" in err
    assert InboundEvent.objects.get(state=EventState.PARKED).payload is not None


def test_it_uses_the_first_active_email_channel_by_default(team):
    Channel.objects.create(kind="email", name="ancienne boîte", team=team, is_active=False)
    active = Channel.objects.create(kind="email", name="contact", team=team)
    Channel.objects.create(kind="email", name="seconde", team=team)
    run(fixture("sans-date-ni-objet.eml"))
    assert Message.objects.get().channel == active


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["/nulle/part.eml"], "Fichier introuvable : /nulle/part.eml"),
        (["{eml}", "--channel", "999"], "Canal n°999 introuvable."),
        (["{eml}", "--channel", "{webform}"], "n'est pas un canal de courriel"),
        ([], "Indiquez au moins un fichier"),
        (["{eml}", "--replay"], "--replay ne prend pas de fichier"),
        (["--replay", "--since", "hier"], "Date illisible"),
        (["--replay", "--since", "2025-13-45"], "Date illisible"),
    ],
)
def test_it_explains_what_is_wrong(email_channel, webform_channel, args, error):
    values = {"eml": fixture("sans-date-ni-objet.eml"), "webform": webform_channel.pk}
    with pytest.raises(CommandError, match=error):
        run(*[a.format(**values) for a in args])
    assert InboundEvent.objects.count() == 0


def test_without_an_email_channel_it_asks_for_one(webform_channel):
    with pytest.raises(CommandError, match="Aucun canal de courriel"):
        run(fixture("sans-date-ni-objet.eml"))


def test_files_go_to_an_inactive_email_channel_when_no_mailbox_is_polled(email_channel):
    email_channel.is_active = False
    email_channel.save()
    run(fixture("sans-date-ni-objet.eml"))
    assert InboundEvent.objects.get().channel == email_channel


def test_mails_repeating_a_message_id_are_counted_as_known(email_channel, tmp_path):
    path = tmp_path / "doublons.mbox"
    box = mailbox.mbox(path)
    for n in range(1, 24):
        box.add(mail(subject=f"Demande {n}", message_id=f"<d-{n}@orange.fr>"))
    for n in (4, 9):
        # The same mail again through another relay: other bytes, the same message.
        copy = mail(subject=f"Demande {n}", message_id=f"<d-{n}@orange.fr>")
        box.add(b"Received: from relais.example by mx.valmont.example\r\n" + copy)
    box.flush()
    box.close()
    out, err = run(str(path))
    assert (out.strip(), err) == (summary(23, 2, 0, 0), "")
    assert Message.objects.count() == 23
    assert InboundEvent.objects.count() == 25


def test_an_import_finishes_the_mail_an_interrupted_run_was_on(email_channel, mbox_file):
    # What a run killed in the middle of its first mail leaves: the event stored and claimed,
    # its backoff not over, no message.
    first = mailbox.mbox(mbox_file).get_bytes(0)
    left = receive_event(email_channel, first, "message/rfc822", enqueue=False, claimed=True).event
    assert left.next_attempt_at > timezone.now()
    out, err = run(str(mbox_file))
    assert (out.strip(), err) == (summary(2, 0, 1, 0), "")
    assert InboundEvent.objects.get(pk=left.pk).state == EventState.DONE
    assert Message.objects.count() == 3
    out, err = run(str(mbox_file))
    assert (out.strip(), err) == (summary(0, 3, 0, 0), "")


def test_an_import_retries_what_failed_and_reports_each_failure_with_its_reason(
    email_channel, tmp_path
):
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"pas un courriel\n")
    waiting = receive_event(email_channel, mail(), "message/rfc822", enqueue=False).event
    InboundEvent.objects.filter(pk=waiting.pk).update(
        state=EventState.RETRYING, attempts=1, last_error="OperationalError: database is locked"
    )
    out, err = run(str(junk))
    assert out.strip() == summary(0, 0, 1, 1)
    assert err == f"{junk} : Ce contenu n'est pas un courriel (aucun en-tête de message).\n"


def test_an_event_interrupted_at_every_attempt_is_parked_with_its_reason(
    email_channel, mbox_file, settings
):
    first = mailbox.mbox(mbox_file).get_bytes(0)
    left = receive_event(email_channel, first, "message/rfc822", enqueue=False, claimed=True).event
    InboundEvent.objects.filter(pk=left.pk).update(attempts=settings.CIVIQUE_MAX_ATTEMPTS)
    out, err = run(str(mbox_file))
    assert out.strip() == summary(2, 0, 0, 1)
    reason = "Traitement interrompu à chaque tentative (arrêt du processus)."
    assert err == f"#{left.pk} ({left.external_id}) : {reason}\n"


# --- Replay -----------------------------------------------------------------------------------


def test_replaying_twice_gives_the_same_messages(email_channel, mbox_file):
    run(str(mbox_file), fixture("iphone-photo-et-pdf.eml"))
    before = list(Message.objects.order_by("id").values_list("id", "conversation_id"))
    out, _err = run("--replay")
    assert out.strip() == "4 événement(s) rejoué(s) : 4 traité(s), 0 en erreur."
    run("--replay", "--channel", str(email_channel.pk))
    assert list(Message.objects.order_by("id").values_list("id", "conversation_id")) == before
    assert Conversation.objects.count() == 4
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {EventState.DONE}


def test_a_replayed_event_whose_message_was_lost_recreates_it(email_channel):
    run(fixture("sans-date-ni-objet.eml"))
    Message.objects.all().delete()
    run("--replay")
    assert Message.objects.get().external_id == (
        "<5f2c9e1a-3b7d-4e0a-9c1b-d2e3f4a5b6c7@laposte.net>"
    )


def test_replay_can_be_limited_to_parked_events(email_channel, tmp_path):
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"pas un courriel\n")
    run(str(junk), fixture("sans-date-ni-objet.eml"))
    done = InboundEvent.objects.get(state=EventState.DONE)
    out, err = run("--replay", "--state", "parked")
    assert out.strip() == "1 événement(s) rejoué(s) : 0 traité(s), 1 en erreur."
    assert "Ce contenu n'est pas un courriel" in err
    done_after = InboundEvent.objects.get(pk=done.pk)
    assert done_after.processed_at == done.processed_at  # untouched


def test_replay_can_be_limited_by_date(email_channel):
    run(fixture("sans-date-ni-objet.eml"))
    out, _err = run("--replay", "--since", "2999-01-01")
    assert out.startswith("0 événement(s) rejoué(s)")
    out, _err = run("--replay", "--since", "2000-01-01T00:00")
    assert out.startswith("1 événement(s) rejoué(s)")
