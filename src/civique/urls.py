from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from civique.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("portail/", include("civique.portal.urls")),
    path("api/v1/", include("civique.api.urls")),
    path("usagers/", include("civique.contacts.urls")),
    path("evenements/", include("civique.ingest.urls")),
    path("", include("civique.inbox.urls")),
]
