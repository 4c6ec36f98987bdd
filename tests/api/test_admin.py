from civique.api.actions import create_token
from civique.api.models import ApiToken
from civique.core.models import AuditEvent, User


def test_an_administrator_revokes_tokens_from_the_django_admin(client, agent):
    superuser = User.objects.create_superuser("root", password="motdepasse-root")
    issued = create_token(agent, "tableau de bord")
    client.force_login(superuser)

    listing = client.get("/admin/api/apitoken/")
    response = client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )

    assert listing.status_code == 200 and issued.token.prefix in listing.content.decode()
    assert issued.secret not in listing.content.decode()
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(verb="apitoken.revoke", actor=superuser).exists()
