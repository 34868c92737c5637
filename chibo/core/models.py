from django.db import models
from django.utils.translation import gettext_lazy as _


class Parameter(models.Model):
    """A dated rule parameter (ARCHITECTURE invariant 4: unconfirmed rules are parameters).
    Defaults live in chibo.core.params; a row here overrides them for its period."""

    key = models.CharField(_("tham số"), max_length=64)
    value = models.JSONField(_("giá trị"))
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    # A committee's own value for a unit and its subtree (e.g. a shorter minimum meeting length
    # for a very small cell, HD 42); empty = everyone.
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "valid_from"],
                condition=models.Q(unit__isnull=True),
                name="core_param_key_from",
            ),
            models.UniqueConstraint(
                fields=["key", "unit", "valid_from"],
                condition=models.Q(unit__isnull=False),
                name="core_param_key_unit_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value} ({self.valid_from})"


class SystemInfo(models.Model):
    """Facts about how stored derived data was built (e.g. the ICU version of sort keys)."""

    key = models.CharField(max_length=64, unique=True)
    value = models.CharField(max_length=255)
    updated_at = models.DateTimeField(auto_now=True)
