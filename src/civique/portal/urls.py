from django.urls import path

from civique.portal import faq, survey, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("merci/", views.thanks, name="thanks"),
    path("suivi/", views.track, name="track"),
    path("charte/", views.charter, name="charter"),
    path("faq/", faq.faq, name="faq"),
    path("faq/<int:pk>/", faq.faq_article, name="faq_article"),
    path("avis/<str:token>/", survey.survey, name="survey"),
]
