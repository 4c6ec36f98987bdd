"""Administration of templates, partner bodies and signatures. Every save and deletion keeps
the search index in step (through ``actions``); articles are edited in the back office
(« Connaissances »), where each save is a version."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from civique.contacts.normalize import normalize_phone
from civique.knowledge import actions
from civique.knowledge.models import (
    AgentSignature,
    AnswerTemplate,
    EntryKind,
    Institution,
    Redirection,
    TeamAnswerSettings,
    TemplateVariant,
)


class TemplateVariantInline(admin.StackedInline):
    model = TemplateVariant
    extra = 1


class IndexedAdmin(admin.ModelAdmin):
    kind = ""

    def sync(self, obj) -> None:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        self.sync(form.instance)  # after the variants and themes are saved

    def delete_model(self, request, obj) -> None:
        actions.remove_entry(self.kind, obj.pk)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for pk in queryset.values_list("pk", flat=True):
            actions.remove_entry(self.kind, pk)
        super().delete_queryset(request, queryset)


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(IndexedAdmin):
    kind = EntryKind.TEMPLATE
    list_display = ["title", "category", "team", "is_active"]
    list_filter = ["is_active", "team", "category"]
    search_fields = ["title", "keywords"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TemplateVariantInline]

    def sync(self, obj) -> None:
        actions.sync_template(obj)


@admin.register(Institution)
class InstitutionAdmin(IndexedAdmin):
    kind = EntryKind.INSTITUTION
    list_display = ["name", "phone", "website", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "keywords"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def sync(self, obj) -> None:
        actions.sync_institution(obj)

    def save_model(self, request, obj, form, change) -> None:
        if obj.phone:
            obj.phone = normalize_phone(obj.phone)  # checked by the form's clean below
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        def clean_phone(self) -> str:
            value = self.cleaned_data.get("phone", "")
            return normalize_phone(value) if value else ""

        form.clean_phone = clean_phone
        return form


@admin.register(AgentSignature)
class AgentSignatureAdmin(admin.ModelAdmin):
    list_display = ["agent"]


@admin.register(TeamAnswerSettings)
class TeamAnswerSettingsAdmin(admin.ModelAdmin):
    list_display = ["team", "announced_delay"]


@admin.register(Redirection)
class RedirectionAdmin(admin.ModelAdmin):
    """Read-only: redirections are made from the conversation page."""

    list_display = ["conversation", "institution", "agent", "created_at", "forward_to"]
    readonly_fields = [field.name for field in Redirection._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
