"""Where administrators edit the charter, the automatic rules, the electoral period, the head of
communication, the elected officials and the moderator teams (French labels from the models)."""

from django.contrib import admin

from civique.core.admin import ReadOnlyAdmin
from civique.moderation.models import (
    AutoRule,
    CharterRule,
    ElectedOfficial,
    ModerationDecision,
    ModerationSetup,
    ModeratorTeam,
)


@admin.register(CharterRule)
class CharterRuleAdmin(admin.ModelAdmin):
    list_display = ("article", "title", "action", "severity", "electoral_only", "enabled", "order")
    list_editable = ("enabled", "order")
    list_display_links = ("article", "title")
    search_fields = ("title", "wording")


@admin.register(AutoRule)
class AutoRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "action", "charter_rule", "automatic_hide_enabled", "enabled")
    list_editable = ("order", "enabled")
    filter_horizontal = ("channels",)
    autocomplete_fields = ()


@admin.register(ModerationSetup)
class ModerationSetupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "electoral_period_start", "electoral_period_end")

    def has_add_permission(self, request) -> bool:
        return not ModerationSetup.objects.exists()


@admin.register(ElectedOfficial)
class ElectedOfficialAdmin(admin.ModelAdmin):
    list_display = ("contact", "mandate")
    raw_id_fields = ("contact",)


@admin.register(ModeratorTeam)
class ModeratorTeamAdmin(admin.ModelAdmin):
    list_display = ("team",)


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnlyAdmin):
    """The decisions, read only (append-only journal)."""

    list_display = ("created_at", "actor_label", "decision", "article", "case")
    list_filter = ("decision",)
