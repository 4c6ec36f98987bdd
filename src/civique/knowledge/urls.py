from django.urls import path

from civique.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.home, name="home"),
    path("fiches/nouvelle/", views.article_edit, name="article_new"),
    path("fiches/<int:pk>/", views.article_detail, name="article"),
    path("fiches/<int:pk>/modifier/", views.article_edit, name="article_edit"),
    path("organismes/", views.institutions, name="institutions"),
    path("demandes/<int:pk>/utiliser/", views.use_entry, name="use"),
    path("demandes/<int:pk>/reponses-types/", views.template_search, name="template_search"),
    path(
        "demandes/<int:pk>/orienter/<int:institution>/",
        views.redirect_to_institution,
        name="redirect",
    ),
]
