from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from civique.core.models import AuditEvent, Team, User, WorkerHeartbeat


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "teams", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Civique"), {"fields": ["role", "teams"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """An append-only journal: shown, never added to, changed or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "verb", "object_type", "object_repr", "ip_address"]
    # "auth.login_throttled" and "portal.track_throttled" show what the throttling refused.
    list_filter = ["verb", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id", "ip_address"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "pid", "started_at", "last_seen"]
