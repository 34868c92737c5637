from django.db import models


class SystemInfo(models.Model):
    """Facts about how stored derived data was built (e.g. the ICU version of sort keys)."""

    key = models.CharField(max_length=64, unique=True)
    value = models.CharField(max_length=255)
    updated_at = models.DateTimeField(auto_now=True)
