from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from civique.core.audit import audit
from civique.core.models import AuditEvent, ContactVisibility, Team, User, WorkerHeartbeat


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email", "contact_visibility"]
    list_filter = ["contact_visibility"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change) -> None:
        """Save, and journal any change of who the team's agents may see (a new team that
        starts wider than the default counts as a change)."""
        before = (
            Team.objects.filter(pk=obj.pk).values_list("contact_visibility", flat=True).first()
            if change
            else ContactVisibility.CONVERSATIONS
        )
        super().save_model(request, obj, form, change)
        if obj.contact_visibility != before:
            audit(
                request.user,
                "team.contact_visibility",
                obj,
                {"contact_visibility": [before, obj.contact_visibility]},
                request=request,
            )


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
    # "auth.login_throttled" and "portal.track_throttled" show what the throttling refused;
    # "contact.read" who read which contact's page or API record, "contact.found" whom an exact
    # email or phone search showed, "team.contact_visibility"
    # who widened or narrowed a team's contacts.
    list_filter = ["verb", "object_type", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["actor_label", "object_repr", "object_id", "ip_address"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "pid", "started_at", "last_seen"]
