"""Back office for administrators: calendars (hours, closures) and commitments."""

from django.contrib import admin

from civique.sla.models import Calendar, Closure, OpeningSlot, Policy


class OpeningSlotInline(admin.TabularInline):
    model = OpeningSlot
    extra = 1


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "personal", "timezone", "subdivision"]
    inlines = [OpeningSlotInline, ClosureInline]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "team",
        "channel_kind",
        "visibility",
        "category",
        "priority",
        "acknowledge_within",
        "acknowledge_unit",
        "answer_within",
        "answer_unit",
        "resolve_within",
        "resolve_unit",
        "escalation",
        "is_active",
    ]
    list_filter = ["is_active", "team", "visibility", "channel_kind"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (
            "Critères",
            {"fields": ["team", "channel_kind", "visibility", "category", "priority"]},
        ),
        (
            "Délais (en temps ouvré)",
            {
                "fields": [
                    ("acknowledge_within", "acknowledge_unit"),
                    ("answer_within", "answer_unit"),
                    ("resolve_within", "resolve_unit"),
                    "at_risk_percent",
                ]
            },
        ),
        ("Escalade", {"fields": ["escalation"]}),
    ]
