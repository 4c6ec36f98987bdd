"""Permission-checked fetches: an agent sees only their own delivered notifications and the
shifts proposed to them; supervisors manage the shifts of their teams' agents."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from civique.core.models import User
from civique.notifications.models import DutyShift, Notification


def visible_notifications(user: User) -> QuerySet[Notification]:
    """Delivered ones only: a held notification does not exist for its recipient yet."""
    return Notification.objects.filter(recipient=user, delivered_at__isnull=False)


def unread_count(user: User) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()


def notification_for(user: User, pk: int) -> Notification:
    return get_object_or_404(visible_notifications(user), pk=pk)


def own_shift(user: User, pk: int) -> DutyShift:
    return get_object_or_404(DutyShift, pk=pk, user=user)


def can_manage_shifts(user: User) -> bool:
    return user.is_authenticated and (user.is_administrator or user.is_supervisor)


def managed_agents(user: User) -> QuerySet[User]:
    """Administrators: every active account; supervisors: the members of their teams."""
    if not can_manage_shifts(user):
        return User.objects.none()
    active = User.objects.filter(is_active=True)
    if user.is_administrator:
        return active.order_by("last_name", "first_name", "username")
    teams = user.teams.all()
    return active.filter(teams__in=teams).distinct().order_by("last_name", "first_name", "username")


def can_manage_agent(user: User, agent: User) -> bool:
    return managed_agents(user).filter(pk=agent.pk).exists()


def managed_shifts(user: User) -> QuerySet[DutyShift]:
    return DutyShift.objects.filter(user__in=managed_agents(user)).select_related(
        "user", "created_by"
    )


def managed_shift(user: User, pk: int) -> DutyShift:
    shift = managed_shifts(user).filter(pk=pk).first()
    if shift is None:
        raise Http404("Astreinte introuvable.")
    return shift
