"""Administrators see the duty rota and the notifications (read-only: they are the agents')."""

from django.contrib import admin

from civique.notifications.models import DutyShift, Notification


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    """Read-only here: proposing and cancelling go through « Astreintes » (audited), and
    only the agent accepts."""

    list_display = ["user", "starts", "ends", "state", "created_by", "consented_at"]
    list_filter = ["state"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "created_at", "deliver_at", "delivered_at", "via_duty"]
    list_filter = ["kind", "via_duty"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
