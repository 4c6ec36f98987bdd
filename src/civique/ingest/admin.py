from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from civique.ingest.actions import requeue_events
from civique.ingest.models import InboundEvent


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "channel", "external_id", "state", "attempts", "last_error"]
    list_filter = ["state", "channel"]
    search_fields = ["external_id", "last_error"]
    exclude = ["payload"]
    readonly_fields = [f.name for f in InboundEvent._meta.fields if f.name != "payload"]
    actions = ["retry"]

    @admin.action(description=_("Retraiter les événements sélectionnés"))
    def retry(self, request, queryset) -> None:
        count = requeue_events(queryset)
        self.message_user(
            request, _("%(n)s événement(s) remis en file.") % {"n": count}, messages.SUCCESS
        )

    def has_add_permission(self, request) -> bool:
        return False
