"""Every reply lands in its parent's conversation, whatever the number of workers and however
often one is killed: 300 mails, each followed at once by its reply, on real worker processes,
on a file SQLite database and on PostgreSQL (ingest/serialise.py says why it holds)."""

from __future__ import annotations

import signal

import pytest

from tests.ingest.procs import (
    civique,
    counts,
    fetch,
    isolated_env,
    start_worker,
    stop_workers,
    wait_for,
)

PAIRS = 200

SEED = """
from email.utils import format_datetime
from django.utils import timezone
from civique.core.models import Team
from civique.channels.models import Channel
from civique.ingest.actions import receive_event
team = Team.objects.create(slug="accueil", name="Accueil")
channel = Channel.objects.create(kind="email", name="Mairie", team=team,
                                 settings={{"address": "contact@valmont.example"}})
date = format_datetime(timezone.now())

def mail(n, reply):
    head = (f"From: Usager {{n}} <usager{{n}}@example.org>\\r\\nTo: contact@valmont.example\\r\\n"
            f"Date: {{date}}\\r\\nContent-Type: text/plain; charset=utf-8\\r\\n")
    if reply:
        head += (f"Subject: RE: Demande {{n}}\\r\\nMessage-ID: <r{{n}}@example.org>\\r\\n"
                 f"In-Reply-To: <p{{n}}@example.org>\\r\\nReferences: <p{{n}}@example.org>\\r\\n")
    else:
        head += f"Subject: Demande {{n}}\\r\\nMessage-ID: <p{{n}}@example.org>\\r\\n"
    return (head + "\\r\\nBonjour,\\r\\nmessage " + str(n) + "\\r\\n").encode()

for n in range({pairs}):
    for reply in (False, True):
        receive_event(channel, mail(n, reply), "message/rfc822", enqueue=False)
"""

THREADING = (
    "SELECT (SELECT COUNT(*) FROM inbox_conversation),"
    " (SELECT COUNT(*) FROM (SELECT conversation_id FROM inbox_message"
    "   GROUP BY conversation_id HAVING COUNT(*) = 2) AS pairs),"
    " (SELECT COUNT(*) FROM contacts_contact),"
    " (SELECT COUNT(*) FROM ingest_inboundevent WHERE attempts > 1)"
)


def threading_counts(env: dict) -> tuple[int, int, int, int]:
    """Conversations, conversations holding exactly a pair, contacts, events tried again."""
    return fetch(env, THREADING)


@pytest.fixture(params=["sqlite", "postgres"])
def pair_env(request, tmp_path):
    with isolated_env(request.param, tmp_path) as env:
        civique(env, "migrate", "--verbosity", "0")
        civique(env, "shell", "-c", SEED.format(pairs=PAIRS))
        yield env


def run_workers(env: dict, workers: int, kills: int) -> None:
    """Run ``workers`` worker processes until every event is done, killing the first one with
    SIGKILL ``kills`` times along the way (and starting it again)."""
    total = 2 * PAIRS
    procs = [start_worker(env) for _ in range(workers)]
    try:
        for round_ in range(kills):
            threshold = total * (round_ + 1) // (kills + 2)
            wait_for(lambda t=threshold: counts(env)[0] >= t, timeout=180)
            procs[0].send_signal(signal.SIGKILL)
            procs[0].wait()
            procs[0] = start_worker(env)
        wait_for(lambda: counts(env)[0] == total, timeout=300)
    finally:
        stop_workers(procs)


# Four workers with no kill (the most contention: no collision may send an event back), two
# workers with three kills (each kill leaves an event for the others to take over).
@pytest.mark.parametrize(("workers", "kills"), [(4, 0), (2, 3)])
def test_every_reply_joins_its_parent_whatever_the_workers_and_the_kills(pair_env, workers, kills):
    if kills == 0:
        # A slow attempt is never taken for a dead one: any event tried twice failed once.
        pair_env["CIVIQUE_RETRY_BASE_SECONDS"] = "60"
    run_workers(pair_env, workers, kills)
    done, messages, distinct = counts(pair_env)
    assert done == messages == distinct == 2 * PAIRS
    conversations, pairs, contacts, retried = threading_counts(pair_env)
    assert (conversations, pairs, contacts) == (PAIRS, PAIRS, PAIRS)
    if kills == 0:
        # No collision on a new contact (IntegrityError) sent an event back to wait.
        assert retried == 0
