"""Sign-ins and failed sign-ins go to the audit journal."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from civique.core.audit import audit, audit_anonymous_sign_in
from civique.core.models import User


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit(user, "auth.login", user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit(user, "auth.logout", user, request=request)


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, **kwargs) -> None:
    """Record the account tried and the address. A name that is no account is not kept: people
    type their password in the name field, and this journal is never erased."""
    username = str(credentials.get("username", ""))
    account = User.objects.filter(username=username).first()
    audit_anonymous_sign_in("auth.login_failed", account, request=request)
