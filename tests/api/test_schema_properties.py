"""Property-based tests of the whole API against its own OpenAPI description (schemathesis).

Every operation of ``/api/v1/openapi.json`` is called with requests generated from the
description, for an agent's token and for an administrator's, in-process through the WSGI
application, and each answer must: not be a 5xx, have a status and a body the description
lists, and not refuse a request the description says is valid. Ids are drawn half the time
from rows that exist (the agent's conversations, messages, contacts and "api" channel) so that
the operations get past their 404. Derandomised: the same examples on every run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from civique.api.actions import create_token
from civique.wsgi import application
from tests.channels.facebook import arrive, page_fixture  # noqa: F401 - "page" fixture
from tests.intake import deliver


def _load(*, coverage: bool):
    config = SchemathesisConfig.discover()
    config.projects.default.phases.coverage.enabled = coverage
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)


# The agent's token goes through every phase: the description's examples, its boundaries and
# each way to break it (coverage), then random valid and invalid requests (fuzzing). The
# administrator's skips the coverage phase, most of whose requests are refused by validation,
# before any access check, and would answer the same: half the time for the same operations.
schema = _load(coverage=True)
admin_schema = _load(coverage=False)
# The description's own format for phone numbers (E.164 or national, docs/api.md).
PHONES = ["+33612345678", "06 12 34 56 78", "0692 12 34 56", "+14155552671", "+442071838750"]
schemathesis.openapi.format("phone", st.sampled_from(PHONES))

# Ids of rows the current test created; read by the hooks below while examples are drawn.
KNOWN: dict[str, list[int]] = {}
ID_PARAMETERS = {
    "conversation_id": "conversation",
    "message_id": "message",
    "contact_id": "contact",
}


def _with_known_ids(case, pick: int):
    for name, kind in ID_PARAMETERS.items():
        if case.path_parameters and name in case.path_parameters and KNOWN.get(kind):
            case.path_parameters[name] = KNOWN[kind][pick % len(KNOWN[kind])]
    if isinstance(case.body, dict) and "channel" in case.body and KNOWN.get("channel"):
        case.body["channel"] = KNOWN["channel"][0]
    return case


def _keep_to_the_clock(case):
    """``occurred_at`` may be at most a day after the server's clock: the description says so
    in words (a moving bound no pattern holds), so valid cases keep to it."""
    when = case.body.get("occurred_at") if isinstance(case.body, dict) else None
    if isinstance(when, str):
        try:
            late = datetime.fromisoformat(when) > timezone.now() + timedelta(days=1)
        except ValueError:
            late = False
        if late:
            case.body["occurred_at"] = "2025-05-12T09:30:00+02:00"
    return case


def flatmap_case(context, case):
    """Half the valid cases name rows that exist. Invalid cases are left alone: an id made
    valid would make them valid in part, and they must stay invalid."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)
    case = _keep_to_the_clock(case)
    return st.tuples(st.booleans(), st.integers(0, 1)).map(
        lambda drawn: _with_known_ids(case, drawn[1]) if drawn[0] else case
    )


@pytest.fixture
def world(db, settings, agent, team, admin_user, api_channel, webform_channel, page):
    """A conversation with a message, a public Facebook comment, an "api" channel."""
    # Every example is a request of the same token, or of its address without a valid one.
    settings.API_RATE_LIMIT = settings.API_RATE_LIMIT_ANONYMOUS = "100000/m"
    cache.clear()
    request = deliver(webform_channel, email="lea@example.org", text="Lampadaire en panne")
    comment = arrive(page, "comment-add.json")
    KNOWN.clear()
    KNOWN.update(
        conversation=[request.conversation_id, comment.conversation_id],
        message=[comment.pk, request.pk],
        contact=[request.author_contact_id],
        channel=[api_channel.pk],
    )
    # As Django's test client does: the request must not close the test's connection (its
    # transaction holds the rows above).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"agent": create_token(agent).secret, "admin": create_token(admin_user).secret}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    KNOWN.clear()


def _call_and_validate(case, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    # The API ignores query parameters it does not know and reads "1.0" as 1, as most HTTP
    # APIs do; what a request must not be refused for, and what answers must be, is checked.
    excluded = [negative_data_rejection]
    if _has_invalid_part(case):
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=headers, excluded_checks=excluded)


EXAMPLES = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@EXAMPLES
def test_every_operation_keeps_to_the_description_for_an_agent(case, world):
    _call_and_validate(case, world["agent"])


@admin_schema.parametrize()
@EXAMPLES
def test_every_operation_keeps_to_the_description_for_an_administrator(case, world):
    _call_and_validate(case, world["admin"])


schema.hook(flatmap_case)
admin_schema.hook(flatmap_case)


def _has_invalid_part(case) -> bool:
    """Schemathesis 4.32 labels some coverage cases valid while a component of theirs (a body
    ``0`` beside a boundary id) was generated invalid: those are not valid requests."""
    components = case.meta.components.values() if case.meta else []
    return any(not component.mode.is_positive for component in components)
