from django.urls import path

from civique.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("demandes/<int:pk>/", views.conversation_detail, name="detail"),
    path("demandes/<int:pk>/repondre/", views.reply, name="reply"),
    path("demandes/<int:pk>/repondre-en-prive/", views.reply_private, name="reply_private"),
    path("demandes/<int:pk>/note/", views.note, name="note"),
    path("demandes/<int:pk>/moderer/", views.moderate, name="moderate"),
    path("demandes/<int:pk>/attribuer/", views.assign, name="assign"),
    path("demandes/<int:pk>/transferer/", views.transfer, name="transfer"),
    path("demandes/<int:pk>/statut/", views.change_status, name="status"),
    path("demandes/<int:pk>/theme/", views.change_category, name="category"),
    path("demandes/<int:pk>/priorite/", views.change_priority, name="priority"),
    path("pieces-jointes/<int:pk>/", views.attachment_download, name="attachment"),
]
