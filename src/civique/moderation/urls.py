from django.urls import path

from civique.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.act, name="act"),
]
