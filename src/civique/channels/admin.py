from django import forms
from django.contrib import admin

from civique.channels.models import Channel
from civique.channels.registry import kind_choices


class ChannelForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=kind_choices)

    class Meta:
        model = Channel
        # Secrets are never displayed; they are set with `civique channel-secret`.
        fields = ["kind", "name", "team", "settings", "is_active", "polling_suspended"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = [
        "name",
        "kind",
        "team",
        "is_active",
        "polling_suspended",
        "last_polled_at",
        "last_error_at",
    ]
    list_filter = ["kind", "team", "is_active"]
    readonly_fields = ["last_error", "last_error_at", "last_polled_at"]
