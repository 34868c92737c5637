from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "audit") -> AuditQuerySet:
        """A scoped log: rows about units in the viewer's audit scope, and the viewer's own rows.
        Rows without a unit (e.g. logins) are seen by system administrators and their actor."""
        from django.db.models import Q

        from chibo.accounts.scope import visible_unit_ids

        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = visible_unit_ids(user, action)
        if ids is None:
            return self
        return self.filter(Q(unit_id__in=ids) | Q(actor=user))


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

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "at"], name="audit_unit_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"
