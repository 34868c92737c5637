"""Copies for the departures recorded before issue 9 (see members.departures.backfill)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from chibo.members.departures import backfill

    backfill(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0008_departure"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
