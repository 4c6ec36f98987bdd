"""Big imports with ``civique ingest``: mbox read as a stream (quoting, CRLF, edges), Maildir
folders, resuming after an interruption (SIGKILL included), parsing in several processes, and
the progress line."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civique.inbox.models import Message
from civique.ingest.models import EventState, ImportProgress, InboundEvent
from civique.ingest.progressbar import duration, render_progress
from civique.ingest.sources import LINE_CHUNK, maildir_mails, mbox_mails
from tests.channels.mail import mail
from tests.ingest.procs import civique, counts, fetch, wait_for
from tests.ingest.test_ingest_command import summary

FROM_LINE = b"From renee.lefevre@orange.fr Wed Jan 22 10:00:00 2025\n"


def run(*args: str, stderr: io.StringIO | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), stderr or io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def lf_mail(n: int, body: str = "Bonjour,\nune question.\n") -> bytes:
    return mail(subject=f"Demande {n}", message_id=f"<big-{n}@orange.fr>", body=body).replace(
        b"\r\n", b"\n"
    )


def write_mbox(path: Path, mails: list[bytes], separator: bytes = b"\n") -> Path:
    """An mbox as writers make it: a From line, the mail, an empty line."""
    with path.open("wb") as handle:
        for raw in mails:
            handle.write(FROM_LINE.replace(b"\n", separator) + raw + separator)
    return path


def raws(path: Path, max_bytes: int = 10**9, start: int = 0) -> list[bytes | None]:
    return [m.raw for m in mbox_mails(path, max_bytes, start)]


# --- Reading an mbox ---------------------------------------------------------------------------


def test_quoted_from_lines_lose_one_quote(tmp_path):
    body = "Bonjour,\n>From the start.\n>>From quoted twice.\nFrom here\n"
    written = (
        lf_mail(1, body)
        .replace(b">From the", b">>From the")
        .replace(b">>From quoted", b">>>From quoted")
    )
    # "From here" quoted as a writer must: ">From here".
    written = written.replace(b"\nFrom here", b"\n>From here")
    path = write_mbox(tmp_path / "quoted.mbox", [written, lf_mail(2)])
    first, second = raws(path)
    assert b"\n>From the start.\n>>From quoted twice.\nFrom here\n" in first
    assert second == lf_mail(2)


def test_a_crlf_mbox_gives_each_mail_with_its_own_line_ends(tmp_path):
    mails = [mail(subject=f"Demande {n}", message_id=f"<crlf-{n}@orange.fr>") for n in (1, 2, 3)]
    path = write_mbox(tmp_path / "crlf.mbox", mails, separator=b"\r\n")
    assert raws(path) == mails


def test_a_last_mail_without_a_final_line_end_is_read_whole(tmp_path):
    path = tmp_path / "abrupt.mbox"
    path.write_bytes(FROM_LINE + lf_mail(1) + b"\n" + FROM_LINE + lf_mail(2).rstrip(b"\n"))
    assert raws(path) == [lf_mail(1), lf_mail(2).rstrip(b"\n")]


def test_a_from_inside_a_very_long_line_does_not_start_a_mail(tmp_path):
    long_line = b"x" * LINE_CHUNK + b"From nowhere, still the same line.\n"
    path = write_mbox(tmp_path / "long.mbox", [lf_mail(1) + long_line, lf_mail(2)])
    first, second = raws(path)
    assert first.endswith(long_line)
    assert second == lf_mail(2)


def test_reading_from_a_mails_end_gives_the_mails_after_it(tmp_path):
    path = write_mbox(tmp_path / "suite.mbox", [lf_mail(n) for n in range(5)])
    ends = [m.end for m in mbox_mails(path, 10**9)]
    assert ends[-1] == path.stat().st_size
    assert raws(path, start=ends[1]) == [lf_mail(n) for n in (2, 3, 4)]


def test_a_mail_over_the_limit_is_measured_without_being_kept(tmp_path):
    huge = lf_mail(1, body="Pièce jointe.\n" + ("A" * 75 + "\n") * 100_000)  # 7.6 MB
    path = write_mbox(tmp_path / "lourd.mbox", [huge, lf_mail(2)])
    tracemalloc.start()
    try:
        found = [(m.raw, m.size) for m in mbox_mails(path, 100_000)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == [(None, len(huge)), (lf_mail(2), len(lf_mail(2)))]
    assert peak < 1_000_000


def test_an_mbox_of_many_mails_is_read_in_memory_that_does_not_grow_with_it(tmp_path):
    small = write_mbox(tmp_path / "petit.mbox", [lf_mail(n) for n in range(500)])
    large = write_mbox(tmp_path / "grand.mbox", [lf_mail(n) for n in range(4000)])

    def peak(path: Path) -> int:
        tracemalloc.start()
        try:
            for _mail in mbox_mails(path, 10**9):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak(large) < 2 * peak(small) + 50_000


# --- The command on an mbox --------------------------------------------------------------------


def test_it_imports_a_quoted_crlf_mbox(email_channel, tmp_path):
    quoted = mail(subject="Cité", message_id="<cite@orange.fr>", body="Voir :\n>From Paris.\n")
    path = write_mbox(tmp_path / "boite.mbox", [quoted, mail()], separator=b"\r\n")
    out, err = run(str(path))
    assert (out.strip(), err) == (summary(2, 0, 0, 0), "")
    cite = Message.objects.get(subject="Cité")
    assert "From Paris." in cite.text and ">From" not in cite.text


def test_an_empty_mbox_imports_nothing(email_channel, tmp_path):
    path = tmp_path / "vide.mbox"
    path.write_bytes(b"")
    out, err = run(str(path))
    assert (out.strip(), err) == (summary(0, 0, 0, 0), "")


def test_a_file_named_mbox_that_is_not_one_is_refused_before_anything_is_read(
    email_channel, tmp_path
):
    path = tmp_path / "notes.mbox"
    path.write_bytes(b"Liste de courses : pain, lait.\n")
    with pytest.raises(CommandError, match=r"notes\.mbox n'est pas une boîte mbox"):
        run(str(path))
    assert InboundEvent.objects.count() == 0


def test_a_mail_too_large_is_reported_and_the_next_ones_imported(email_channel, tmp_path, settings):
    settings.CIVIQUE_MAX_EVENT_BYTES = 5_000
    huge = lf_mail(1, body="x" * 10_000 + "\n")
    path = write_mbox(tmp_path / "lourd.mbox", [huge, lf_mail(2)])
    out, err = run(str(path))
    assert out.strip() == summary(1, 0, 0, 1)
    assert (
        err
        == f"{path} (n°1) : Contenu de {len(huge)} octets, au-delà de la limite de 5000 octets.\n"
    )


# --- Maildir -----------------------------------------------------------------------------------


def make_maildir(root: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    return root


def deliver(folder: Path, sub: str, name: str, raw: bytes) -> Path:
    path = folder / sub / name
    path.write_bytes(raw)
    return path


def test_a_maildir_is_read_from_cur_and_new_but_not_tmp(email_channel, tmp_path):
    box = make_maildir(tmp_path / "Maildir")
    deliver(box, "cur", "1700000001.M1P1.mx:2,S", mail(subject="Lu", message_id="<lu@o.fr>"))
    deliver(box, "new", "1700000002.M2P1.mx", mail(subject="Nouveau", message_id="<nv@o.fr>"))
    deliver(box, "tmp", "1700000003.M3P1.mx", mail(subject="En cours", message_id="<tmp@o.fr>"))
    deliver(box, "new", ".cache", b"pas un courriel")
    out, err = run(str(box))
    assert (out.strip(), err) == (summary(2, 0, 0, 0), "")
    assert sorted(Message.objects.values_list("subject", flat=True)) == ["Lu", "Nouveau"]


def test_a_maildir_mail_moved_or_deleted_while_importing_is_followed_or_skipped(tmp_path):
    box = make_maildir(tmp_path / "Maildir")
    for n in range(3):
        deliver(box, "new", f"170000000{n}.M{n}P1.mx", lf_mail(n))
    mails = maildir_mails(box, 10**9)
    assert next(mails).raw == lf_mail(0)
    # A mail client reads the second one and deletes the third meanwhile.
    (box / "new" / "1700000001.M1P1.mx").rename(box / "cur" / "1700000001.M1P1.mx:2,S")
    (box / "new" / "1700000002.M2P1.mx").unlink()
    assert [(m.label, m.raw, m.end) for m in mails] == [
        (str(box / "cur" / "1700000001.M1P1.mx:2,S"), lf_mail(1), 2)
    ]


def test_a_folder_that_is_not_a_maildir_is_refused_in_french(email_channel, tmp_path):
    folder = tmp_path / "Documents"
    folder.mkdir()
    with pytest.raises(CommandError, match="pas un dossier Maildir"):
        run(str(folder))


def test_a_maildir_import_resumes_after_the_mails_already_taken_in(email_channel, tmp_path):
    box = make_maildir(tmp_path / "Maildir")
    for n in range(3):
        deliver(box, "new", f"170000000{n}.M{n}P1.mx", lf_mail(n))
    run(str(box))
    # Read by a mail client since (moved to cur/ with flags), and one more delivered.
    (box / "new" / "1700000000.M0P1.mx").rename(box / "cur" / "1700000000.M0P1.mx:2,S")
    deliver(box, "new", "1700000009.M9P1.mx", lf_mail(9))
    Message.objects.all().delete()  # what the skipped mails would bring back if read again
    out, err = run(str(box))
    assert (out.strip(), err) == (summary(1, 3, 0, 0), "")
    assert list(Message.objects.values_list("subject", flat=True)) == ["Demande 9"]


# --- Resuming an mbox --------------------------------------------------------------------------


def test_an_mbox_import_resumes_after_the_last_mail_it_recorded(email_channel, tmp_path):
    path = write_mbox(tmp_path / "archive.mbox", [lf_mail(n) for n in range(4)])
    run(str(path))
    progress = ImportProgress.objects.get()
    assert (progress.position, progress.mails) == (path.stat().st_size, 4)
    with path.open("ab") as handle:  # the mailbox grew since
        handle.write(FROM_LINE + lf_mail(4) + b"\n")
    Message.objects.all().delete()  # what the skipped mails would bring back if read again
    out, err = run(str(path))
    assert (out.strip(), err) == (summary(1, 4, 0, 0), "")
    assert list(Message.objects.values_list("subject", flat=True)) == ["Demande 4"]


def test_an_mbox_rewritten_since_is_read_again_from_its_start(email_channel, tmp_path):
    path = write_mbox(tmp_path / "archive.mbox", [lf_mail(n) for n in range(4)])
    run(str(path))
    write_mbox(path, [lf_mail(n) for n in (0, 2, 3, 5, 6)])  # one removed, two added
    out, err = run(str(path))
    assert (out.strip(), err) == (summary(2, 3, 0, 0), "")
    assert Message.objects.count() == 6


# --- Several processes -------------------------------------------------------------------------


def test_two_jobs_give_the_same_messages_as_one(team, tmp_path):
    from civique.channels.models import Channel

    one = Channel.objects.create(kind="email", name="un@valmont.example", team=team)
    two = Channel.objects.create(kind="email", name="deux@valmont.example", team=team)
    mails = [lf_mail(n) for n in range(12)]
    mails.insert(5, b"Ceci n'est pas un courriel.\n")
    mails.append(
        mail(
            subject="Re: Demande 3",
            message_id="<re-3@orange.fr>",
            extra="In-Reply-To: <big-3@orange.fr>\n",
        )
    )
    path = write_mbox(tmp_path / "archive.mbox", mails)

    def imported(channel, jobs: str) -> tuple:
        out, err = run(str(path), "--channel", str(channel.pk), "--jobs", jobs)
        messages = Message.objects.filter(channel=channel).order_by("id")
        rows = list(messages.values_list("external_id", "subject", "text", "author_name"))
        threads = [m.conversation.messages.order_by("id").first().external_id for m in messages]
        parked = list(
            InboundEvent.objects.filter(channel=channel, state=EventState.PARKED).values_list(
                "last_error", flat=True
            )
        )
        return out, err, rows, threads, parked

    first, second = imported(one, "1"), imported(two, "2")
    assert first == second
    assert first[0].strip() == summary(13, 0, 0, 1)
    assert first[3][-1] == "<big-3@orange.fr>"  # the reply in its parent's conversation


@pytest.mark.parametrize("jobs", ["0", "-2", str((os.cpu_count() or 1) * 4 + 1), "deux"])
def test_an_impossible_number_of_jobs_is_refused(email_channel, tmp_path, jobs):
    path = write_mbox(tmp_path / "archive.mbox", [lf_mail(1)])
    with pytest.raises(CommandError, match="--jobs"):
        run(str(path), "--jobs", jobs)
    assert InboundEvent.objects.count() == 0


# --- Progress ----------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_and_ends_its_line(email_channel, tmp_path):
    path = write_mbox(tmp_path / "archive.mbox", [lf_mail(n) for n in range(3)])
    out, err = run(str(path), stderr=Terminal())
    assert out.strip() == summary(3, 0, 0, 0)
    *draws, last = err.split("\r")[1:]
    assert all(draw.startswith("[") and draw.endswith(" s\x1b[K") for draw in draws)
    assert last.startswith("[####################] 100 %  3 courriel(s)  ")
    assert last.endswith("reste 0 s\x1b[K\n")


def test_nothing_but_the_summary_is_written_when_not_on_a_terminal(email_channel, tmp_path):
    path = write_mbox(tmp_path / "archive.mbox", [lf_mail(n) for n in range(3)])
    out, err = run(str(path))
    assert (out, err) == (summary(3, 0, 0, 0) + "\n", "")


@pytest.mark.parametrize(
    ("state", "line"),
    [
        (
            {"mails": 100, "done_bytes": 50, "total_bytes": 100, "skipped_bytes": 0, "elapsed": 10},
            "[##########----------]  50 %  100 courriel(s)  10.0 courriels/s  reste 10 s",
        ),
        (  # half the bytes read by an earlier run: the time left counts this run's rate only
            {
                "mails": 12_345,
                "done_bytes": 75,
                "total_bytes": 100,
                "skipped_bytes": 50,
                "elapsed": 600,
            },
            "[###############-----]  75 %  12\u202f345 courriel(s)  20.6 courriels/s  "
            "reste 10 min 00 s",
        ),
        (
            {"mails": 0, "done_bytes": 0, "total_bytes": 100, "skipped_bytes": 0, "elapsed": 0},
            "[--------------------]   0 %  0 courriel(s)  reste —",
        ),
        (
            {"mails": 0, "done_bytes": 0, "total_bytes": 0, "skipped_bytes": 0, "elapsed": 1},
            "[####################] 100 %  0 courriel(s)  reste —",
        ),
    ],
)
def test_the_progress_line_shows_share_count_rate_and_time_left(state, line):
    assert render_progress(**state) == line


def test_durations_read_in_french():
    assert [duration(s) for s in (0, 12.4, 245, 3720, -3)] == [
        "0 s",
        "12 s",
        "4 min 05 s",
        "1 h 02 min",
        "0 s",
    ]


# --- Killed with SIGKILL -----------------------------------------------------------------------

KILL_MAILS = 200


def processes_reading(path: str) -> list[int]:
    """Live processes whose command line names ``path``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if path.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


PROGRESS = "SELECT COALESCE(MAX(mails), 0) FROM ingest_importprogress"


def test_an_import_killed_after_recording_progress_resumes_without_duplicates(ingest_env, tmp_path):
    env = ingest_env
    # Enough mails that the import still runs when it first records its progress (after 1 s).
    mails = [lf_mail(n) for n in range(KILL_MAILS)]
    path = str(write_mbox(tmp_path / "archive.mbox", mails))
    process = subprocess.Popen(
        [sys.executable, "-m", "civique.cli", "ingest", path, "--jobs", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: fetch(env, PROGRESS)[0] > 0, timeout=120)
        assert process.poll() is None, "the import ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    try:
        # Its parsing processes died with it (orphans would keep its database session open).
        wait_for(lambda: not processes_reading(path), timeout=10)
    finally:
        for pid in processes_reading(path):  # left by a failure: not for the next tests
            os.kill(pid, signal.SIGKILL)
    recorded = fetch(env, PROGRESS)[0]
    done, _messages, _distinct = counts(env)
    assert 0 < recorded <= done < KILL_MAILS, "the kill must land in the middle of the import"

    again = civique(env, "ingest", path)
    new, known, recovered, errors = (int(n) for n in re.findall(r"\d+", again.stdout))
    assert (errors, again.stderr) == (0, "")
    assert new + known + recovered == KILL_MAILS
    assert known >= recorded  # at least the recorded mails were skipped
    assert counts(env) == (KILL_MAILS, KILL_MAILS, KILL_MAILS)
    assert fetch(env, PROGRESS)[0] == KILL_MAILS
