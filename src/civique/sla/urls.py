from django.urls import path  # noqa: F401  (the commitments' own pages go here)

app_name = "sla"
urlpatterns: list = []
