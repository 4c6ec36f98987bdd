from django.urls import path

from civique.sla import team_views

app_name = "sla"
# « Horaires et engagements » (sla/team_views.py).
urlpatterns = [
    path("services/", team_views.team_list, name="teams"),
    path("services/<int:team_id>/", team_views.team_settings, name="team_settings"),
    path("services/<int:team_id>/horaires/", team_views.save_hours, name="team_hours"),
    path(
        "services/<int:team_id>/horaires/propres/",
        team_views.create_calendar,
        name="team_calendar_create",
    ),
    path(
        "services/<int:team_id>/horaires/par-defaut/",
        team_views.use_default_calendar,
        name="team_calendar_default",
    ),
    path("services/<int:team_id>/fermetures/", team_views.add_closure, name="team_closure_add"),
    path(
        "services/<int:team_id>/fermetures/<int:closure_id>/supprimer/",
        team_views.remove_closure,
        name="team_closure_remove",
    ),
    path(
        "services/<int:team_id>/engagements/nouveau/",
        team_views.edit_policy,
        name="team_policy_add",
    ),
    path(
        "services/<int:team_id>/engagements/<int:policy_id>/",
        team_views.edit_policy,
        name="team_policy_edit",
    ),
    path(
        "services/<int:team_id>/engagements/<int:policy_id>/activation/",
        team_views.toggle_policy,
        name="team_policy_toggle",
    ),
]
