from django.urls import path

from civique.sla import views

app_name = "sla"
urlpatterns = [path("", views.dashboard, name="dashboard")]
