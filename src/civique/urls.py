from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from civique.core import views as core_views
from civique.inbox import contact_urls
from civique.ingest import logged_views
from civique.ingest.webhooks import receive_webhook

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("connexion/", core_views.login, name="login"),
    # One login form for everyone, so its rate limits cannot be walked around.
    path("admin/login/", core_views.admin_login, name="admin_login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("portail/", include("civique.portal.urls")),
    path("api/v1/", include("civique.api.urls")),
    # The contact pages (inbox), and logging a call or a visit with a contact (ingest: it writes
    # through the intake), under one namespace.
    path(
        "usagers/",
        include(
            (
                [
                    *contact_urls.urlpatterns,
                    path("<int:pk>/consigner/", logged_views.log_exchange, name="log"),
                ],
                contact_urls.app_name,
            )
        ),
    ),
    path("evenements/", include("civique.ingest.urls")),
    # The dashboard (reporting) and the commitments' own pages (sla) share the prefix.
    path("engagements/", include("civique.reporting.urls")),
    path("engagements/", include("civique.sla.urls")),
    path("moderation/", include("civique.moderation.urls")),
    path("notifications/", include("civique.notifications.urls")),
    path("connaissances/", include("civique.knowledge.urls")),
    # Platforms deliver here (docs/connectors.md, « Webhooks »).
    path("hooks/<slug:kind>/<int:channel_id>/", receive_webhook, name="webhook"),
    path("", include("civique.inbox.urls")),
]
