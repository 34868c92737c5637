from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from chibo.core.jobs import Job
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


class ExportJob(Job):
    """A large export written by `chibo worker` (issue 11, part 4): the kind and the parameters
    that rebuild the page's rows for its owner, with the owner's scope checked again when the
    worker runs and when the file is downloaded; the file lies in a private folder
    (CHIBO_EXPORT_DIR, never served by itself) and is deleted 24 hours after it was written.

    queued → building → ready | failed; ready → expired (the file deleted)."""

    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"
    STATES = [
        (QUEUED, _("Đang chờ")),
        (BUILDING, _("Đang tạo tệp")),
        (READY, _("Sẵn sàng tải về")),
        (FAILED, _("Không tạo được")),
        (EXPIRED, _("Đã xoá tệp")),
    ]
    RUNNING_STATES = (QUEUED, BUILDING)
    FINAL_STATES = (READY, FAILED, EXPIRED)

    token = models.CharField(max_length=32, unique=True)  # the page's address: not guessable
    # The registered kind (audit.jobs.register_export): "members", "roll", "audit".
    kind = models.CharField(max_length=32)
    # What the kind needs to rebuild the same rows for the owner (the page's query, the date).
    params = models.JSONField(default=dict)
    title = models.CharField(max_length=255)  # what the owner reads on the job page
    filename = models.CharField(max_length=255)  # the download's name
    # The unit the export's audit rows are filed under (an id: audit lies below org).
    unit_ref = models.PositiveIntegerField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)  # the finished file, once ready
    rows = models.PositiveIntegerField(default=0)  # the rows written (the header not counted)
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="exportjob_running")]

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"
