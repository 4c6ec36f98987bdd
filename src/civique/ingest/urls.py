from django.urls import path

from civique.ingest import views

app_name = "ingest"
urlpatterns = [
    path("", views.failed_events, name="events"),
    path("<int:pk>/retraiter/", views.retry_event, name="retry"),
    path("retraiter/", views.retry_all, name="retry_all"),
]
