from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from chibo.audit.services import record
from chibo.core.actors import SYSTEM


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    with transaction.atomic():
        record(actor=user, action="login", obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        with transaction.atomic():
            record(actor=user, action="logout", obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    with transaction.atomic():
        record(
            actor=SYSTEM,
            action="login_failed",
            after={"username": str(credentials.get("username", ""))[:150]},
        )
