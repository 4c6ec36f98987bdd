from django.urls import path

from civique.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/lue/", views.mark_read, name="read"),
    path("tout-lu/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("astreintes/", views.shifts, name="shifts"),
    path("astreintes/<int:pk>/", views.decide_shift, name="decide_shift"),
    path("astreintes/<int:pk>/annuler/", views.cancel_shift, name="cancel_shift"),
]
