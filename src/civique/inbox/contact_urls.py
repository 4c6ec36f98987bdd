from django.urls import path

from civique.inbox import contact_views as views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("nouveau/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/fusionner/", views.merge, name="merge"),
    path("fusions/<int:pk>/annuler/", views.undo_merge, name="undo_merge"),
]
