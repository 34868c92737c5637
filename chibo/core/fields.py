from django.db import models


class BinaryCharField(models.CharField):
    """A CharField compared byte by byte on every database: COLLATE "C" on PostgreSQL, SQLite's
    default BINARY elsewhere. Used for stored keys (sort keys, search keys) so that ORDER BY,
    keyset cursors and LIKE 'prefix%' index scans behave identically on SQLite and PostgreSQL."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
