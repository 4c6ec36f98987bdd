from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from civique.api.actions import revoke_token
from civique.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued by ``civique apitoken`` (the only place a token is shown)."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "user__username"]
    fields = readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Révoquer les jetons sélectionnés"))
    def revoke(self, request, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_token(token, actor=request.user)
        count = len(tokens)
        self.message_user(request, _("%(n)s jeton(s) révoqué(s).") % {"n": count}, messages.SUCCESS)
