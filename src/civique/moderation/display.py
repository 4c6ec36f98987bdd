"""What the queue shows of a case: the text with its evidence marked, the analysers' findings
explained in French, and for an angry complaint a de-escalating answer and the author's previous
exchanges. Reads only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from civique.analysis.base import Analysis
from civique.inbox.access import SENSITIVE_PLACEHOLDER, can_read_text, conversations_for
from civique.inbox.models import Message
from civique.moderation.engine import Evidence, evidence_of
from civique.moderation.models import ModerationCase


@dataclass(frozen=True)
class Segment:
    text: str
    label: str = ""  # the label that marks it; "" for plain text


def segments(text: str, evidence: list[Evidence]) -> list[Segment]:
    """``text`` cut into plain and evidence segments (overlapping spans: the first wins)."""
    marks: list[tuple[int, int, str]] = []
    for item in evidence:
        for span in item.spans:
            start, end = max(0, span.start), min(len(text), span.end)
            if start < end and not any(s < end and start < e for s, e, _ in marks):
                marks.append((start, end, item.explanation))
    result, cursor = [], 0
    for start, end, label in sorted(marks):
        if cursor < start:
            result.append(Segment(text[cursor:start]))
        result.append(Segment(text[start:end], label))
        cursor = end
    if cursor < len(text):
        result.append(Segment(text[cursor:]))
    return result


def first_name(case: ModerationCase) -> str:
    message = case.message
    name = (message.author_contact.display_name if message.author_contact else "") or (
        message.author_name
    )
    return name.split()[0] if name.strip() else ""


def restated_problem(text: str, limit: int = 160) -> str:
    """The complaint's first sentence, to say back to its author."""
    sentence = re.split(r"(?<=[.!?])\s+", " ".join(text.split()), maxsplit=1)[0]
    sentence = sentence.rstrip(" !?.")
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
    return sentence


def suggested_answer(case: ModerationCase, phone: str = "", readable: bool = True) -> str:
    """A de-escalating answer: personal, restating the problem, offering a phone call. The
    problem is restated only when the reader may read the comment's text (health data)."""
    name = first_name(case)
    hello = _("Bonjour %(name)s,") % {"name": name} if name else _("Bonjour,")
    call = (
        _("Nous pouvons vous appeler au numéro que vous nous avez laissé : dites-nous quand.")
        if phone
        else _(
            "Pouvons-nous vous appeler pour en parler ? Envoyez-nous en message privé un "
            "numéro et un moment qui vous conviennent."
        )
    )
    if not readable:
        return _(
            "%(hello)s\n\nMerci de nous avoir écrit. Votre agacement est compréhensible, et nous "
            "voulons régler cela avec vous.\n\n%(call)s"
        ) % {"hello": hello, "call": call}
    return _(
        "%(hello)s\n\nMerci de nous avoir écrit. Si nous comprenons bien : « %(problem)s ». "
        "Votre agacement est compréhensible, et nous voulons régler cela avec vous.\n\n%(call)s"
    ) % {"hello": hello, "problem": restated_problem(case.message.text), "call": call}


def previous_exchanges(message: Message, user, limit: int = 5) -> list[Message]:
    """The author's earlier messages that ``user`` may see, newest first, on any channel; the
    text of those ``user`` may not read (health data) is replaced by the placeholder."""
    if message.author_contact_id is None:
        return []
    earlier = list(
        Message.objects.filter(
            author_contact_id=message.author_contact_id,
            conversation__in=conversations_for(user).values("pk"),
        )
        .exclude(pk=message.pk)
        .filter(created_at__lte=message.created_at)
        .select_related("conversation", "channel")
        .order_by("-created_at", "-id")[:limit]
    )
    for item in earlier:
        if not can_read_text(user, item):
            item.text = _(SENSITIVE_PLACEHOLDER)
    return earlier


@dataclass
class CaseView:
    case: ModerationCase
    readable: bool
    segments: list[Segment]
    evidence: list[Evidence]
    suggestion: str = ""
    previous: list[Message] | None = None
    phone: str = ""

    @property
    def can_hide(self) -> bool:
        """Hiding is offered unless the comment is hidden, or is only an angry complaint."""
        case = self.case
        return not case.message.hidden_at and (case.charter_rule_id is not None or not case.angry)

    @property
    def hide_failure(self) -> str:
        """Why the last hide failed on the platform ("" when it did not fail)."""
        last = max(
            (d for d in self.case.message.deliveries.all() if d.kind == "hide"),
            key=lambda d: d.pk,
            default=None,
        )
        return last.last_error if last is not None and last.state == "failed" else ""

    @property
    def placeholder(self) -> str:
        return _(SENSITIVE_PLACEHOLDER)


def case_view(case: ModerationCase, user, readable: bool, phone: str) -> CaseView:
    evidence = evidence_of(Analysis.from_json(case.message.analysis))
    view = CaseView(
        case=case,
        readable=readable,
        segments=segments(case.message.text, evidence) if readable else [],
        evidence=evidence,
        phone=phone,
    )
    if case.angry:
        view.suggestion = suggested_answer(case, phone, readable)
        view.previous = previous_exchanges(case.message, user)
    return view
