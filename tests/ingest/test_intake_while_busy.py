"""The intake keeps answering while a worker processes the most expensive mail we know of
(1 MB of nested HTML): on the embedded profile the worker's write transaction holds SQLite's only
write lock, so everything slow happens before it (ingest/prepare.py)."""

from __future__ import annotations

import json

from tests.ingest.procs import civique, isolated_env, start_worker
from tests.ingest.test_prepare import nested_html_mail

HOSTILE = 4

SEED = """
from civique.core.models import Team
from civique.channels.models import Channel
from civique.ingest.actions import receive_event
team = Team.objects.create(slug="accueil", name="Accueil")
mail = Channel.objects.create(kind="email", name="Mairie", team=team,
                              settings={{"address": "contact@valmont.example"}})
Channel.objects.create(kind="webform", name="Portail", team=team)
raw = open({path!r}, "rb").read()
for n in range({hostile}):
    receive_event(mail, raw.replace(b"<nested@", f"<nested{{n}}@".encode()), "message/rfc822",
                  enqueue=False)
"""

# Times each intake (what a webhook or the portal does before answering) while hostile mail is
# still being processed, then prints the figures as JSON.
MEASURE = """
import json, time
from civique.channels.models import Channel
from civique.ingest.actions import receive_event
from civique.ingest.models import InboundEvent
form = Channel.objects.get(kind="webform")
busy = lambda: InboundEvent.objects.filter(channel__kind="email", state="pending").exists()
deadline = time.monotonic() + 120
while not InboundEvent.objects.filter(channel__kind="email", attempts__gt=0).exists():
    time.sleep(0.01)
latencies, n = [], 0
while busy() and time.monotonic() < deadline:
    start = time.perf_counter()
    receive_event(form, json.dumps({"email": "a@example.org", "text": f"n{n}"}).encode(),
                  "application/json", f"m{n}", enqueue=False)
    latencies.append(time.perf_counter() - start)
    n += 1
    time.sleep(0.02)
print(json.dumps({"samples": len(latencies), "max": max(latencies, default=0)}))
"""


def test_the_intake_answers_at_once_while_a_worker_reads_a_megabyte_of_nested_html(tmp_path):
    mail_path = tmp_path / "nested.eml"
    mail_path.write_bytes(nested_html_mail(90_000))
    with isolated_env("sqlite", tmp_path) as env:
        civique(env, "migrate", "--verbosity", "0")
        civique(env, "shell", "-c", SEED.format(path=str(mail_path), hostile=HOSTILE))
        worker = start_worker(env)
        try:
            result = civique(env, "shell", "-c", MEASURE)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["samples"] > 0, "the measure must overlap the hostile mail's processing"
    # Before the fix, each intake waited for the cleaner's 200 s transaction and failed with
    # "database is locked" after 30 s. The 100 ms target is measured by `civique bench`.
    assert figures["max"] < 1.0, figures
