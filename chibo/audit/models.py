from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from chibo.core.scope import At, Either, Own, RestrictedQuerySet


class AuditLog(models.Model):
    """Who did what, when, from where, to which object of which unit, with before and after.
    Written by the services in the same transaction as the change; never updated."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    source = models.CharField(max_length=16, blank=True)
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    # A scoped log: rows filed under a unit that lay in the reader's audit scope on their day,
    # and the reader's own rows. Rows without a unit (logins) are seen by their actor and by
    # system administrators.
    scope = Either(At("unit_id", TruncDate("at")), Own("actor_id"))
    scope_action = "audit"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "at"], name="audit_unit_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"
