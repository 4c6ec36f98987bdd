"""Supervisors set their teams' hours, closures and commitments (« Horaires et engagements »).

Who: administrators for every team, supervisors for the teams they belong to (role
``supervisor`` plus membership, as ``inbox.access.can_manage_team``); agents not at all. Global
policies (no team) are changed by administrators only.

Every write is audited (who, what, before and after) and, in the same transaction, re-evaluates
the commitments of the open conversations it affects (``refresh_open_commitments``): the clocks
themselves do not change, only the due times they are measured against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from civique.core.audit import audit
from civique.core.models import Team
from civique.core.wakeup import wake
from civique.inbox.models import Conversation, Priority, Status, Visibility
from civique.sla.actions import refresh_commitments
from civique.sla.calendar import is_open, next_opening
from civique.sla.clocks import target_time
from civique.sla.models import Calendar, Closure, OpeningSlot, Policy
from civique.sla.policies import DEFAULT_WEEK, calendar_for, calendar_row_for, matching_policy

# Open conversations re-evaluated in the request that changed the settings; more go to a task.
REFRESH_LIMIT = 200

# Access


def settings_teams(user) -> QuerySet[Team]:
    """The teams whose settings ``user`` may change; PermissionDenied for agents."""
    if user.is_administrator:
        return Team.objects.all()
    if user.is_supervisor:
        return user.teams.all()
    raise PermissionDenied(_("Réservé aux superviseurs et aux administrateurs."))


def access_team(user, pk: int) -> Team:
    team = settings_teams(user).filter(pk=pk).first()
    if team is None:
        raise Http404(_("Service introuvable."))
    return team


def team_policies(team: Team) -> QuerySet[Policy]:
    """The policies that may apply to the team's conversations: its own and the global ones."""
    return Policy.objects.filter(team__isnull=True) | Policy.objects.filter(team=team)


def can_edit_policy(user, team: Team, policy: Policy) -> bool:
    return policy.team_id == team.pk or (policy.team_id is None and user.is_administrator)


def access_policy(user, team: Team, pk: int) -> Policy:
    """A policy of ``team`` or a global one (404 for another team's); 403 when ``user`` may
    only read it (a supervisor and a global policy)."""
    policy = team_policies(team).select_related("category").filter(pk=pk).first()
    if policy is None:
        raise Http404(_("Engagement introuvable."))
    if not can_edit_policy(user, team, policy):
        raise PermissionDenied(_("Seuls les administrateurs modifient les engagements communs."))
    return policy


def own_calendar(team: Team) -> Calendar | None:
    return Calendar.objects.filter(team=team).first()


def access_closure(team: Team, pk: int) -> Closure:
    closure = Closure.objects.filter(pk=pk, calendar__team=team).first()
    if closure is None:
        raise Http404(_("Fermeture introuvable."))
    return closure


# Snapshots for the audit journal


def hours_snapshot(calendar: Calendar) -> dict[str, Any]:
    return {
        "timezone": calendar.timezone,
        "subdivision": calendar.subdivision,
        "slots": [
            f"{slot.weekday} {slot.opens:%H:%M}-{slot.closes:%H:%M}"
            for slot in calendar.slots.order_by("weekday", "opens")
        ],
        "closures": [closure_snapshot(c) for c in calendar.closures.order_by("starts", "pk")],
    }


def closure_snapshot(closure: Closure) -> dict[str, str]:
    return {
        "starts": closure.starts.isoformat(),
        "ends": closure.ends.isoformat(),
        "reason": closure.reason,
    }


def policy_snapshot(policy: Policy) -> dict[str, Any]:
    exclude = ["id", "created_at", "updated_at"]
    return {k: v for k, v in model_to_dict(policy).items() if k not in exclude}


# Re-evaluating commitments


def _open_conversations(team_id: int | None) -> QuerySet[Conversation]:
    qs = Conversation.objects.exclude(status__in=[Status.RESOLVED, Status.CLOSED])
    return qs if team_id is None else qs.filter(team_id=team_id)


def refresh_open_commitments(
    team_id: int | None,
    now: datetime | None = None,
    *,
    after: int = 0,
    limit: int = REFRESH_LIMIT,
    queue: bool = True,
) -> int:
    """Re-evaluate the commitments of the open conversations of a team (None: of every team),
    ``limit`` of them with a pk above ``after``, each locked; with ``queue``, the rest goes to
    a task once the transaction commits (``sla.tasks``). Returns the last pk done (0: none).
    Call it inside a transaction."""
    now = now or timezone.now()
    pks = list(
        _open_conversations(team_id)
        .filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[: limit + 1]
    )
    last = 0
    for pk in pks[:limit]:
        conversation = Conversation.objects.select_for_update().get(pk=pk)
        refresh_commitments(conversation, now)
        last = pk
    if queue and len(pks) > limit:
        from civique.sla.tasks import refresh_commitments_after  # the task imports this module

        transaction.on_commit(lambda: wake(refresh_commitments_after, team_id, last))
    return last


# Calendars


def create_own_calendar(user, team: Team, *, request=None) -> Calendar:
    """The team's own calendar, a copy of the default one (slots, closures, holidays, time
    zone); the built-in office week when there is no default calendar either.

    Idempotent: a second click (or a double submit racing the first) returns the calendar
    already there. The team's row is locked so that concurrent requests queue (``no_key``:
    rows referring to the team, such as its conversations, are not held up); should another
    writer still get there first, the one-calendar-per-team constraint stops the second
    insert and the calendar already there is returned."""
    with transaction.atomic():
        list(Team.objects.select_for_update(no_key=True).filter(pk=team.pk).values_list("pk"))
        existing = own_calendar(team)
        if existing is not None:
            return existing
        default = calendar_row_for(None)
        try:
            with transaction.atomic():
                calendar = Calendar.objects.create(
                    name=team.name[:120],
                    team=team,
                    timezone=default.timezone if default else "Europe/Paris",
                    subdivision=default.subdivision if default else "",
                )
        except IntegrityError:
            existing = own_calendar(team)
            if existing is None:
                raise
            return existing
        if default is not None:
            slots = [(s.weekday, s.opens, s.closes) for s in default.slots.all()]
            closures = [(c.starts, c.ends, c.reason) for c in default.closures.all()]
        else:
            slots = [(day, a, b) for day, pairs in DEFAULT_WEEK.items() for a, b in pairs]
            closures = []
        OpeningSlot.objects.bulk_create(
            OpeningSlot(calendar=calendar, weekday=d, opens=a, closes=b) for d, a, b in slots
        )
        Closure.objects.bulk_create(
            Closure(calendar=calendar, starts=a, ends=b, reason=r) for a, b, r in closures
        )
        details = {"team": team.slug, "copied_from": default.pk if default else None}
        details["after"] = hours_snapshot(calendar)
        audit(user, "sla.calendar.create", calendar, details, request=request)
        refresh_open_commitments(team.pk)
    return calendar


def use_default_calendar(user, team: Team, *, request=None) -> None:
    """Delete the team's own calendar (its slots and closures): the default one applies."""
    with transaction.atomic():
        calendar = own_calendar(team)
        if calendar is None:
            return
        details = {"team": team.slug, "before": hours_snapshot(calendar)}
        audit(user, "sla.calendar.delete", calendar, details, request=request)
        calendar.delete()
        refresh_open_commitments(team.pk)


def save_hours(user, team: Team, calendar_form, formsets, *, request=None) -> bool:
    """Save valid hours (the calendar form and the week's formsets). True when it changed."""
    calendar = calendar_form.instance
    with transaction.atomic():
        # ``is_valid()`` already copied the posted time zone and holidays onto the instance:
        # what was there before is read again from the database (locked until the save).
        before = hours_snapshot(Calendar.objects.select_for_update().get(pk=calendar.pk))
        calendar_form.save()
        for formset in formsets:
            formset.save()
        after = hours_snapshot(calendar)
        if after == before:
            return False
        changes = {"team": team.slug, "before": before, "after": after}
        audit(user, "sla.calendar.hours", calendar, changes, request=request)
        refresh_open_commitments(team.pk)
    return True


def add_closure(user, team: Team, form, *, request=None) -> Closure:
    calendar = own_calendar(team)
    if calendar is None:
        raise Http404(_("Ce service suit le calendrier par défaut."))
    with transaction.atomic():
        form.instance.calendar = calendar
        closure = form.save()
        changes = {"team": team.slug, "before": None, "after": closure_snapshot(closure)}
        audit(user, "sla.closure.add", calendar, changes, request=request)
        refresh_open_commitments(team.pk)
    return closure


def remove_closure(user, team: Team, closure: Closure, *, request=None) -> None:
    with transaction.atomic():
        changes = {"team": team.slug, "before": closure_snapshot(closure), "after": None}
        audit(user, "sla.closure.remove", closure.calendar, changes, request=request)
        closure.delete()
        refresh_open_commitments(team.pk)


# Policies


def save_policy(user, team: Team, form, *, request=None) -> Policy:
    """Create a policy of ``team`` or change one ``user`` may edit (``access_policy``)."""
    policy = form.instance
    created = policy.pk is None
    if created:
        policy.team = team
    with transaction.atomic():
        before = None if created else policy_snapshot(Policy.objects.get(pk=policy.pk))
        policy = form.save()
        after = policy_snapshot(policy)
        if after != before:
            verb = "sla.policy.create" if created else "sla.policy.change"
            changes = {"team": team.slug, "before": before, "after": after}
            audit(user, verb, policy, changes, request=request)
            refresh_open_commitments(policy.team_id)
    return policy


def set_policy_active(user, team: Team, policy: Policy, active: bool, *, request=None) -> None:
    if policy.is_active == active:
        return
    with transaction.atomic():
        before = policy_snapshot(policy)
        policy.is_active = active
        policy.save(update_fields=["is_active", "updated_at"])
        verb = "sla.policy.activate" if active else "sla.policy.deactivate"
        changes = {"team": team.slug, "before": before, "after": policy_snapshot(policy)}
        audit(user, verb, policy, changes, request=request)
        refresh_open_commitments(policy.team_id)


# What the settings mean, in words


def french_moment(moment: datetime, tz) -> str:
    return dateformat.format(moment.astimezone(tz), r"l j F Y \à H\hi")


@dataclass
class Preview:
    """When an email received at ``now`` would be due, and whether the team is open."""

    policy: str
    acknowledge_due: datetime | None
    answer_due: datetime | None
    open_now: bool
    next_opening: datetime | None
    tz: Any

    def sentences(self) -> list[str]:
        if not self.policy:
            return [_("Aucun engagement ne s'applique à un courriel reçu par ce service.")]
        lines = []
        if self.answer_due is not None:
            lines.append(
                _(
                    "Un courriel reçu maintenant serait dû le %(when)s (première réponse, "
                    "engagement « %(policy)s »)."
                )
                % {"when": french_moment(self.answer_due, self.tz), "policy": self.policy}
            )
        else:
            lines.append(
                _("L'engagement « %(policy)s » ne fixe pas de délai de première réponse.")
                % {"policy": self.policy}
            )
        if self.acknowledge_due is not None:
            lines.append(
                _("Son accusé de réception serait dû le %(when)s.")
                % {"when": french_moment(self.acknowledge_due, self.tz)}
            )
        if self.open_now:
            lines.append(_("Le service est ouvert en ce moment."))
        elif self.next_opening is not None:
            lines.append(
                _("Le service est fermé en ce moment ; prochaine ouverture le %(when)s.")
                % {"when": french_moment(self.next_opening, self.tz)}
            )
        else:
            lines.append(_("Le service est fermé et n'ouvre plus : aucune plage d'ouverture."))
        return lines


def preview(team: Team, now: datetime | None = None) -> Preview:
    """What a private email received by ``team`` at ``now`` would be promised."""
    now = now or timezone.now()
    calendar = calendar_for(team)
    policy = matching_policy(
        team_id=team.pk,
        channel_kind="email",
        visibility=Visibility.PRIVATE,
        category_id=None,
        priority=Priority.NORMAL,
    )

    def due(amount: int | None, unit: str) -> datetime | None:
        return None if amount is None else target_time(now, amount, unit, calendar)

    return Preview(
        policy=policy.name if policy else "",
        acknowledge_due=due(policy.acknowledge_within, policy.acknowledge_unit) if policy else None,
        answer_due=due(policy.answer_within, policy.answer_unit) if policy else None,
        open_now=is_open(now, calendar),
        next_opening=next_opening(now, calendar),
        tz=calendar.tz,
    )
