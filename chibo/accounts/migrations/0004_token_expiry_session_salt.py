import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def expire_old_tokens(apps, schema_editor):
    # Tokens made before expiries existed run out 90 days from this migration (the default),
    # not at once: scripts keep working while their owners make new tokens.
    apps.get_model("accounts", "ApiToken").objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + dt.timedelta(days=90)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_reset_code_tries"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="apitoken",
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_old_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name="user",
            name="session_salt",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
    ]
